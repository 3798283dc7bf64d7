/**
 * The identifiers a person can paste to add a paper: arXiv ids (new and old style, with or without
 * version, `arXiv:` prefix, abs/pdf URLs), DOIs (bare, `doi:`, doi.org URLs), PubMed ids (bare,
 * `PMID:`, pubmed URLs) and PMC ids. Everything else is null: the caller says what would work.
 */
export type PaperIdentifier =
  | { kind: 'arxiv'; id: string; version?: number }
  | { kind: 'doi'; doi: string }
  | { kind: 'pmid'; pmid: string }
  | { kind: 'pmcid'; pmcid: string };

/** YYMM.NNNN (2007–2014) or YYMM.NNNNN (2015 on), month 01–12. */
const NEW_ARXIV = /^(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v(\d+))?$/;
/** archive(.CLASS)/YYMMNNN, e.g. cs/0101001, math.GT/0309136, astro-ph/0601001. */
const OLD_ARXIV = /^([a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?\/\d{2}(?:0[1-9]|1[0-2])\d{3})(?:v(\d+))?$/;
const DOI = /^10\.\d{4,9}\/\S+$/;
/** arXiv's own DOIs name the preprint: 10.48550/arXiv.2401.01234. */
const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/i;

export function parseIdentifier(raw: string): PaperIdentifier | null {
  let text = raw.trim().replace(/^<(.*)>$/, '$1').trim();
  if (!text) return null;

  if (/^https?:\/\//i.test(text)) return fromUrl(text);

  text = text.replace(/[.,;]+$/, '');
  const [, scheme, value] = text.match(/^(arxiv|doi|pmid|pmcid|pmc)\s*:\s*(.+)$/i) ?? [];
  if (scheme !== undefined && value !== undefined) {
    switch (scheme.toLowerCase()) {
      case 'arxiv':
        return arxiv(value);
      case 'doi':
        return doi(value);
      case 'pmid':
        return /^\d{1,9}$/.test(value) ? { kind: 'pmid', pmid: String(Number(value)) } : null;
      default:
        return pmc(value.startsWith('PMC') || value.startsWith('pmc') ? value : `PMC${value}`);
    }
  }
  return arxiv(text) ?? doi(text) ?? pmc(text) ?? (/^\d{1,9}$/.test(text) ? { kind: 'pmid', pmid: String(Number(text)) } : null);
}

function arxiv(text: string): PaperIdentifier | null {
  const clean = text.trim().replace(/\.pdf$/i, '');
  const [, id, version] = clean.match(NEW_ARXIV) ?? clean.match(OLD_ARXIV) ?? [];
  if (id === undefined) return null;
  return version ? { kind: 'arxiv', id, version: Number(version) } : { kind: 'arxiv', id };
}

function doi(text: string): PaperIdentifier | null {
  const clean = decodeURIComponentSafe(text.trim());
  if (!DOI.test(clean)) return null;
  const preprint = clean.match(ARXIV_DOI)?.[1];
  if (preprint !== undefined) {
    const id = arxiv(preprint);
    if (id) return id;
  }
  return { kind: 'doi', doi: normaliseDoi(clean) };
}

function pmc(text: string): PaperIdentifier | null {
  const m = text.trim().match(/^pmc(\d{1,9})$/i);
  return m ? { kind: 'pmcid', pmcid: `PMC${m[1]}` } : null;
}

function fromUrl(text: string): PaperIdentifier | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  const path = decodeURIComponentSafe(url.pathname).replace(/\/+$/, '');
  if (host === 'arxiv.org' || host.endsWith('.arxiv.org')) {
    const id = path.match(/^\/(?:abs|pdf|html)\/(.+)$/)?.[1];
    return id === undefined ? null : arxiv(id);
  }
  if (host === 'doi.org' || host === 'dx.doi.org') return doi(path.slice(1));
  if (host === 'pubmed.ncbi.nlm.nih.gov') {
    const m = path.match(/^\/(\d{1,9})$/);
    return m ? { kind: 'pmid', pmid: String(Number(m[1])) } : null;
  }
  if (host === 'ncbi.nlm.nih.gov' || host === 'pmc.ncbi.nlm.nih.gov') {
    const pubmed = path.match(/^\/pubmed\/(\d{1,9})$/);
    if (pubmed) return { kind: 'pmid', pmid: String(Number(pubmed[1])) };
    const article = path.match(/\/articles\/(PMC\d{1,9})$/i)?.[1];
    return article === undefined ? null : pmc(article);
  }
  return null;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** DOIs are case-insensitive: stored and compared in lower case. */
export function normaliseDoi(doi: string): string {
  return doi
    .trim()
    .replace(/^https?:\/\/(dx\.)?doi\.org\//i, '')
    .replace(/^doi:\s*/i, '')
    .toLowerCase();
}

/** How an identifier is written back to a person: `arXiv:2401.01234v2`, `doi:10.1/x`, `PMID 123`, `PMC123`. */
export function formatIdentifier(id: PaperIdentifier): string {
  switch (id.kind) {
    case 'arxiv':
      return `arXiv:${id.id}${id.version ? `v${id.version}` : ''}`;
    case 'doi':
      return `doi:${id.doi}`;
    case 'pmid':
      return `PMID ${id.pmid}`;
    case 'pmcid':
      return id.pmcid;
  }
}

export const IDENTIFIER_EXAMPLES = ['2401.01234', 'arXiv:cs/0101001v2', 'https://arxiv.org/abs/2401.01234', '10.7554/eLife.01567', 'https://doi.org/10.7554/eLife.01567', 'PMID:24520159', 'PMC3919599'];
