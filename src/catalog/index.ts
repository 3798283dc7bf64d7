import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Paper } from './paper.js';
import type { ParsedList, Problem } from './markdown.js';
import type { ParsedBib } from './bibtex.js';
import type { AppliedCorrection } from './build.js';
import { bundledVocabulary, VOCABULARY_PATH, type Vocabulary } from './vocabulary.js';
import { applyCorrections, CORRECTIONS_PATH, loadCorrections, type CorrectionReport } from './corrections.js';
import { titleKey } from './tokens.js';
import { CatalogError } from '../errors.js';

export type { Problem } from './markdown.js';

export type Catalog = {
  papers: Paper[];
  /** The vocabulary the records were labelled with; the search uses the bundled one when absent. */
  vocabulary?: Vocabulary;
  /** Cells of a translation that disagree with the reference and that no known correction explains. */
  warnings?: string[];
  /** Known mistranslations the importer replaced with the English reference. */
  corrections?: AppliedCorrection[];
  /** The reviewed corrections of the published list (data/corrections.json): applied, or why not. */
  listCorrections?: CorrectionReport[];
  /** `cache` when the records came from the import cache instead of the parsers. */
  origin?: 'parsed' | 'cache';
};

export type CatalogOptions = {
  extraSources?: string[];
  /** Reuse the last import of exactly these files (default true); false always parses. */
  cache?: boolean;
};

/**
 * Parsing the list and the BibTeX costs about half a second cold (the BibTeX parser converts LaTeX),
 * far over the start-up budget, so a successful import is kept in node_modules/.cache, keyed by a
 * hash of every source, the vocabulary and the importer's own code: any change re-imports.
 */
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/paperbot/', import.meta.url));
const IMPORTER_FILES = ['index.ts', 'build.ts', 'markdown.ts', 'bibtex.ts', 'tokens.ts', 'vocabulary.ts', 'paper.ts', 'corrections.ts'].map((f) => new URL(f, import.meta.url));

const DATA = new URL('../../data/upstream/', import.meta.url);

/**
 * The largest source read, by kind. The BibTeX parser converts LaTeX and takes about 15 s a MB, and
 * a 50 MB file never finishes; a paper list in the bundled format is about 20 KB. A lab's exports
 * fit well inside these; a larger file is refused before it is read.
 */
export const MAX_SOURCE_BYTES = { bib: 1024 * 1024, list: 4 * 1024 * 1024 } as const;

/** The bundled list: English reference, its Chinese translation (row for row), and the BibTeX for authors. */
const BUNDLED_SOURCES = {
  reference: fileURLToPath(new URL('README.md', DATA)),
  translation: fileURLToPath(new URL('README_Simplified_Chinese.md', DATA)),
  bibtex: fileURLToPath(new URL('DLMA.bib', DATA)),
} as const;

/**
 * Builds the catalog from the bundled list (data/upstream) and any extra sources (markdown lists
 * in the same format, or .bib files). A source with a problem stops the load with a CatalogError
 * naming the file and line: the bot does not start on a broken catalog.
 */
export async function loadCatalog(options: CatalogOptions = {}): Promise<Catalog> {
  const extra = options.extraSources ?? [];
  const useCache = options.cache !== false;
  const key = useCache ? await fingerprint([BUNDLED_SOURCES.reference, BUNDLED_SOURCES.translation, BUNDLED_SOURCES.bibtex, ...extra]) : null;
  if (key) {
    const cached = await readCache(key);
    if (cached) return { ...cached, vocabulary: bundledVocabulary(), origin: 'cache' };
  }
  const catalog = await importSources(extra);
  if (key) await writeCache(key, catalog);
  return catalog;
}

async function importSources(extraSources: string[]): Promise<Catalog> {
  const { CatalogBuilder } = await import('./build.js');
  const vocabulary = bundledVocabulary();
  const builder = new CatalogBuilder(vocabulary);
  const reference = orThrow(await readList(BUNDLED_SOURCES.reference, vocabulary));
  const translation = orThrow(await readList(BUNDLED_SOURCES.translation, vocabulary));
  builder.addTranslatedPair(reference, translation);
  builder.addBullets(reference);
  builder.addBullets(translation);
  builder.addBib(orThrow(await readBib(BUNDLED_SOURCES.bibtex)), 'enrich');
  for (const source of extraSources) {
    if (isBib(source)) builder.addBib(orThrow(await readBib(source)), 'add');
    else {
      const list = orThrow(await readList(source, vocabulary));
      builder.addList(list);
      builder.addBullets(list);
    }
  }
  // The published list's own errors, corrected from reviewed data after every source is read, so ids stay those of the list.
  const corrected = applyCorrections(builder.papers(), loadCorrections(), vocabulary);
  return { papers: corrected.papers, vocabulary, warnings: builder.warnings, corrections: builder.corrections, listCorrections: corrected.report, origin: 'parsed' };
}

type CachedCatalog = Pick<Catalog, 'papers' | 'warnings' | 'corrections' | 'listCorrections'>;

/** A hash of the sources' paths and bytes, the vocabulary and the importer; null if a file cannot be read (the import reports it). */
async function fingerprint(sources: string[]): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for (const file of [VOCABULARY_PATH, CORRECTIONS_PATH, ...IMPORTER_FILES]) hash.update(await readFile(file));
    for (const source of sources) {
      hash.update(`\u0000${display(source)}\u0000`);
      hash.update(await readFile(source));
    }
  } catch {
    return null;
  }
  return hash.digest('hex').slice(0, 32);
}

async function readCache(key: string): Promise<CachedCatalog | null> {
  try {
    const cached = JSON.parse(await readFile(join(CACHE_DIR, `catalog-${key}.json`), 'utf8')) as CachedCatalog;
    return Array.isArray(cached.papers) ? cached : null;
  } catch {
    return null;
  }
}

/** Best effort: a read-only install simply parses every time. */
async function writeCache(key: string, catalog: Catalog): Promise<void> {
  try {
    await mkdir(CACHE_DIR, { recursive: true });
    const file = join(CACHE_DIR, `catalog-${key}.json`);
    const temp = `${file}.${process.pid}.tmp`;
    const data: CachedCatalog = { papers: catalog.papers, warnings: catalog.warnings, corrections: catalog.corrections, listCorrections: catalog.listCorrections };
    await writeFile(temp, JSON.stringify(data));
    await rename(temp, file);
    // Only the newest import is worth keeping: an older key belongs to sources or code that changed.
    for (const name of await readdir(CACHE_DIR)) {
      if (name.startsWith('catalog-') && name !== `catalog-${key}.json` && !name.endsWith('.tmp')) await rm(join(CACHE_DIR, name), { force: true });
    }
  } catch {
    // ignored: the cache only saves time
  }
}

/**
 * Checks one list or BibTeX file without loading the bot (`paperbot validate <file>`): every
 * problem with its line, and how many distinct papers the file holds.
 */
export async function validateSource(path: string): Promise<{ problems: Problem[]; papers: number; warnings: string[] }> {
  const failed = (message: string) => ({ problems: [{ line: null, message }], papers: 0, warnings: [] });
  let text: string;
  try {
    text = await readSource(path);
  } catch (error) {
    return failed(error instanceof CatalogError ? error.detail : String(error));
  }
  const { CatalogBuilder } = await import('./build.js');
  const builder = new CatalogBuilder(bundledVocabulary());
  if (isBib(path)) {
    const { parseBib } = await import('./bibtex.js');
    const bib = parseBib(path, text);
    builder.addBib(bib, 'add');
    return { problems: bib.problems, papers: new Set(bib.entries.map((e) => titleKey(e.title))).size, warnings: builder.warnings };
  }
  if (!['.md', '.markdown', '.txt', ''].includes(extname(path).toLowerCase())) {
    return failed(`unsupported file type "${extname(path)}": give a markdown list (.md) or a BibTeX file (.bib)`);
  }
  const { parseList } = await import('./markdown.js');
  const list = parseList(path, text, bundledVocabulary());
  builder.addList(list);
  builder.addBullets(list);
  const titles = new Set(list.rows.map((r) => titleKey(r.cells.title!.before || r.cells.title!.text)));
  return { problems: list.problems, papers: titles.size, warnings: builder.warnings };
}

function isBib(path: string): boolean {
  return extname(path).toLowerCase() === '.bib';
}

async function readSource(path: string): Promise<string> {
  const cap = isBib(path) ? MAX_SOURCE_BYTES.bib : MAX_SOURCE_BYTES.list;
  try {
    const { size } = await stat(path);
    if (size > cap) {
      throw new CatalogError(display(path), null, `is ${megabytes(size)} MB; a ${isBib(path) ? 'BibTeX file' : 'paper list'} may be at most ${megabytes(cap)} MB (split it, or leave out fields paperbot does not read, such as abstracts)`);
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof CatalogError) throw error;
    throw new CatalogError(display(path), null, `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

const megabytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

// The parsers load on demand: a start-up served from the cache never loads marked or the BibTeX parser.
async function readList(path: string, vocabulary: Vocabulary): Promise<ParsedList> {
  const { parseList } = await import('./markdown.js');
  return parseList(display(path), await readSource(path), vocabulary);
}

async function readBib(path: string): Promise<ParsedBib> {
  const { parseBib } = await import('./bibtex.js');
  return parseBib(display(path), await readSource(path));
}

function orThrow<T extends { file: string; problems: Problem[] }>(parsed: T): T {
  const first = parsed.problems[0];
  if (first) {
    const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more problem${parsed.problems.length > 2 ? 's' : ''}; run paperbot validate ${parsed.file})` : '';
    throw new CatalogError(parsed.file, first.line, first.message + more);
  }
  return parsed;
}

/** Paths relative to the working directory read better in errors and in a record's `sources`. */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
