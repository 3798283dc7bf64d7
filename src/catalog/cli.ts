import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CatalogService } from './service.js';
import { CITATION_FORMATS, formatCitations, type CitationFormat } from './citations.js';
import { libraryFormat, parseLibrary, type LibrarySkip } from './library.js';
import { IDENTIFIER_EXAMPLES } from './sources/identifiers.js';

/** The terminal a catalog command talks to; `progress` is true when stderr is a terminal. */
export type CatalogIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  progress: boolean;
};

/** A one-line progress bar on stderr, redrawn in place; nothing at all when stderr is not a terminal. */
function progressBar(io: CatalogIo, label: string): { update(done: number, total: number): void; end(): void } {
  let last = -1;
  let drawn = false;
  return {
    update(done, total) {
      if (!io.progress || total === 0) return;
      const percent = Math.floor((done / total) * 100);
      if (percent === last && done !== total) return;
      last = percent;
      const width = 30;
      const filled = Math.round((done / total) * width);
      io.stderr(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    end() {
      if (drawn) io.stderr('\n');
    },
  };
}

const USAGE = {
  add: `usage: paperbot add <identifier…> [--json]   e.g. paperbot add ${IDENTIFIER_EXAMPLES.slice(0, 3).join(' ')}`,
  import: 'usage: paperbot import <file.bib|file.ris|file.json> [--json]',
  export: 'usage: paperbot export --format bibtex|ris|csl-json [--output <file>]',
};

/** `paperbot add`: prints the papers added or merged (as `search --json` with --json); exit 1 when none could be added. */
export async function addCli(args: string[], catalog: CatalogService, io: CatalogIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals.length === 0) {
    io.stderr(`paperbot: ${USAGE.add}\n`);
    return 2;
  }
  const bar = progressBar(io, 'resolving');
  bar.update(0, positionals.length);
  const report = await catalog.addIdentifiers(positionals, 'cli');
  bar.update(positionals.length, positionals.length);
  bar.end();
  for (const f of report.failures) io.stderr(`paperbot: ${f.identifier}: ${f.error.detail}\n`);
  if (values.json) io.stdout(JSON.stringify(report.outcomes.map((o) => o.paper), null, 2) + '\n');
  else for (const o of report.outcomes) io.stdout(`${o.merged ? 'merged' : 'added '}  ${o.paper.id}  ${o.paper.title}\n`);
  return report.outcomes.length > 0 ? 0 : 1;
}

/** `paperbot import`: adds the good entries of a library export, lists the rest with their lines. */
export async function importCli(args: string[], catalog: CatalogService, io: CatalogIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const [file] = positionals;
  if (!file || positionals.length > 1) {
    io.stderr(`paperbot: ${USAGE.import}\n`);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    io.stderr(`paperbot: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).\n`);
    return 1;
  }
  const format = libraryFormat(file, text);
  if (!format) {
    io.stderr(`paperbot: ${file} is not BibTeX (.bib), RIS (.ris) or CSL-JSON (.json). Export from Zotero, Mendeley or EndNote in one of those.\n`);
    return 1;
  }
  const summary = await importLibrary(catalog, format, text, io);
  const skipped = summary.skipped.map((s) => `${file}${s.line === null ? '' : `:${s.line}`}: skipped: ${s.reason}`);
  if (values.json) io.stdout(JSON.stringify({ format, added: summary.added, merged: summary.merged, skipped: summary.skipped }, null, 2) + '\n');
  else {
    io.stdout(`${file} (${format}): ${summary.added.length} added, ${summary.merged.length} merged, ${summary.skipped.length} skipped\n`);
    for (const line of skipped) io.stdout(line + '\n');
  }
  return summary.added.length + summary.merged.length > 0 || summary.skipped.length === 0 ? 0 : 1;
}

export type ImportSummary = { added: string[]; merged: string[]; skipped: LibrarySkip[] };

/** Parses and adds a library; shared by the CLI and the benchmark. */
export async function importLibrary(catalog: CatalogService, format: Parameters<typeof parseLibrary>[0], text: string, io?: CatalogIo): Promise<ImportSummary> {
  const parsed = await parseLibrary(format, text);
  const summary: ImportSummary = { added: [], merged: [], skipped: [...parsed.skipped] };
  const bar = io ? progressBar(io, 'importing') : null;
  const outcomes = await catalog.addWorks(
    parsed.entries.map((e) => e.work),
    'imported',
    (done, total) => bar?.update(done, total),
  );
  bar?.end();
  outcomes.forEach((outcome, i) => {
    if ('error' in outcome) summary.skipped.push({ line: parsed.entries[i]?.line ?? null, reason: outcome.error });
    else (outcome.merged ? summary.merged : summary.added).push(outcome.paper.id);
  });
  summary.skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return summary;
}

/** `paperbot export`: the whole shown catalog as BibTeX, RIS or CSL-JSON. */
export async function exportCli(args: string[], catalog: CatalogService, io: CatalogIo): Promise<number> {
  const { values } = parseArgs({ args, options: { format: { type: 'string' }, output: { type: 'string' } }, allowPositionals: false, strict: true });
  const format = values.format as CitationFormat | undefined;
  if (!format || !CITATION_FORMATS.includes(format) || format === 'apa') {
    io.stderr(`paperbot: ${USAGE.export}\n`);
    return 2;
  }
  const text = await formatCitations(catalog.live.papers(), format);
  if (values.output) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(values.output, text);
    io.stderr(`wrote ${catalog.live.papers().length} papers to ${values.output}\n`);
  } else io.stdout(text);
  return 0;
}

/** `paperbot enrich`: fills what records lack, with progress and a report of every change. */
export async function enrichCli(args: string[], catalog: CatalogService, io: CatalogIo): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: false, strict: true });
  const lacking = catalog.lacking();
  const bar = progressBar(io, 'enriching');
  const report = await catalog.enrich(lacking, (done, total) => bar.update(done, total));
  bar.end();
  if (values.json) {
    io.stdout(JSON.stringify({ ...report, failures: report.failures.map((f) => ({ identifier: f.identifier, detail: f.error.detail })) }, null, 2) + '\n');
    return 0;
  }
  io.stdout(`${lacking.length} papers lacked something: ${report.changes.length} enriched, ${report.unchanged} unchanged, ${report.noIdentifier.length} with neither an identifier nor a confident title match, ${report.duplicates.length} matching another record, ${report.failures.length} failed\n`);
  for (const c of report.changes) io.stdout(`  ${c.id} (${c.identifier}): filled ${c.changed.join(', ')}\n`);
  for (const d of report.duplicates) io.stdout(`  ${d.id}: Crossref's match by title is already the record ${d.of} (not changed; remove one of them)\n`);
  for (const f of report.failures) io.stdout(`  ${f.identifier}: ${f.error.detail}\n`);
  return 0;
}
