import type { Paper } from './paper.js';
import { parseIdentifier } from './sources/identifiers.js';
import { cleanText, safeUrl, type ResolvedWork } from './sources/work.js';
import { slugify, titleKey } from './tokens.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * One paper, one record: the keys under which a record can be found again. Two records are the same
 * work when they share an arXiv id, a DOI, a PubMed or PMC id, or the normalised title, first author's
 * family name and year.
 */
export type MatchKeys = { arxivId?: string; dois: string[]; pmid?: string; pmcid?: string; titleKey: string; authorKey: string; year: number | null };

export function matchKeys(paper: Paper, extraDois: string[] = []): MatchKeys {
  const fromUrl = paper.url ? parseIdentifier(paper.url) : null;
  const dois = new Set<string>(extraDois);
  if (paper.doi) dois.add(paper.doi);
  if (fromUrl?.kind === 'doi') dois.add(fromUrl.doi);
  return {
    arxivId: paper.arxivId ?? (fromUrl?.kind === 'arxiv' ? fromUrl.id : undefined),
    dois: [...dois],
    pmid: paper.pmid ?? (fromUrl?.kind === 'pmid' ? fromUrl.pmid : undefined),
    pmcid: paper.pmcid ?? (fromUrl?.kind === 'pmcid' ? fromUrl.pmcid : undefined),
    titleKey: titleKey(paper.title),
    authorKey: firstAuthorKey(paper.authors),
    year: paper.year,
  };
}

/** The first author's family name, folded: `Ronneberger, Olaf` → `ronneberger`. */
function firstAuthorKey(authors: string[]): string {
  const first = authors[0] ?? '';
  const family = first.includes(',') ? (first.split(',')[0] ?? '') : (first.split(' ').pop() ?? '');
  return titleKey(family);
}

/** A resolved work as a catalog record (not yet tagged). */
export function paperFromWork(work: ResolvedWork, origin: Paper['origin'], vocabulary: Vocabulary): Paper {
  const title = cleanText(work.title);
  return {
    id: slugify(title, work.year),
    title,
    url: safeUrl(work.url),
    year: work.year,
    venue: vocabulary.normaliseVenue(work.venue),
    techniques: [],
    modalities: [],
    regions: [],
    tasks: [],
    datasets: [],
    authors: work.authors.map(cleanText).filter(Boolean),
    sources: [work.source],
    abstract: cleanText(work.abstract) || undefined,
    doi: work.doi,
    arxivId: work.arxivId,
    arxivVersion: work.arxivVersion,
    pmid: work.pmid,
    pmcid: work.pmcid,
    subjects: work.subjects.length ? work.subjects.map(cleanText) : undefined,
    inferred: [],
    origin,
  };
}

/**
 * Merges what a source says into the record already held: identifiers are united, what the record
 * lacks is filled, a journal venue replaces `arXiv`, and a newer arXiv version replaces the title,
 * abstract and authors. The record's id, its list tags and a person's corrections never change.
 */
export function mergeRecords(existing: Paper, incoming: Paper): { paper: Paper; changed: string[] } {
  const next: Paper = { ...existing };
  const changed: string[] = [];
  const set = <K extends keyof Paper>(key: K, value: Paper[K]) => {
    if (JSON.stringify(next[key]) === JSON.stringify(value)) return;
    next[key] = value;
    changed.push(key);
  };
  const newerVersion = incoming.arxivVersion !== undefined && existing.arxivId === incoming.arxivId && (existing.arxivVersion ?? 0) < incoming.arxivVersion;
  if (newerVersion) {
    set('arxivVersion', incoming.arxivVersion);
    if (incoming.title) set('title', incoming.title);
    if (incoming.abstract) set('abstract', incoming.abstract);
    if (incoming.authors.length) set('authors', incoming.authors);
  }
  for (const key of ['doi', 'arxivId', 'pmid', 'pmcid', 'abstract'] as const) {
    if (!next[key] && incoming[key]) set(key, incoming[key]);
  }
  if (!next.arxivVersion && incoming.arxivVersion && next.arxivId === incoming.arxivId) set('arxivVersion', incoming.arxivVersion);
  if (next.authors.length === 0 && incoming.authors.length) set('authors', incoming.authors);
  if (!next.url && incoming.url) set('url', incoming.url);
  if (next.year === null && incoming.year !== null) set('year', incoming.year);
  if ((!next.venue || next.venue === 'arXiv') && incoming.venue && incoming.venue !== 'arXiv') set('venue', incoming.venue);
  if (incoming.subjects?.length) {
    const subjects = [...new Set([...(next.subjects ?? []), ...incoming.subjects])];
    if (subjects.length !== (next.subjects?.length ?? 0)) set('subjects', subjects);
  }
  const sources = [...new Set([...next.sources, ...incoming.sources])];
  if (sources.length !== next.sources.length) next.sources = sources;
  return { paper: next, changed };
}
