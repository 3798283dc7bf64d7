import { parse, type Creator } from '@retorquere/bibtex-parser';
import type { Problem } from './markdown.js';

export type BibEntry = {
  key: string;
  /** Where the entry starts; null only when neither the parser nor a search can place it. */
  line: number | null;
  title: string;
  /** `Family, Given` as BibTeX gives them. */
  authors: string[];
  year: number | null;
  /** Journal or book title as written; the importer normalises it. */
  venue: string;
  url: string;
};

export type ParsedBib = { file: string; entries: BibEntry[]; problems: Problem[] };

/** Reads a BibTeX file with @retorquere/bibtex-parser; entries it cannot parse become problems with their line. */
export function parseBib(file: string, rawSource: string): ParsedBib {
  const source = rawSource.replace(/\r\n?/g, '\n');
  const problems: Problem[] = [];
  let library: ReturnType<typeof parse>;
  try {
    library = parse(source, { sentenceCase: false });
  } catch (error) {
    return { file, entries: [], problems: [{ line: lineOfMessage(error), message: `BibTeX cannot be read: ${(error as Error).message}` }] };
  }
  for (const e of library.errors) {
    const line = lineOfMessage(e.error) ?? lineOfInput(source, e.input) ?? lineOfInput(source, e.input?.split('\n')[0]);
    problems.push({ line, message: `BibTeX entry cannot be read: ${e.error.replace(/\s+/g, ' ').slice(0, 160)}` });
  }
  const entries: BibEntry[] = [];
  for (const entry of library.entries) {
    const line = lineOfInput(source, entry.input) ?? lineOfKey(source, entry.key);
    const f = entry.fields;
    const title = stripMarkup(f.title ?? '');
    if (!title) {
      problems.push({ line, message: `BibTeX entry ${entry.key} has no title` });
      continue;
    }
    const yearText = (f.year ?? '').trim();
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : null;
    if (yearText && year === null) problems.push({ line, message: `BibTeX entry ${entry.key}: year "${yearText}" is not a four-digit year` });
    entries.push({
      key: entry.key,
      line,
      title,
      authors: (f.author ?? []).map(formatCreator).filter(Boolean),
      year,
      venue: stripMarkup(f.journal ?? f.booktitle ?? ''),
      url: (f.url ?? '').trim(),
    });
  }
  return { file, entries, problems };
}

function formatCreator(c: Creator): string {
  if (c.name) return c.name;
  const family = [c.prefix, c.lastName].filter(Boolean).join(' ');
  return c.firstName ? `${family}, ${c.firstName}` : family;
}

function stripMarkup(text: string): string {
  return text.replace(/<\/?[a-z][^>]*>/gi, '').replace(/\s+/g, ' ').trim();
}

/** The line a parser message names; "line 0" is no line. */
function lineOfMessage(message: unknown): number | null {
  const m = /line (\d+)/.exec(String(message));
  return m && Number(m[1]) >= 1 ? Number(m[1]) : null;
}

/** The line of `@type{key,` when the parser's copy of the entry is not found verbatim (an unclosed entry). */
function lineOfKey(source: string, key: string): number | null {
  if (!key) return null;
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`@\\w+\\s*[{(]\\s*${escaped}\\s*,`).exec(source);
  return m ? source.slice(0, m.index).split('\n').length : null;
}

function lineOfInput(source: string, input: string | undefined): number | null {
  if (!input) return null;
  const at = source.indexOf(input.trimStart().slice(0, 200));
  if (at < 0) return null;
  return source.slice(0, at).split('\n').length;
}
