import { extname } from 'node:path';
import { citationJs, type CslItem } from './citations.js';
import { normaliseDoi, parseIdentifier } from './sources/identifiers.js';
import { cleanText, safeUrl, stripMarkup, type ResolvedWork } from './sources/work.js';

/** What Zotero, Mendeley and EndNote export. */
export type LibraryFormat = 'bibtex' | 'ris' | 'csl-json';
type LibraryEntry = { line: number; work: ResolvedWork };
export type LibrarySkip = { line: number | null; reason: string };
export type ParsedLibrary = { format: LibraryFormat; entries: LibraryEntry[]; skipped: LibrarySkip[] };

export function libraryFormat(path: string, text: string): LibraryFormat | null {
  const ext = extname(path).toLowerCase();
  if (ext === '.bib' || ext === '.bibtex') return 'bibtex';
  if (ext === '.ris') return 'ris';
  if (ext === '.json' || ext === '.csljson') return 'csl-json';
  const start = text.trimStart();
  if (start.startsWith('[') || start.startsWith('{')) return 'csl-json';
  if (start.startsWith('@')) return 'bibtex';
  if (/^TY {2}- /m.test(start)) return 'ris';
  return null;
}

/**
 * Reads a library export into works, each with the line it starts on; entries that cannot become a
 * paper (unreadable, no title) are listed with their line and why. BibTeX and RIS go through
 * citation-js's plugins, one entry or record at a time so each keeps its line; CSL-JSON is JSON.
 */
export async function parseLibrary(format: LibraryFormat, rawText: string): Promise<ParsedLibrary> {
  const text = rawText.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (format === 'bibtex') return parseBib(text);
  if (format === 'ris') return parseRis(text);
  return parseCslJson(text);
}

/** Line numbers by offset, in one pass over the text. */
class Lines {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  at(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? Infinity) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

type CitationPlugins = Awaited<ReturnType<typeof citationJs>>['plugins'];

/**
 * BibTeX is read by citation-js's BibTeX plugin (already ours for RIS and export: LaTeX to Unicode,
 * name particles, BibLaTeX fields) into CSL-JSON, which becomes a work as a CSL-JSON file does. It
 * took 0.5 ms an entry here where @retorquere/bibtex-parser took 2–5 ms (its LaTeX handling goes
 * through a full LaTeX parser per field), which put a 10,000-entry import at 23 s.
 *
 * The file is read entry by entry (each chunk starts at a line beginning with `@`), which costs
 * nothing more than one call for the whole file: one broken entry cannot take its neighbours with it,
 * and every entry knows its line. A file with @string macros is read whole, since its entries
 * depend on them.
 */
async function parseBib(text: string): Promise<ParsedLibrary> {
  const { plugins } = await citationJs();
  const out: ParsedLibrary = { format: 'bibtex', entries: [], skipped: [] };
  if (/^\s*@string\s*[{(]/im.test(text)) {
    readBibChunk(plugins, out, text, 1);
    return out;
  }
  const lines = text.split('\n');
  let start = 0;
  const flush = (end: number) => {
    const chunk = lines.slice(start, end).join('\n');
    if (chunk.trim()) readBibChunk(plugins, out, chunk, start + 1);
  };
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]?.startsWith('@')) {
      flush(i);
      start = i;
    }
  }
  flush(lines.length);
  out.skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return out;
}

/** The entries of one chunk of a BibTeX file; `firstLine` is the file's line number of its first line. */
function readBibChunk(plugins: CitationPlugins, out: ParsedLibrary, chunk: string, firstLine: number): void {
  let items: (CslItem & Record<string, unknown>)[];
  try {
    items = plugins.input.chain(chunk, { forceType: '@biblatex/text', generateGraph: false }) as (CslItem & Record<string, unknown>)[];
  } catch (error) {
    const message = String((error as Error).message ?? error);
    out.skipped.push({ line: firstLine + (lineIn(message) ?? 1) - 1, reason: `unreadable BibTeX: ${message.split('\n')[0]?.slice(0, 120)}` });
    return;
  }
  const lines = new Lines(chunk);
  const starts = entryStarts(chunk);
  for (const item of items) {
    const key = String(item['citation-key'] ?? item.id ?? '');
    const start = starts.get(key);
    const line = firstLine + (start === undefined ? 0 : lines.at(start) - 1);
    const work = workFromCsl(item, arxivEprint(items.length > 1 ? entryText(chunk, start) : chunk));
    if (work) out.entries.push({ line, work });
    else out.skipped.push({ line, reason: `entry ${key} has no title` });
  }
}

/** The text of the entry starting at `start` in a chunk holding several (a file with @string macros). */
function entryText(chunk: string, start: number | undefined): string {
  if (start === undefined) return '';
  const next = chunk.indexOf('\n@', start + 1);
  return chunk.slice(start, next < 0 ? undefined : next);
}

/** `eprint = {…}` of an arXiv entry: citation-js keeps it only for some entry types. */
function arxivEprint(entry: string): string | undefined {
  const eprint = /\beprint\s*=\s*[{"]\s*([^}"]+?)\s*[}"]/i.exec(entry)?.[1];
  if (!eprint) return undefined;
  const kind = /\b(?:archiveprefix|eprinttype)\s*=\s*[{"]\s*([^}"]+?)\s*[}"]/i.exec(entry)?.[1];
  return !kind || /arxiv/i.test(kind) ? eprint : undefined;
}

async function parseRis(text: string): Promise<ParsedLibrary> {
  const { plugins } = await citationJs();
  const entries: LibraryEntry[] = [];
  const skipped: LibrarySkip[] = [];
  const rows = text.split('\n');
  let start = -1;
  for (const [i, row] of rows.entries()) {
    if (/^TY {2}-/.test(row)) {
      if (start >= 0) skipped.push({ line: start + 1, reason: 'RIS record without its closing ER line' });
      start = i;
    } else if (/^ER {2}-/.test(row)) {
      if (start < 0) {
        skipped.push({ line: i + 1, reason: 'ER line without a TY line before it' });
        continue;
      }
      const record = rows.slice(start, i + 1).join('\n') + '\n';
      addCsl(entries, skipped, start + 1, () => plugins.input.chain(record, { forceType: '@ris/file', generateGraph: false }) as CslItem[]);
      start = -1;
    } else if (start < 0 && row.trim() && !/^[A-Z][A-Z0-9] {2}-/.test(row)) {
      // Text between records: ignored, as reference managers do.
    }
  }
  if (start >= 0) skipped.push({ line: start + 1, reason: 'RIS record without its closing ER line (file cut off?)' });
  return { format: 'ris', entries, skipped };
}

function parseCslJson(text: string): ParsedLibrary {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { format: 'csl-json', entries: [], skipped: [{ line: jsonErrorLine(text, error), reason: `CSL-JSON does not parse: ${(error as Error).message}` }] };
  }
  const items = Array.isArray(data) ? data : [data];
  const starts = topLevelObjectLines(text, Array.isArray(data));
  const entries: LibraryEntry[] = [];
  const skipped: LibrarySkip[] = [];
  items.forEach((item, i) => {
    const line = starts[i] ?? null;
    if (!item || typeof item !== 'object') {
      skipped.push({ line, reason: 'not a CSL-JSON item (an object)' });
      return;
    }
    addCsl(entries, skipped, line ?? 0, () => [item as CslItem]);
  });
  return { format: 'csl-json', entries, skipped };
}

function addCsl(entries: LibraryEntry[], skipped: LibrarySkip[], line: number, read: () => CslItem[]): void {
  let items: CslItem[];
  try {
    items = read();
  } catch (error) {
    skipped.push({ line, reason: `unreadable record: ${(error as Error).message.slice(0, 120)}` });
    return;
  }
  for (const item of items) {
    const work = workFromCsl(item);
    if (work) entries.push({ line, work });
    else skipped.push({ line, reason: 'record has no title' });
  }
}

/**
 * A CSL-JSON item (from a CSL-JSON file, citation-js's reading of BibTeX or RIS, or DOI content
 * negotiation) as a work; null without a title.
 */
export function workFromCsl(item: CslItem & Record<string, unknown>, eprint?: string, source = 'import'): ResolvedWork | null {
  const title = stripMarkup(typeof item.title === 'string' ? item.title : '');
  if (!title) return null;
  const authors = (Array.isArray(item.author) ? item.author : [])
    .map((a) => {
      // `van Ginneken, Bram`: the particle stays with the family name, as BibTeX writes it.
      const family = [a['non-dropping-particle'], a.family].filter(Boolean).join(' ');
      return a.family ? [family, a.given].filter(Boolean).join(', ') : (a.literal ?? '');
    })
    .map(cleanText)
    .filter(Boolean);
  const dateParts = item.issued?.['date-parts']?.[0];
  const note = typeof item.note === 'string' ? item.note : '';
  const url = typeof item.URL === 'string' ? item.URL : '';
  return {
    title,
    authors,
    year: yearOf(dateParts?.[0] !== undefined ? String(dateParts[0]) : undefined),
    venue: stripMarkup(typeof item['container-title'] === 'string' ? item['container-title'] : ''),
    abstract: stripMarkup(typeof item.abstract === 'string' ? item.abstract : ''),
    doi: doiOf(typeof item.DOI === 'string' ? item.DOI : undefined) ?? doiOf(parseIdentifier(url)?.kind === 'doi' ? url : undefined),
    arxivId: arxivOf(eprint, note.match(/arXiv:\s*(\S+)/i)?.[1], url, typeof item.number === 'string' ? item.number : undefined),
    pmid: typeof item.PMID === 'string' && /^\d{1,9}$/.test(item.PMID) ? item.PMID : undefined,
    pmcid: typeof item.PMCID === 'string' && /^PMC\d+$/i.test(item.PMCID) ? item.PMCID.toUpperCase() : undefined,
    url: safeUrl(url.startsWith('//') ? `https:${url}` : url),
    subjects: typeof item.keyword === 'string' ? item.keyword.split(/[,;]/).map(cleanText).filter(Boolean).slice(0, 30) : [],
    sameAs: [],
    source,
  };
}

/** A full DOI (`10.1234/x`, also as a URL); short DOIs (`10/abc`) cannot be matched and are dropped. */
function doiOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const doi = normaliseDoi(raw);
  return /^10\.\d{4,9}\/\S+$/.test(doi) ? doi : undefined;
}

function arxivOf(...candidates: (string | undefined)[]): string | undefined {
  for (const c of candidates) {
    if (!c) continue;
    const id = parseIdentifier(c.trim());
    if (id?.kind === 'arxiv') return id.id;
  }
  return undefined;
}

function yearOf(text: string | undefined): number | null {
  const m = (text ?? '').match(/\b(1[89]\d{2}|20\d{2})\b/);
  return m ? Number(m[1]) : null;
}

function lineIn(message: string): number | null {
  const m = /line (\d+)/.exec(message);
  return m ? Number(m[1]) : null;
}

/** Where each entry key starts (`@type{key,`), first occurrence; one pass with one compiled pattern. */
function entryStarts(text: string): Map<string, number> {
  const starts = new Map<string, number>();
  for (const m of text.matchAll(/@\w+\s*[{(]\s*([^\s,{}()]+)\s*,/g)) if (m[1] !== undefined && !starts.has(m[1])) starts.set(m[1], m.index);
  return starts;
}

function jsonErrorLine(text: string, error: unknown): number | null {
  const m = /position (\d+)/.exec(String((error as Error).message));
  return m ? new Lines(text).at(Number(m[1])) : null;
}

/** The line each top-level object starts on (inside the array when `inArray`), skipping strings. */
function topLevelObjectLines(text: string, inArray: boolean): number[] {
  const out: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  const target = inArray ? 1 : 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (ch === '{' && depth === target) out.push(line);
      depth++;
    } else if (ch === '}' || ch === ']') depth--;
  }
  return out;
}
