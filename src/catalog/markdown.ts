import { marked, type Token, type Tokens } from 'marked';
import type { Vocabulary } from './vocabulary.js';
import { hasHan } from '../i18n/index.js';

export type Problem = { line: number | null; message: string };

type Link = { text: string; href: string };

/** One table cell: its plain text, and the links it holds with the text around them. */
export type Cell = { text: string; links: Link[]; before: string; after: string };

type Column = 'technique' | 'modality' | 'area' | 'title' | 'datasets' | 'venue' | 'year';

export type ListRow = {
  line: number;
  /** The heading the table sits under, as written (a task section). */
  section: string;
  cells: Partial<Record<Column, Cell>>;
};

/** A paper named in a bullet list (the list's "Deep Learning Techniques" sections). */
type BulletPaper = { line: number; section: string; title: string; url: string };

export type ParsedList = {
  file: string;
  lang: 'en' | 'zh';
  rows: ListRow[];
  bullets: BulletPaper[];
  problems: Problem[];
};

const REQUIRED: Column[] = ['title'];

/**
 * Reads a paper list in the upstream markdown format with marked's GFM lexer: tables under task
 * headings, one paper per row. Problems (a table without a title column, an empty title, a year
 * that is not a year, a row that fell out of its table) are collected with their line numbers.
 */
export function parseList(file: string, rawSource: string, vocabulary: Vocabulary): ParsedList {
  const source = rawSource.replace(/\r\n?/g, '\n');
  const tooDeep = tooDeeplyNested(source);
  if (tooDeep) return { file, lang: 'en', rows: [], bullets: [], problems: [tooDeep] };
  let tokens: Token[];
  try {
    tokens = marked.lexer(source, { gfm: true });
  } catch (error) {
    // Whatever else breaks the lexer is still a problem of this file, reported like the others.
    return { file, lang: 'en', rows: [], bullets: [], problems: [{ line: null, message: `markdown cannot be parsed: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const problems: Problem[] = [];
  const rows: ListRow[] = [];
  const bullets: BulletPaper[] = [];
  let section = '';
  let offset = 0;
  let headerHan = 0;
  let headerLatin = 0;

  for (const token of tokens) {
    const at = source.indexOf(token.raw, offset);
    const start = at >= 0 ? at : offset;
    offset = start + token.raw.length;
    const line = lineAt(source, start) + leadingBlankLines(token.raw);

    if (token.type === 'heading') {
      section = (token as Tokens.Heading).text.trim();
    } else if (token.type === 'table') {
      const table = token as Tokens.Table;
      const columns = table.header.map((h) => vocabulary.columns.get(vocabulary.tokens(h.text, false).join(' ')) as Column | undefined);
      for (const h of table.header) (hasHan(h.text) ? headerHan++ : headerLatin++);
      const missing = REQUIRED.filter((c) => !columns.includes(c));
      if (missing.length > 0) {
        problems.push({ line, message: `table has no ${missing.join(', ')} column (headers: ${table.header.map((h) => h.text.trim()).join(' | ')})` });
        continue;
      }
      table.rows.forEach((cells, i) => {
        const rowLine = line + 2 + i;
        const row: ListRow = { line: rowLine, section, cells: {} };
        cells.forEach((cell, c) => {
          const column = columns[c];
          if (column && !row.cells[column]) row.cells[column] = readCell(cell.tokens);
        });
        const title = row.cells.title;
        if (!title || !titleOf(title)) {
          problems.push({ line: rowLine, message: 'row has no paper title' });
          return;
        }
        const year = row.cells.year?.text.trim() ?? '';
        if (year && !/^(19|20)\d\d$/.test(year)) {
          problems.push({ line: rowLine, message: `year "${year}" is not a four-digit year` });
          return;
        }
        rows.push(row);
      });
    } else if (token.type === 'list') {
      for (const item of (token as Tokens.List).items) {
        const link = findLink(item.tokens);
        if (link && link.text.trim()) bullets.push({ line: line + lineAt(token.raw, Math.max(0, token.raw.indexOf(item.raw))) - 1, section, title: link.text.trim(), url: link.href });
      }
    } else if (token.type === 'paragraph') {
      // A row that lost its table (broken delimiter row, stray line): marked reads it as text.
      const lines = token.raw.split('\n');
      const stray = lines.findIndex((l) => /^\s*\|.*\|/.test(l) || (/^\s*\|/.test(l) && l.split('|').length > 3));
      if (stray >= 0) problems.push({ line: line + stray, message: 'line looks like a table row but is not part of a table (check the header and delimiter rows above it)' });
    }
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ line: null, message: 'no paper table found (expected markdown tables with a title column under task headings)' });
  return { file, lang: headerHan > headerLatin ? 'zh' : 'en', rows, bullets, problems };
}

/** Block quotes and list indentation deeper than any paper list needs; marked recurses once per level. */
const MAX_QUOTE_DEPTH = 32;
const MAX_INDENT = 128;

/** marked overflows the stack on thousands of nested `>`: such a line is refused before lexing, with its number. */
function tooDeeplyNested(source: string): Problem | null {
  const lines = source.split('\n');
  for (const [i, line] of lines.entries()) {
    const quotes = /^(?:[ \t]*>)+/.exec(line);
    const depth = quotes ? (quotes[0].match(/>/g) ?? []).length : 0;
    if (depth > MAX_QUOTE_DEPTH) return { line: i + 1, message: `block quotes nested ${depth} deep; at most ${MAX_QUOTE_DEPTH} are read` };
    const indent = /^[ \t]*/.exec(line)![0].length;
    if (indent > MAX_INDENT) return { line: i + 1, message: `line indented ${indent} characters (nested too deep); at most ${MAX_INDENT} are read` };
  }
  return null;
}

/** The paper title: the cell's text before its first link (`Title [[pdf]](url)`), trimmed. */
export function titleOf(cell: Cell): string {
  return (cell.links.length > 0 ? cell.before : cell.text).replace(/\s+/g, ' ').trim();
}

function readCell(tokens: Token[]): Cell {
  const links: Link[] = [];
  let before = '';
  let after = '';
  let text = '';
  const walk = (list: Token[]) => {
    for (const t of list) {
      if (t.type === 'link') {
        const link = t as Tokens.Link;
        links.push({ text: link.text.replace(/^\[+|\]+$/g, '').trim(), href: link.href.trim() });
        text += link.text;
      } else if ('tokens' in t && Array.isArray(t.tokens) && t.type !== 'codespan') {
        walk(t.tokens as Token[]);
      } else {
        const piece = 'text' in t && typeof t.text === 'string' ? decodeEntities(t.text) : t.raw;
        text += piece;
        if (links.length === 0) before += piece;
        else after += piece;
      }
    }
  };
  walk(tokens);
  return { text: text.trim(), links, before, after };
}

function findLink(tokens: Token[]): Link | null {
  for (const t of tokens) {
    if (t.type === 'link') return { text: (t as Tokens.Link).text, href: (t as Tokens.Link).href.trim() };
    if ('tokens' in t && Array.isArray(t.tokens)) {
      const inner = findLink(t.tokens as Token[]);
      if (inner) return inner;
    }
  }
  return null;
}

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function leadingBlankLines(raw: string): number {
  const m = /^(\s*\n)*/.exec(raw);
  return m ? (m[0].match(/\n/g) ?? []).length : 0;
}
