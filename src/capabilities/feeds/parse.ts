import { asArray, parseXmlSafely, XmlRefused } from '../../net/index.js';

/**
 * Feed bodies → candidate papers. One parser (fast-xml-parser) reads RSS 2.0, RSS 1.0/RDF and Atom,
 * including the arXiv API and arXiv's RSS (Atom flavour), keeping the namespaced elements a paper
 * needs (dc:creator, prism:doi, arxiv:doi, arxiv:journal_ref) that generic feed libraries drop.
 * PubMed answers JSON (esearch + esummary) and is read in pubmed.ts.
 */

type FeedFormat = 'rss2' | 'rdf' | 'atom';

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
  arxivVersion: number | null;
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

/** Elements that repeat, under the prefixes feeds use for them. */
const ARRAYS = new Set(['item', 'entry', 'author', 'link', 'category', 'creator', 'dc:creator', 'dc:identifier', 'dc:subject', 'contributor']);

/** True when the body is an HTML page (an error page, a login wall, a journal's landing page). */
function looksLikeHtml(body: string, contentType = ''): boolean {
  if (/text\/html/i.test(contentType) && !/^\s*(<\?xml[^>]*>\s*)?<(rss|feed|rdf:RDF)\b/i.test(body)) return true;
  return /^\s*(<!doctype\s+html|<html[\s>])/i.test(body);
}

/** Reads an XML feed body; throws FeedFormatError when it is not one. */
export function parseFeedXml(body: string, contentType = ''): ParsedFeed {
  const text = body.replace(/^\uFEFF/, '');
  if (looksLikeHtml(text, contentType)) throw new FeedFormatError('html', 'the address answered with an HTML page, not a feed');
  let doc: Node;
  try {
    doc = parseXmlSafely(text, { arrays: ARRAYS, allowExternalDoctype: true });
  } catch (error) {
    if (!(error instanceof XmlRefused)) throw error;
    if (error.reason === 'unsafe') throw new FeedFormatError('entities', 'the feed declares a document type or entities, which paperbot refuses to read');
    throw new FeedFormatError('malformed', `the feed is not well-formed XML (${error.message})`);
  }
  const rss = child(doc, 'rss');
  if (isObject(rss)) return readRss2(rss);
  const rdf = child(doc, 'RDF');
  if (isObject(rdf)) return readRdf(rdf);
  const feed = child(doc, 'feed');
  if (isObject(feed)) return readAtom(feed);
  throw new FeedFormatError('not-a-feed', 'the document is XML but neither RSS nor Atom');
}

type Node = Record<string, unknown>;

/**
 * An element by its local name, whatever prefix the feed gave it (`dc:creator`, `prism:doi`,
 * `arxiv:doi`); an unprefixed element wins over prefixed ones (RSS 1.0's `title` over `dc:title`).
 */
function child(node: Node, local: string): unknown {
  if (local in node) return node[local];
  for (const key of Object.keys(node)) if (key.endsWith(`:${local}`)) return node[key];
  return undefined;
}

/** A namespaced element (`dc:title`) before the plain one: publishers put the bare title there. */
function qualified(node: Node, local: string): string {
  const key = Object.keys(node).find((k) => k.endsWith(`:${local}`));
  return (key ? text(node[key]) : '') || text(node[local]);
}

function attr(node: Node, local: string): string {
  const v = child(node, `@_${local}`) ?? Object.entries(node).find(([k]) => k.startsWith('@_') && k.endsWith(`:${local}`))?.[1];
  return typeof v === 'string' ? v : '';
}

function list(node: Node, local: string): unknown[] {
  const v = child(node, local);
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

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
    if (m?.[1]) return m[1].replace(/[.,;)]+$/, '').toLowerCase();
  }
  return null;
}

/** The arXiv id and, when given, its version. */
function findArxiv(...sources: string[]): { id: string; version: number | null } | null {
  for (const s of sources) {
    const m = ARXIV_NEW.exec(s) ?? ARXIV_OLD.exec(s);
    if (m?.[1]) return { id: m[1].toLowerCase(), version: m[2] ? Number(m[2].slice(1)) : null };
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
  const [only] = creators;
  if (creators.length !== 1 || only === undefined) return creators;
  return only
    .split(/,\s*|\s+and\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

type Draft = Omit<CandidatePaper, 'year' | 'doi' | 'arxivId' | 'arxivVersion' | 'title' | 'abstract'> & {
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
      arxivId: findArxiv(d.guid, d.url)?.id ?? null,
      arxivVersion: findArxiv(d.guid, d.url)?.version ?? null,
    });
  }
  return { format, title: plain(title), items, skipped };
}

/** The text of the element with this local name. */
const field = (node: Node, local: string) => text(child(node, local));
const fields = (node: Node, local: string) => texts(child(node, local));

function readRss2(rss: Node): ParsedFeed {
  const channel = child(rss, 'channel');
  const ch: Node = isObject(channel) ? channel : {};
  const venue = plain(field(ch, 'title'));
  // `link` may also hold an atom:link (an object); the RSS link is the text one.
  const link = (item: Node) => (item.link === undefined ? [] : asArray(item.link)).map(text).find(Boolean) ?? '';
  const items = list(ch, 'item').filter(isObject).map(
    (item): Draft => ({
      guid: text(item.guid),
      title: text(item.title),
      url: httpUrl(link(item)) || httpUrl(text(item.guid)),
      authors: splitCreators(fields(item, 'creator').length ? fields(item, 'creator') : texts(item.author)),
      abstract: text(item.description),
      published: text(item.pubDate) || field(item, 'date') || null,
      venue: field(item, 'publicationName') || venue,
      pmid: null,
      categories: texts(item.category),
      doiHints: [field(item, 'doi'), ...fields(item, 'identifier'), text(item.guid), link(item)],
    }),
  );
  return finish(items, 'rss2', venue);
}

function readRdf(rdf: Node): ParsedFeed {
  const channel = child(rdf, 'channel');
  const venue = plain(isObject(channel) ? field(channel, 'title') : '');
  const items = list(rdf, 'item').filter(isObject).map(
    (item): Draft => ({
      guid: attr(item, 'about') || field(item, 'link'),
      // MDPI and Nature prefix <title> with the journal, volume and pages; dc:title is the paper's own.
      title: qualified(item, 'title'),
      url: httpUrl(field(item, 'link')) || httpUrl(attr(item, 'about')),
      authors: fields(item, 'creator'),
      abstract: field(item, 'description'),
      published: field(item, 'date') || field(item, 'publicationDate') || field(item, 'pubDate') || null,
      venue: field(item, 'publicationName') || venue,
      pmid: null,
      categories: fields(item, 'subject'),
      doiHints: [field(item, 'doi'), ...fields(item, 'identifier'), field(item, 'link')],
    }),
  );
  return finish(items, 'rdf', venue);
}

function atomLink(entry: Node): string {
  const links = list(entry, 'link').filter(isObject);
  const alternate = links.find((l) => (attr(l, 'rel') || 'alternate') === 'alternate') ?? links[0];
  return alternate ? httpUrl(attr(alternate, 'href')) : '';
}

function readAtom(feed: Node): ParsedFeed {
  const entries = list(feed, 'entry').filter(isObject);
  // The arXiv API reports an error as a feed whose one entry is titled "Error".
  const [only] = entries;
  if (entries.length === 1 && only && field(only, 'title') === 'Error' && /arxiv/i.test(field(only, 'id'))) {
    throw new FeedFormatError('source-error', `arXiv answered with an error: ${plain(field(only, 'summary'))}`);
  }
  const isArxiv = /arxiv/i.test(field(feed, 'id'));
  const items = entries.map((entry): Draft => {
    const authors = list(entry, 'author').map((a) => (isObject(a) ? field(a, 'name') : text(a))).filter(Boolean);
    return {
      guid: field(entry, 'id'),
      title: field(entry, 'title'),
      url: atomLink(entry),
      authors: authors.length ? authors : splitCreators(fields(entry, 'creator')),
      abstract: field(entry, 'summary') || field(entry, 'content'),
      published: field(entry, 'published') || field(entry, 'updated') || null,
      venue: field(entry, 'journal_ref') || field(entry, 'journal_reference') || (isArxiv ? 'arXiv' : plain(field(feed, 'title'))),
      pmid: null,
      categories: list(entry, 'category').filter(isObject).map((c) => attr(c, 'term')).filter(Boolean),
      doiHints: [field(entry, 'doi'), field(entry, 'DOI'), field(entry, 'id')],
    };
  });
  return finish(items, 'atom', field(feed, 'title'));
}
