import { loadCatalog, validateSource } from '../../src/catalog/index.js';
import { paperDetailLines } from '../../src/cards.js';
import { loadConfig } from '../../src/config.js';
import { UserError } from '../../src/errors.js';
import { createSearch } from '../../src/search/index.js';
import { cleanInput } from '../../src/text.js';
import { existsSync } from 'node:fs';
import { createPaperbot } from '../../src/app.js';
import type { Paper } from '../../src/catalog/paper.js';
import type { PaperSearch } from '../../src/search/types.js';
import { loadSettings } from '../settings.js';
import { loggerFor, options, type Io } from './io.js';

/** The CLI's commands over the catalog: no chat platform; the database only when one exists. */

async function configuredCatalog(io: Io) {
  return loadCatalog({ extraSources: loadConfig(io.env).extraSources });
}

/**
 * The catalog as the bot sees it: the stored one (the list plus what people added) when the state
 * database exists (PostgreSQL, or the SQLite file); the bundled list alone otherwise, so a search
 * never creates a SQLite file.
 */
async function storedCatalog(io: Io): Promise<{ search: PaperSearch; papers: Paper[] }> {
  const settings = loadSettings(io.env);
  // With DATABASE_URL the stored catalog is PostgreSQL's, whatever the file.
  if (!settings.databaseUrl && settings.dbPath !== ':memory:' && !existsSync(settings.dbPath)) {
    const catalog = await configuredCatalog(io);
    return { search: createSearch(catalog), papers: catalog.papers };
  }
  const paperbot = await createPaperbot({ config: settings, log: loggerFor(settings), listen: false });
  const papers = paperbot.services.papers;
  const search = paperbot.services.search;
  // The records are in memory now; the database is not needed for one query.
  paperbot.close();
  return { search, papers };
}

async function searchEngine(io: Io) {
  return (await storedCatalog(io)).search;
}

export async function searchCli(args: string[], io: Io): Promise<number> {
  const { values, positionals } = options(args, { json: { type: 'boolean' }, limit: { type: 'string' } });
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    io.stderr('paperbot: --limit must be a whole number from 1 to 1000.\n');
    return 2;
  }
  const { text } = cleanInput(positionals.join(' '));
  if (!text) throw new UserError('empty-query', { en: 'give a query, e.g. paperbot search "gan mri"' });
  const search = await searchEngine(io);
  const result = search.search(text, { limit });
  if (values.json) {
    // Each paper with the score it was ranked by and the query words it does not hold (if any).
    io.stdout(JSON.stringify(result.hits.map((h) => ({ ...h.paper, score: h.score, missing: h.missing })), null, 2) + '\n');
  } else if (result.total === 0) {
    io.stdout(`No paper matches "${result.query}".${result.suggestions.length ? ` Try: ${result.suggestions.join(', ')}` : ''}\n`);
  } else {
    io.stdout(result.hits.map((h, i) => `${i + 1}. ${h.paper.title} (${h.paper.id})`).join('\n') + `\n${result.total} in all\n`);
  }
  return 0;
}

export async function showCli(args: string[], io: Io): Promise<number> {
  const { values, positionals } = options(args, { json: { type: 'boolean' } });
  const [id] = positionals;
  if (!id) {
    io.stderr('paperbot: usage: paperbot show <id> [--json]. Find ids with: paperbot search "<words>"\n');
    return 2;
  }
  const paper = (await searchEngine(io)).get(id);
  if (!paper) {
    io.stderr(`paperbot: no paper has the id "${id}". Find ids with: paperbot search "<words>"\n`);
    return 1;
  }
  if (values.json) io.stdout(JSON.stringify(paper, null, 2) + '\n');
  else io.stdout([paper.title, ...paperDetailLines(paper, 'en')].join('\n') + '\n');
  return 0;
}

export async function listCli(args: string[], io: Io): Promise<number> {
  const { values } = options(args, { json: { type: 'boolean' } });
  const catalog = await storedCatalog(io);
  if (values.json) io.stdout(JSON.stringify(catalog.papers, null, 2) + '\n');
  else io.stdout(catalog.papers.map((p) => `${p.id}  ${p.title}`).join('\n') + `\n${catalog.papers.length} papers\n`);
  return 0;
}

/**
 * `paperbot validate` alone: the reviewed corrections of the bundled list (data/corrections.json),
 * each with its reason and source, and whether it still applies. Fails when one no longer does.
 */
async function listCorrections(io: Io): Promise<number> {
  const catalog = await loadCatalog({ cache: false });
  const report = catalog.listCorrections ?? [];
  io.stdout(`data/corrections.json: ${report.length} corrections of the published list (validate a file: paperbot validate <file.md|file.bib>)\n`);
  const show = (v: unknown) => (Array.isArray(v) ? v.join('; ') : String(v));
  for (const { correction: c, applied, problem } of report) {
    io.stdout(`- ${c.title}\n  ${c.field}: ${show(c.was)} → ${show(c.now)}\n  why: ${c.why}\n  source: ${c.source}\n  ${applied ? 'applied' : `NOT applied: ${problem}`}\n`);
  }
  return report.every((r) => r.applied) ? 0 : 1;
}

export async function validateCli(args: string[], io: Io): Promise<number> {
  const { positionals } = options(args, {});
  if (positionals.length === 0) return listCorrections(io);
  let failed = false;
  for (const file of positionals) {
    const report = await validateSource(file);
    for (const w of report.warnings) io.stdout(`warning: ${w}\n`);
    if (report.problems.length === 0) {
      io.stdout(`${file}: ok, ${report.papers} papers\n`);
      continue;
    }
    failed = true;
    for (const p of report.problems) io.stdout(`${file}${p.line === null ? '' : `:${p.line}`}: ${p.message}\n`);
  }
  return failed ? 1 : 0;
}

