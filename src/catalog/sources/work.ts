/** What a source says about one work, before it becomes (or merges into) a catalog record. */
export type ResolvedWork = {
  title: string;
  /** `Family, Given`, in order. */
  authors: string[];
  year: number | null;
  /** Journal or conference as the source names it; `arXiv` for a preprint with no journal. */
  venue: string;
  abstract: string;
  doi?: string;
  arxivId?: string;
  arxivVersion?: number;
  pmid?: string;
  pmcid?: string;
  /** The landing page; http(s) only. */
  url: string;
  /** arXiv categories or MeSH terms. */
  subjects: string[];
  /** arXiv's journal reference, when the preprint was published. */
  journalRef?: string;
  /** DOIs the source relates to this work as the same work in another form (preprint ↔ article). */
  sameAs: string[];
  /** Which source answered: `arxiv`, `crossref`, `pubmed`, `openalex`. */
  source: string;
};

/** A link from outside is kept only when it is http(s). */
export function safeUrl(url: string | undefined | null): string {
  if (!url) return '';
  try {
    const u = new URL(url.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : '';
  } catch {
    return '';
  }
}

/** Collapses white space and drops control characters from text a source sent. */
export function cleanText(text: string | undefined | null): string {
  return (text ?? '')
    .replace(/(?![\t\n\r])\p{Cc}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** JATS or HTML markup in a Crossref abstract or title, reduced to its text. */
export function stripMarkup(text: string | undefined | null): string {
  return cleanText((text ?? '').replace(/<jats:title>[^<]*<\/jats:title>/g, ' ').replace(/<[^>]+>/g, ' '));
}
