import type { Paper } from './paper.js';

/** A CSL-JSON item: the exchange format Zotero, Mendeley and citation-js all speak. */
export type CslItem = {
  id: string;
  type: string;
  title: string;
  author?: { family?: string; given?: string; literal?: string; 'non-dropping-particle'?: string }[];
  issued?: { 'date-parts': (number | string)[][] };
  'container-title'?: string;
  DOI?: string;
  PMID?: string;
  PMCID?: string;
  URL?: string;
  abstract?: string;
  keyword?: string;
  note?: string;
};

export type CitationFormat = 'bibtex' | 'ris' | 'apa' | 'csl-json';
export const CITATION_FORMATS: CitationFormat[] = ['bibtex', 'ris', 'apa', 'csl-json'];

/** A record as CSL-JSON. The arXiv id goes in `note` (`arXiv:…`), where Zotero and citation-js look for it. */
function toCsl(paper: Paper): CslItem {
  const item: CslItem = {
    id: paper.id,
    type: paper.venue === 'arXiv' || (!paper.venue && paper.arxivId) ? 'article' : 'article-journal',
    title: paper.title,
  };
  if (paper.authors.length) {
    item.author = paper.authors.map((a) => {
      const [family, given] = a.split(',').map((s) => s.trim());
      return given ? { family, given } : { literal: family };
    });
  }
  if (paper.year !== null) item.issued = { 'date-parts': [[paper.year]] };
  if (paper.venue) item['container-title'] = paper.venue;
  if (paper.doi) item.DOI = paper.doi;
  if (paper.pmid) item.PMID = paper.pmid;
  if (paper.pmcid) item.PMCID = paper.pmcid;
  if (paper.url) item.URL = paper.url;
  if (paper.abstract) item.abstract = paper.abstract;
  if (paper.arxivId) item.note = `arXiv:${paper.arxivId}`;
  const keywords = [...paper.tasks.map((t) => t.en), ...paper.regions.map((t) => t.en), ...paper.modalities, ...paper.techniques];
  if (keywords.length) item.keyword = keywords.join(', ');
  return item;
}

type CiteModule = typeof import('@citation-js/core');
let citeModule: Promise<CiteModule> | null = null;

/** citation-js and its plugins load on first use: a bot that never cites never pays for them. */
export function citationJs(): Promise<CiteModule> {
  citeModule ??= (async () => {
    const core = await import('@citation-js/core');
    await import('@citation-js/plugin-bibtex');
    await import('@citation-js/plugin-ris');
    return core;
  })();
  return citeModule;
}

/**
 * Papers as BibTeX, RIS, an APA reference list or CSL-JSON. BibTeX and RIS come from citation-js,
 * handed the records as CSL-JSON (it never fetches anything from that input). APA is written here:
 * citeproc compiles the APA style on first use, which took 2–8 s of blocked CPU on this machine, too
 * long for a chat answer, and our records are all articles, whose APA form is short.
 */
export async function formatCitations(papers: Paper[], format: CitationFormat): Promise<string> {
  const items = papers.map(toCsl);
  if (format === 'csl-json') return JSON.stringify(items, null, 2) + '\n';
  if (format === 'apa') return papers.map(apa).join('\n') + '\n';
  const { Cite } = await citationJs();
  const cite = new Cite(items);
  // The RIS of citation-js carries our internal id as ID; keep it: it is what `paperbot show` takes.
  return String(cite.format(format === 'bibtex' ? 'bibtex' : 'ris')).trim() + '\n';
}

/** `Ronneberger, O., Fischer, P., & Brox, T. (2015). Title. Venue. https://doi.org/…` (APA 7, articles). */
function apa(paper: Paper): string {
  const names = paper.authors.map((a) => {
    const [family, given = ''] = a.split(',').map((s) => s.trim());
    const initials = given
      .split(/[\s.]+/)
      .filter(Boolean)
      .map((g) => g.split('-').map((part) => `${part[0]}.`).join('-'))
      .join(' ');
    return initials ? `${family}, ${initials}` : family;
  });
  let authors = '';
  if (names.length === 1) authors = names[0] ?? '';
  else if (names.length > 1 && names.length <= 20) authors = `${names.slice(0, -1).join(', ')}, & ${names.at(-1)}`;
  else if (names.length > 20) authors = `${names.slice(0, 19).join(', ')}, … ${names.at(-1)}`;
  const year = `(${paper.year ?? 'n.d.'}).`;
  const title = /[.?!]$/.test(paper.title) ? paper.title : `${paper.title}.`;
  const venue = paper.venue ? `${paper.venue}.` : '';
  const link = paper.doi ? `https://doi.org/${paper.doi}` : paper.url;
  return [authors ? `${authors} ${year}` : `${title} ${year}`, authors ? title : '', venue, link].filter(Boolean).join(' ');
}
