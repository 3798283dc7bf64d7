import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Feed bodies → candidate papers. One parser (fast-xml-parser) reads RSS 2.0, RSS 1.0/RDF and Atom,
 * including the arXiv API and arXiv's RSS (Atom flavour), keeping the namespaced elements a paper
 * needs (dc:creator, prism:doi, arxiv:doi, arxiv:journal_ref) that generic feed libraries drop.
 * PubMed answers JSON (esearch + esummary) and is read in pubmed.ts.
 */

export type FeedFormat = 'rss2' | 'rdf' | 'atom';

/** One feed item read as a paper it may be; ids are lower-case and without prefixes. */
export type CandidatePaper = {
  /** What identifies the item within its feed (guid, Atom id, rdf:about, PMID), for the per-feed dedupe. */
  guid: string;
  title: string;
  url: string;
  authors: string[];
  abstract: string;
  /** ISO date or instant as the feed gave it, or null. */
  published: string | null;
  year: number | null;
  venue: string;
  doi: string | null;
  arxivId: string | null;
  pmid: string | null;
  categories: string[];
};

export type ParsedFeed = {
  format: FeedFormat | 'pubmed';
  title: string;
  items: CandidatePaper[];
  /** Items without a title or a link, skipped. */
  skipped: number;
};

/** Why a body is not a feed we read; the message goes to `feed list` and the log as is. */
export class FeedFormatError extends Error {
  constructor(
    readonly code: 'html' | 'malformed' | 'entities' | 'not-a-feed' | 'source-error',
    message: string,
  ) {
    super(message);
    this.name = 'FeedFormatError';
  }
}

const ARRAYS = new Set(['item', 'entry', 'author', 'link', 'creator', 'category', 'contributor']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Prefixes are the feed's choice (arxiv:, prism:, dc:); what matters is the local name.
  removeNSPrefix: true,
  // Only the five XML entities and character references: a DOCTYPE is refused before parsing.
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
});

/** True when the body is an HTML page (an error page, a login wall, a journal's landing page). */
export function looksLikeHtml(body: string, contentType = ''): boolean {
  if (/text\/html/i.test(contentType) && !/^\s*(<\?xml[^>]*>\s*)?<(rss|feed|rdf:RDF)\b/i.test(body)) return true;
  return /^\s*(<!doctype\s+html|<html[\s>])/i.test(body);
}

/**
 * Refuses any document type declaration: entity declarations are how XML bombs and external
 * entity reads start, and no feed needs one.
 */
export function assertNoDoctype(body: string): void {
  if (/<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body)) {
    throw new FeedFormatError('entities', 'the feed declares a document type or entities, which paperbot refuses to read');
  }
}

/** Reads an XML feed body; throws FeedFormatError when it is not one. */
export function parseFeedXml(body: string, contentType = ''): ParsedFeed {
  const text = body.replace(/^\uFEFF/, '');
  if (looksLikeHtml(text, contentType)) throw new FeedFormatError('html', 'the address answered with an HTML page, not a feed');
  assertNoDoctype(text);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new FeedFormatError('malformed', `the feed is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  }
  const doc = parser.parse(text) as Record<string, unknown>;
  if (isObject(doc.rss)) return readRss2(doc.rss);
  if (isObject(doc.RDF)) return readRdf(doc.RDF);
  if (isObject(doc.feed)) return readAtom(doc.feed);
  throw new FeedFormatError('not-a-feed', 'the document is XML but neither RSS nor Atom');
}

type Node = Record<string, unknown>;

function isObject(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text of an element that may be a string, a number, an object with `#text`, or a list of those. */
function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'string' || typeof v === 'number') return String(v).replace(/\s+/g, ' ').trim();
  if (isObject(v) && '#text' in v) return text(v['#text']);
  return '';
}

function texts(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(text).filter(Boolean);
}

/** Feed text is often HTML-escaped markup: keep the words, drop the tags. */
function plain(s: string): string {
  return s
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' })[e] ?? ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const DOI = /\b(10\.\d{4,9}\/[^\s"<>]+)/i;
const ARXIV_NEW = /(?:arxiv\.org\/(?:abs|pdf)\/|oai:arxiv\.org:|arxiv:)\s*(\d{4}\.\d{4,5})(v\d+)?/i;
const ARXIV_OLD = /(?:arxiv\.org\/(?:abs|pdf)\/|oai:arxiv\.org:|arxiv:)\s*([a-z-]+(?:\.[a-z]{2})?\/\d{7})(v\d+)?/i;

export function findDoi(...sources: string[]): string | null {
  for (const s of sources) {
    const m = DOI.exec(s);
    if (m) return m[1].replace(/[.,;)]+$/, '').toLowerCase();
  }
  return null;
}

/** The arXiv id without its version, from an abs/pdf URL, an OAI id or an `arXiv:` mention. */
export function findArxivId(...sources: string[]): string | null {
  for (const s of sources) {
    const m = ARXIV_NEW.exec(s) ?? ARXIV_OLD.exec(s);
    if (m) return m[1].toLowerCase();
  }
  return null;
}

function yearOf(date: string | null): number | null {
  const m = date ? /\b(19|20)\d{2}\b/.exec(date) : null;
  return m ? Number(m[0]) : null;
}

function httpUrl(s: string): string {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : '';
  } catch {
    return '';
  }
}

/** arXiv's RSS puts every author in one comma-separated dc:creator. */
function splitCreators(creators: string[]): string[] {
  if (creators.length !== 1) return creators;
  return creators[0]
    .split(/,\s*|\s+and\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

type Draft = Omit<CandidatePaper, 'year' | 'doi' | 'arxivId' | 'title' | 'abstract'> & {
  title: string;
  abstract: string;
  doiHints: string[];
};

function finish(drafts: Draft[], format: ParsedFeed['format'], title: string): ParsedFeed {
  const items: CandidatePaper[] = [];
  let skipped = 0;
  for (const d of drafts) {
    const title = plain(d.title);
    if (!title || !d.url) {
      skipped++;
      continue;
    }
    const { doiHints, ...rest } = d;
    items.push({
      ...rest,
      title,
      abstract: plain(d.abstract).replace(/^arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*/i, ''),
      guid: d.guid || d.url,
      year: yearOf(d.published),
      doi: findDoi(...doiHints),
      arxivId: findArxivId(d.guid, d.url),
    });
  }
  return { format, title: plain(title), items, skipped };
}

function readRss2(rss: Node): ParsedFeed {
  const channel = isObject(rss.channel) ? rss.channel : {};
  const venue = plain(text(channel.title));
  const items = (Array.isArray(channel.item) ? channel.item : []).filter(isObject).map(
    (item): Draft => ({
      guid: text(item.guid),
      title: text(item.title),
      url: httpUrl(texts(item.link)[0] ?? '') || httpUrl(text(item.guid)),
      authors: splitCreators(texts(item.creator).length ? texts(item.creator) : texts(item.author)),
      abstract: text(item.description),
      published: text(item.pubDate) || text(item.date) || null,
      venue: text(item.publicationName) || venue,
      pmid: null,
      categories: texts(item.category),
      doiHints: [text(item.doi), ...texts(item.identifier), text(item.guid), texts(item.link)[0] ?? ''],
    }),
  );
  return finish(items, 'rss2', venue);
}

function readRdf(rdf: Node): ParsedFeed {
  const channel = isObject(rdf.channel) ? rdf.channel : {};
  const venue = plain(text(channel.title));
  const items = (Array.isArray(rdf.item) ? rdf.item : []).filter(isObject).map(
    (item): Draft => ({
      guid: String(item['@about'] ?? '') || text(item.link),
      title: text(item.title),
      url: httpUrl(text(item.link)) || httpUrl(String(item['@about'] ?? '')),
      authors: texts(item.creator),
      abstract: text(item.description),
      published: text(item.date) || text(item.publicationDate) || text(item.pubDate) || null,
      venue: text(item.publicationName) || venue,
      pmid: null,
      categories: texts(item.subject),
      doiHints: [text(item.doi), ...texts(item.identifier), text(item.link)],
    }),
  );
  return finish(items, 'rdf', venue);
}

function atomLink(entry: Node): string {
  const links = (Array.isArray(entry.link) ? entry.link : []).filter(isObject);
  const alternate = links.find((l) => (l['@rel'] ?? 'alternate') === 'alternate') ?? links[0];
  return alternate ? httpUrl(String(alternate['@href'] ?? '')) : '';
}

function readAtom(feed: Node): ParsedFeed {
  const entries = (Array.isArray(feed.entry) ? feed.entry : []).filter(isObject);
  // The arXiv API reports an error as a feed whose one entry is titled "Error".
  if (entries.length === 1 && text(entries[0].title) === 'Error' && /arxiv/i.test(text(entries[0].id))) {
    throw new FeedFormatError('source-error', `arXiv answered with an error: ${plain(text(entries[0].summary))}`);
  }
  const isArxiv = /arxiv/i.test(text(feed.id));
  const items = entries.map((entry): Draft => {
    const authors = (Array.isArray(entry.author) ? entry.author : []).map((a) => (isObject(a) ? text(a.name) : text(a))).filter(Boolean);
    const categories = (Array.isArray(entry.category) ? entry.category : []).map((c) => (isObject(c) ? String(c['@term'] ?? '') : '')).filter(Boolean);
    return {
      guid: text(entry.id),
      title: text(entry.title),
      url: atomLink(entry),
      authors: authors.length ? authors : splitCreators(texts(entry.creator)),
      abstract: text(entry.summary) || text(entry.content),
      published: text(entry.published) || text(entry.updated) || null,
      venue: text(entry.journal_ref) || text(entry.journal_reference) || (isArxiv ? 'arXiv' : plain(text(feed.title))),
      pmid: null,
      categories,
      doiHints: [text(entry.doi), text(entry.DOI), text(entry.id)],
    };
  });
  return finish(items, 'atom', text(feed.title));
}
