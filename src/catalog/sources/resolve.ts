import { ARXIV_POLICY, CROSSREF_POLICY, HttpClient, HttpError, asArray, ncbiPolicy, xmlText } from '../../net/index.js';
import type { CslItem } from '../citations.js';
import { workFromCsl } from '../library.js';
import { titleKey } from '../tokens.js';
import { formatIdentifier, normaliseDoi, parseIdentifier, type PaperIdentifier } from './identifiers.js';
import { cleanText, safeUrl, stripMarkup, type ResolvedWork } from './work.js';

/** Where each source lives and who we are; every URL is a setting so tests and mirrors can replace it. */
export type SourceSettings = {
  arxivApiUrl: string;
  crossrefApiUrl: string;
  ncbiEutilsUrl: string;
  openalexApiUrl: string;
  /** Where DOIs resolve (content negotiation for DOIs Crossref does not hold, e.g. DataCite's). */
  doiResolverUrl: string;
  contactEmail?: string;
  ncbiApiKey?: string;
  openalexApiKey?: string;
};

export const DEFAULT_SOURCE_URLS = {
  arxivApiUrl: 'https://export.arxiv.org/api/query',
  crossrefApiUrl: 'https://api.crossref.org',
  ncbiEutilsUrl: 'https://eutils.ncbi.nlm.nih.gov/entrez/eutils',
  openalexApiUrl: 'https://api.openalex.org',
  doiResolverUrl: 'https://doi.org',
} as const;

/** A record without an identifier, as `enrich` looks it up by title. */
export type TitleQuery = { title: string; firstAuthor?: string; year: number | null };

/**
 * Why an identifier could not be resolved. `not-found`: the source has no such work (or arXiv says the
 * id is malformed); `withdrawn`: arXiv withdrew it; `unavailable`: the source is down, slow, rate
 * limiting or answered with something unreadable; the message says which and what to try.
 */
export class ResolveError extends Error {
  constructor(
    readonly kind: 'not-found' | 'withdrawn' | 'unavailable',
    readonly identifier: string,
    readonly detail: string,
    readonly failure?: HttpError,
  ) {
    super(`${identifier}: ${detail}`);
    this.name = 'ResolveError';
  }
}

const ATOM_ARRAYS = new Set(['entry', 'author', 'link', 'category']);
const PUBMED_ARRAYS = new Set(['PubmedArticle', 'Author', 'AbstractText', 'ArticleId', 'MeshHeading']);

/**
 * Resolves identifiers to metadata: arXiv's API for preprints, Crossref for DOIs (then the DOI's own
 * registration agency through content negotiation, for DataCite and other non-Crossref DOIs), NCBI
 * E-utilities for PubMed and PMC ids, OpenAlex where the first source has nothing or is unreachable. Pacing per
 * source is set on the HTTP client's pacer once, here, so every resolver in the process shares it.
 */
export class PaperResolver {
  constructor(
    private readonly settings: SourceSettings,
    private readonly http: HttpClient,
  ) {
    http.pacer.configure(settings.arxivApiUrl, ARXIV_POLICY);
    http.pacer.configure(settings.ncbiEutilsUrl, ncbiPolicy(Boolean(settings.ncbiApiKey)));
    http.pacer.configure(settings.crossrefApiUrl, CROSSREF_POLICY);
  }

  /** Parses and resolves typed text; a malformed identifier is a ResolveError `not-found` with examples. */
  async resolveText(text: string): Promise<ResolvedWork> {
    const id = parseIdentifier(text);
    if (!id) throw new ResolveError('not-found', text, 'not an arXiv id, DOI, PubMed id or PMC id');
    return this.resolve(id);
  }

  async resolve(id: PaperIdentifier): Promise<ResolvedWork> {
    const name = formatIdentifier(id);
    switch (id.kind) {
      case 'arxiv':
        return this.withFallback(name, () => this.arxiv(id.id, id.version, name), () => this.openalex(`doi:10.48550/arXiv.${id.id}`, name));
      case 'doi':
        return this.withFallback(
          name,
          () => this.crossref(id.doi, name),
          () => this.withFallback(name, () => this.doiContentNegotiation(id.doi, name), () => this.openalex(`doi:${id.doi}`, name)),
        );
      case 'pmid':
        return this.withFallback(name, () => this.pubmed(id.pmid, name), () => this.openalex(`pmid:${id.pmid}`, name));
      case 'pmcid':
        return this.withFallback(name, async () => this.pubmed(await this.pmidForPmc(id.pmcid, name), name), () => this.openalex(`pmcid:${id.pmcid}`, name));
    }
  }

  /** The first source's answer; OpenAlex when it has nothing or cannot be reached. A withdrawal is final. */
  private async withFallback(name: string, first: () => Promise<ResolvedWork>, fallback: () => Promise<ResolvedWork>): Promise<ResolvedWork> {
    try {
      return await first();
    } catch (error) {
      if (!(error instanceof ResolveError) || error.kind === 'withdrawn') throw error;
      try {
        return await fallback();
      } catch (second) {
        if (second instanceof ResolveError && second.kind === 'unavailable' && error.kind === 'not-found') throw error;
        if (second instanceof ResolveError && error.kind === 'unavailable') throw error;
        throw second;
      }
    }
  }

  private async arxiv(arxivId: string, version: number | undefined, name: string): Promise<ResolvedWork> {
    const url = `${this.settings.arxivApiUrl}?id_list=${encodeURIComponent(arxivId + (version ? `v${version}` : ''))}&max_results=1`;
    const { data } = await this.call(name, 'arXiv', () => this.http.getXml(url, { arrays: ATOM_ARRAYS, acceptStatuses: [400] }));
    const feed = (data.feed ?? {}) as Record<string, unknown>;
    const entries = asArray(feed.entry as Record<string, unknown>[] | undefined);
    const entry = entries[0];
    if (!entry || xmlText(entry.title) === 'Error') {
      const why = entry ? cleanText(xmlText(entry.summary)) : 'no such arXiv id';
      throw new ResolveError('not-found', name, `arXiv has no paper with this id (${why}); check the id on arxiv.org`);
    }
    const comment = cleanText(xmlText(entry['arxiv:comment']));
    const summary = cleanText(xmlText(entry.summary));
    if (/\b(this (paper|article|submission) (has been|is) withdrawn|withdrawn by the author)/i.test(`${comment} ${summary.slice(0, 300)}`)) {
      throw new ResolveError('withdrawn', name, 'arXiv lists this paper as withdrawn');
    }
    const idUrl = xmlText(entry.id);
    const idMatch = parseIdentifier(idUrl);
    const resolvedId = idMatch?.kind === 'arxiv' ? idMatch : { kind: 'arxiv' as const, id: arxivId, version };
    const doi = xmlText(entry['arxiv:doi']);
    const journalRef = cleanText(xmlText(entry['arxiv:journal_ref']));
    const published = xmlText(entry.published);
    const links = asArray(entry.link as Record<string, string>[] | undefined);
    const abs = links.find((l) => l['@_rel'] === 'alternate')?.['@_href'];
    return {
      title: cleanText(xmlText(entry.title)),
      authors: asArray(entry.author as unknown[] | undefined).map((a) => familyFirst(cleanText(xmlText((a as Record<string, unknown>).name)))),
      year: yearOf(published),
      venue: journalRef ? journalRef.replace(/[\s,(]*\d{4}.*$/, '').trim() || 'arXiv' : 'arXiv',
      abstract: summary,
      doi: doi ? normaliseDoi(doi) : undefined,
      arxivId: resolvedId.id,
      arxivVersion: resolvedId.version,
      url: safeUrl(abs) || `https://arxiv.org/abs/${resolvedId.id}`,
      subjects: asArray(entry.category as Record<string, string>[] | undefined).flatMap((c) => c['@_term'] || []),
      journalRef: journalRef || undefined,
      sameAs: doi ? [normaliseDoi(doi)] : [],
      source: 'arxiv',
    };
  }

  private async crossref(doi: string, name: string): Promise<ResolvedWork> {
    const params = this.settings.contactEmail ? `?mailto=${encodeURIComponent(this.settings.contactEmail)}` : '';
    const url = `${this.settings.crossrefApiUrl}/works/${encodeURIComponent(doi)}${params}`;
    const { data } = await this.call(name, 'Crossref', () =>
      this.http.getJson<{ status?: string; message?: CrossrefWork }>(url, { followRateLimitHeaders: true }),
    );
    const work = data?.message;
    if (!work || typeof work !== 'object' || !Array.isArray(work.title)) {
      throw new ResolveError('unavailable', name, 'Crossref answered without a work record; try again later');
    }
    return workFromCrossref(work, doi);
  }

  /**
   * Crossref's bibliographic search for a record that has no identifier: the title with the first
   * author's family name. Only a confident match is taken: the same normalised title, and the same
   * first author and year (±1) where both sides have them. Null when nothing matches so.
   */
  async findByTitle(query: TitleQuery): Promise<ResolvedWork | null> {
    const name = `"${query.title.slice(0, 80)}"`;
    const params = new URLSearchParams({ 'query.bibliographic': query.title, rows: '5' });
    const family = query.firstAuthor ? familyName(query.firstAuthor) : '';
    if (family) params.set('query.author', family);
    if (this.settings.contactEmail) params.set('mailto', this.settings.contactEmail);
    const { data } = await this.call(name, 'Crossref', () =>
      this.http.getJson<{ message?: { items?: CrossrefWork[] } }>(`${this.settings.crossrefApiUrl}/works?${params}`, { followRateLimitHeaders: true }),
    );
    const items = Array.isArray(data?.message?.items) ? data.message.items : [];
    const wanted = titleKey(query.title);
    const wantedFamily = titleKey(family);
    for (const item of items) {
      if (!item || typeof item !== 'object' || !Array.isArray(item.title) || !item.DOI) continue;
      const work = workFromCrossref(item, item.DOI);
      if (titleKey(work.title) !== wanted) continue;
      const theirFamily = titleKey(familyName(work.authors[0] ?? ''));
      if (wantedFamily && theirFamily && wantedFamily !== theirFamily) continue;
      if (query.year !== null && work.year !== null && Math.abs(query.year - work.year) > 1) continue;
      return work;
    }
    return null;
  }

  /**
   * The DOI's registration agency through the resolver (`Accept: application/vnd.citationstyles.csl+json`):
   * DataCite, mEDRA and others answer with CSL-JSON. A DOI whose agency offers no metadata is
   * redirected to its landing page, an HTML page: that is "nothing here", not an outage.
   */
  private async doiContentNegotiation(doi: string, name: string): Promise<ResolvedWork> {
    const url = `${this.settings.doiResolverUrl}/${doi.split('/').map(encodeURIComponent).join('/')}`;
    let item: unknown;
    try {
      ({ data: item } = await this.call(name, 'The DOI resolver', () => this.http.getJson(url, { accept: 'application/vnd.citationstyles.csl+json' })));
    } catch (error) {
      if (error instanceof ResolveError && error.failure?.kind === 'unexpected-content') {
        throw new ResolveError('not-found', name, 'neither Crossref nor the DOI\'s registration agency has metadata for it; check the DOI', error.failure);
      }
      throw error;
    }
    const work = item && typeof item === 'object' && !Array.isArray(item) ? workFromCsl(item as CslItem & Record<string, unknown>, undefined, 'doi.org') : null;
    if (!work) throw new ResolveError('unavailable', name, 'the DOI resolver answered without a title; try again later');
    return { ...work, doi: work.doi ?? doi, url: work.url || `https://doi.org/${doi}` };
  }

  private eutils(tool: string, params: Record<string, string>): string {
    const query = new URLSearchParams({ ...params, tool: 'paperbot' });
    if (this.settings.contactEmail) query.set('email', this.settings.contactEmail);
    if (this.settings.ncbiApiKey) query.set('api_key', this.settings.ncbiApiKey);
    return `${this.settings.ncbiEutilsUrl}/${tool}?${query}`;
  }

  private async pmidForPmc(pmcid: string, name: string): Promise<string> {
    const url = this.eutils('esearch.fcgi', { db: 'pubmed', term: `${pmcid}[pmcid]`, retmode: 'json' });
    const { data } = await this.call(name, 'PubMed', () => this.http.getJson<{ esearchresult?: { idlist?: string[] } }>(url));
    const pmid = data?.esearchresult?.idlist?.[0];
    if (!pmid) throw new ResolveError('not-found', name, 'PubMed knows no article with this PMC id');
    return pmid;
  }

  private async pubmed(pmid: string, name: string): Promise<ResolvedWork> {
    const url = this.eutils('efetch.fcgi', { db: 'pubmed', id: pmid, retmode: 'xml' });
    const { data } = await this.call(name, 'PubMed', () => this.http.getXml(url, { arrays: PUBMED_ARRAYS, allowExternalDoctype: true }));
    const set = (data.PubmedArticleSet ?? {}) as Record<string, unknown>;
    const article = asArray(set.PubmedArticle as Record<string, any>[] | undefined)[0];
    if (!article) throw new ResolveError('not-found', name, 'PubMed has no article with this id');
    const citation = article.MedlineCitation ?? {};
    const art = citation.Article ?? {};
    const journal = art.Journal ?? {};
    const pubDate = journal.JournalIssue?.PubDate ?? {};
    const ids = asArray(article.PubmedData?.ArticleIdList?.ArticleId as Record<string, string>[] | undefined);
    const idOf = (type: string) => ids.find((i) => i['@_IdType'] === type)?.['#text'];
    const doi = idOf('doi');
    const pmcid = idOf('pmc');
    return {
      title: cleanText(xmlText(art.ArticleTitle)),
      authors: asArray(art.AuthorList?.Author as Record<string, unknown>[] | undefined)
        .map((a) => (a.LastName ? [xmlText(a.LastName), xmlText(a.ForeName)].filter(Boolean).join(', ') : xmlText(a.CollectiveName)))
        .map(cleanText)
        .filter(Boolean),
      year: yearOf(xmlText(pubDate.Year) || xmlText(pubDate.MedlineDate)),
      venue: cleanText(xmlText(journal.ISOAbbreviation) || xmlText(journal.Title)),
      abstract: cleanText(asArray(art.Abstract?.AbstractText as unknown[] | undefined).map(xmlText).join(' ')),
      doi: doi ? normaliseDoi(doi) : undefined,
      pmid: cleanText(xmlText(citation.PMID)) || pmid,
      pmcid: pmcid || undefined,
      url: `https://pubmed.ncbi.nlm.nih.gov/${pmid}/`,
      subjects: asArray(citation.MeshHeadingList?.MeshHeading as Record<string, unknown>[] | undefined).map((h) => cleanText(xmlText(h.DescriptorName))).filter(Boolean),
      sameAs: [],
      source: 'pubmed',
    };
  }

  private async openalex(key: string, name: string): Promise<ResolvedWork> {
    const query = new URLSearchParams();
    if (this.settings.openalexApiKey) query.set('api_key', this.settings.openalexApiKey);
    if (this.settings.contactEmail) query.set('mailto', this.settings.contactEmail);
    const url = `${this.settings.openalexApiUrl}/works/${key}${query.size ? `?${query}` : ''}`;
    const { data: work } = await this.call(name, 'OpenAlex', () => this.http.getJson<OpenAlexWork>(url));
    if (!work || typeof work !== 'object' || !(work.title || work.display_name)) {
      throw new ResolveError('unavailable', name, 'OpenAlex answered without a work record; try again later');
    }
    const ids = work.ids ?? {};
    const doi = ids.doi ?? work.doi;
    const pmid = ids.pmid?.match(/(\d+)\/?$/)?.[1];
    const pmcid = ids.pmcid?.match(/(PMC\d+)/i)?.[1];
    const arxivDoi = doi ? parseIdentifier(doi) : null;
    return {
      title: stripMarkup(work.title ?? work.display_name),
      authors: (work.authorships ?? []).map((a) => familyFirst(cleanText(a.author?.display_name))).filter(Boolean),
      year: typeof work.publication_year === 'number' ? work.publication_year : null,
      venue: cleanText(work.primary_location?.source?.display_name ?? ''),
      abstract: abstractFromInvertedIndex(work.abstract_inverted_index),
      doi: doi && arxivDoi?.kind !== 'arxiv' ? normaliseDoi(doi) : undefined,
      arxivId: arxivDoi?.kind === 'arxiv' ? arxivDoi.id : undefined,
      pmid,
      pmcid,
      url: safeUrl(work.primary_location?.landing_page_url) || (doi ? `https://doi.org/${normaliseDoi(doi)}` : ''),
      subjects: (work.mesh ?? []).map((m) => cleanText(m.descriptor_name)).filter(Boolean),
      sameAs: [],
      source: 'openalex',
    };
  }

  /** Runs one request and turns its HttpError into a ResolveError that names the source and what to try. */
  private async call<T>(name: string, source: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      if (error.kind === 'status' && (error.status === 404 || error.status === 410)) {
        throw new ResolveError('not-found', name, `${source} has no record of it (HTTP ${error.status}); check the identifier`, error);
      }
      throw new ResolveError('unavailable', name, `${source} ${DESCRIBE[error.kind]}; try again later or use another identifier of the paper`, error);
    }
  }
}

const DESCRIBE: Record<HttpError['kind'], string> = {
  status: 'answered with an error',
  timeout: 'did not answer in time',
  'too-large': 'sent an answer larger than allowed',
  truncated: 'sent an answer that was cut off',
  network: 'cannot be reached',
  'unexpected-content': 'sent a web page instead of data',
  malformed: 'sent an answer that does not parse',
  'unsafe-xml': 'sent XML with a DOCTYPE or entity declarations, which is refused',
  'rate-limited': 'is rate limiting us',
};

/** A Crossref work record (from /works/{doi} or a search's items) as a work. */
function workFromCrossref(work: CrossrefWork, doi: string): ResolvedWork {
  const relations = Object.entries(work.relation ?? {}).filter(([kind]) =>
    ['has-preprint', 'is-preprint-of', 'is-version-of', 'has-version', 'is-identical-to'].includes(kind),
  );
  const related = relations.flatMap(([, list]) => list ?? []);
  const arxivRelation = related.find((r) => r['id-type'] === 'arxiv' || /10\.48550\/arxiv\./i.test(r.id));
  const arxiv = arxivRelation ? parseIdentifier(arxivRelation['id-type'] === 'arxiv' ? `arXiv:${arxivRelation.id}` : arxivRelation.id) : null;
  const dateParts = (work.issued ?? work.published ?? work['published-print'] ?? work['published-online'])?.['date-parts']?.[0];
  return {
    title: stripMarkup(work.title?.[0]),
    authors: (work.author ?? []).map((a) => (a.family ? [a.family, a.given].filter(Boolean).join(', ') : cleanText(a.name))).filter(Boolean),
    year: typeof dateParts?.[0] === 'number' ? dateParts[0] : null,
    venue: cleanText(work['container-title']?.[0] ?? work['short-container-title']?.[0] ?? ''),
    abstract: stripMarkup(work.abstract),
    doi: normaliseDoi(work.DOI ?? doi),
    arxivId: arxiv?.kind === 'arxiv' ? arxiv.id : undefined,
    url: safeUrl(work.URL) || `https://doi.org/${doi}`,
    subjects: (work.subject ?? []).map(cleanText),
    sameAs: related.filter((r) => r['id-type'] === 'doi').map((r) => normaliseDoi(r.id)),
    source: 'crossref',
  };
}

/** `Doe, Jane` or `Jane Doe` → `Doe`. */
function familyName(author: string): string {
  return (author.includes(',') ? author.split(',')[0] : author.trim().split(/\s+/).pop()) ?? '';
}

/** `Jane Q. Doe` → `Doe, Jane Q.`; names already with a comma, or a single word, as they are. */
function familyFirst(name: string): string {
  if (!name || name.includes(',')) return name;
  const parts = name.split(' ');
  if (parts.length < 2) return name;
  const family = parts.pop()!;
  return `${family}, ${parts.join(' ')}`;
}

function yearOf(text: string): number | null {
  const m = text.match(/\b(1[89]\d{2}|20\d{2})\b/);
  return m ? Number(m[1]) : null;
}

/** OpenAlex ships abstracts as word → positions; put the words back in order. */
function abstractFromInvertedIndex(index: Record<string, number[]> | null | undefined): string {
  if (!index || typeof index !== 'object') return '';
  const words: string[] = [];
  for (const [word, positions] of Object.entries(index)) {
    if (!Array.isArray(positions)) continue;
    for (const p of positions) if (Number.isInteger(p) && p >= 0 && p < 100_000) words[p] = word;
  }
  return cleanText(words.filter((w) => w !== undefined).join(' '));
}

type CrossrefDate = { 'date-parts'?: (number | null)[][] };
type CrossrefWork = {
  DOI?: string;
  URL?: string;
  title?: string[];
  abstract?: string;
  author?: { given?: string; family?: string; name?: string }[];
  'container-title'?: string[];
  'short-container-title'?: string[];
  issued?: CrossrefDate;
  published?: CrossrefDate;
  'published-print'?: CrossrefDate;
  'published-online'?: CrossrefDate;
  subject?: string[];
  relation?: Record<string, { 'id-type': string; id: string }[] | undefined>;
};

type OpenAlexWork = {
  title?: string;
  display_name?: string;
  doi?: string;
  publication_year?: number;
  ids?: { doi?: string; pmid?: string; pmcid?: string };
  authorships?: { author?: { display_name?: string } }[];
  primary_location?: { landing_page_url?: string; source?: { display_name?: string } | null };
  abstract_inverted_index?: Record<string, number[]>;
  mesh?: { descriptor_name?: string }[];
};
