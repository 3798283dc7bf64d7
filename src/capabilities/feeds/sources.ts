import { UserError } from '../../errors.js';
import { FeedFormatError, findDoi, type CandidatePaper, type ParsedFeed } from './parse.js';
import { feedText } from './messages.js';

/**
 * What `/paper feed add <source>` accepts: `arxiv:eess.IV` (an arXiv category, newest first from
 * the arXiv API), `pubmed:"<query>"` (new PubMed records by entry date), or an http(s) URL of an
 * RSS 2.0, RSS 1.0/RDF or Atom feed.
 */
export type FeedSource =
  | { kind: 'arxiv'; category: string; spec: string }
  | { kind: 'pubmed'; term: string; spec: string }
  | { kind: 'url'; url: string; spec: string };

export type SourceUrls = { arxivApiUrl: string; eutilsUrl: string; contactEmail: string | null; ncbiApiKey: string | null };

/** How many of a category's newest papers one arXiv read asks for. */
const ARXIV_PAGE = 100;
/** PubMed records asked for per read; a term with more new records a day than this is too broad. */
export const PUBMED_PAGE = 200;
/** The entry-date window a PubMed read looks back over, in days (longer than any polling gap). */
const PUBMED_DAYS = 7;

const ARXIV_CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

const badSource = (spec: string) =>
  new UserError(
    'feed-source',
    feedText.both('badSource', { spec }),
    ['feed add arxiv:eess.IV', 'feed add pubmed:"deep learning"'],
  );

export function parseSource(raw: string): FeedSource {
  const spec = raw.trim();
  const [, category] = /^arxiv:\s*(\S+)$/i.exec(spec) ?? [];
  if (category !== undefined) {
    if (!ARXIV_CATEGORY.test(category)) throw badSource(spec);
    return { kind: 'arxiv', category, spec: `arxiv:${category}` };
  }
  const [, pubmed] = /^pubmed:\s*(.+)$/i.exec(spec) ?? [];
  if (pubmed !== undefined) {
    const term = pubmed.trim().replace(/^["“](.*)["”]$/s, '$1').trim();
    if (!term || term.length > 300) throw badSource(spec);
    return { kind: 'pubmed', term, spec: `pubmed:"${term}"` };
  }
  let url: URL;
  try {
    url = new URL(spec.replace(/^<(.*)>$/, '$1'));
  } catch {
    throw badSource(spec);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError('feed-scheme', feedText.both('badScheme', { protocol: url.protocol }));
  }
  return { kind: 'url', url: url.href, spec: url.href };
}

/** The address a source is read from. */
export function sourceUrl(source: FeedSource, urls: SourceUrls): string {
  if (source.kind === 'url') return source.url;
  if (source.kind === 'arxiv') {
    const q = new URLSearchParams({ search_query: `cat:${source.category}`, sortBy: 'submittedDate', sortOrder: 'descending', start: '0', max_results: String(ARXIV_PAGE) });
    return `${urls.arxivApiUrl}?${q}`;
  }
  return eutils(urls, 'esearch.fcgi', { db: 'pubmed', term: source.term, datetype: 'edat', reldate: String(PUBMED_DAYS), retmax: String(PUBMED_PAGE), retmode: 'json', sort: 'pub_date' });
}

/** An E-utilities URL with NCBI's `tool` and `email` (and the lab's key, if any). */
export function eutils(urls: SourceUrls, path: string, params: Record<string, string>): string {
  const q = new URLSearchParams({ ...params, tool: 'paperbot' });
  if (urls.contactEmail) q.set('email', urls.contactEmail);
  if (urls.ncbiApiKey) q.set('api_key', urls.ncbiApiKey);
  return `${urls.eutilsUrl.replace(/\/+$/, '')}/${path}?${q}`;
}

function json(body: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(body) as unknown;
    if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new FeedFormatError('malformed', `PubMed's ${what} answer is not JSON`);
}

/** The PMIDs of an ESearch JSON answer. */
export function readEsearch(body: string): string[] {
  const doc = json(body, 'esearch');
  const result = doc.esearchresult as { idlist?: unknown; ERROR?: string } | undefined;
  if (!result || !Array.isArray(result.idlist)) throw new FeedFormatError('source-error', `PubMed answered with an error: ${result?.ERROR ?? String(doc.error ?? 'no id list')}`);
  return result.idlist.map(String).filter((id) => /^\d+$/.test(id));
}

type Summary = {
  uid?: string;
  title?: string;
  error?: string;
  authors?: { name?: string }[];
  fulljournalname?: string;
  source?: string;
  pubdate?: string;
  sortpubdate?: string;
  articleids?: { idtype?: string; value?: string }[];
  elocationid?: string;
};

/** ESummary JSON → candidate papers; records that carry their own `error` are skipped and counted. */
export function readEsummary(body: string): ParsedFeed {
  const doc = json(body, 'esummary');
  const result = doc.result as Record<string, unknown> | undefined;
  if (!result) throw new FeedFormatError('source-error', `PubMed answered with an error: ${String(doc.error ?? 'no result')}`);
  const uids = Array.isArray(result.uids) ? result.uids.map(String) : [];
  const items: CandidatePaper[] = [];
  let skipped = 0;
  for (const uid of uids) {
    const s = result[uid] as Summary | undefined;
    const title = (s?.title ?? '').replace(/\s+/g, ' ').trim();
    if (!s || s.error || !title) {
      skipped++;
      continue;
    }
    const ids = s.articleids ?? [];
    const published = s.sortpubdate ? s.sortpubdate.slice(0, 10).replace(/\//g, '-') : (s.pubdate ?? null);
    items.push({
      guid: `pmid:${uid}`,
      title: title.replace(/\.$/, ''),
      url: `https://pubmed.ncbi.nlm.nih.gov/${uid}/`,
      authors: (s.authors ?? []).map((a) => a.name ?? '').filter(Boolean),
      abstract: '',
      published,
      year: published ? Number(/\d{4}/.exec(published)?.[0]) || null : null,
      venue: s.fulljournalname || s.source || '',
      doi: findDoi(ids.find((i) => i.idtype === 'doi')?.value ?? '', s.elocationid ?? ''),
      arxivId: null,
      arxivVersion: null,
      pmid: uid,
      categories: [],
    });
  }
  return { format: 'pubmed', title: 'PubMed', items, skipped };
}
