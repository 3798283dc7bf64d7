import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { createPaperbot, type Paperbot } from './app.js';
import { loadCatalog, validateSource } from './catalog/index.js';
import { paperDetailLines } from './commands/format.js';
import { loadConfig, secretsOf, type Config } from './config.js';
import { CatalogError, ConfigError, UserError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { createSearch } from './search/index.js';
import { cleanInput } from './text.js';
import type { Adapter } from './adapter.js';
import type { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import type { Paper } from './catalog/paper.js';
import type { PaperSearch } from './search/types.js';

/** The platform side, loaded only by the commands that need it so `search` never loads a chat client. */
export type PlatformModule = typeof import('../adapters/index.js');

type Io = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
};

const USAGE = `paperbot — deep-learning papers on medical image analysis, for Slack, Discord and the console

  paperbot start                         run the bot (every adapter whose settings are present;
                                         the console adapter when no platform is configured)
  paperbot search "<query>" [--json] [--limit N]
  paperbot show <id> [--json]
  paperbot list [--json]                 the whole catalog
  paperbot validate <file> [more files]  check markdown lists or BibTeX files
  paperbot add <identifier…> [--json]    add papers by arXiv id, DOI, PMID or PMC id
  paperbot import <file> [--json]        add a library export (BibTeX, RIS, CSL-JSON)
  paperbot export --format bibtex|ris|csl-json [--output <file>]
  paperbot enrich [--json]               fill missing authors, links, years and abstracts
  paperbot say "<command text>" [--json] [--channel C] [--user U]
  paperbot spotlight tick [--now <ISO time>] [--json]
  paperbot spotlight list [--json]
  paperbot feeds poll [--now <ISO time>] [--json]
  paperbot digest tick [--now <ISO time>] [--json]
  paperbot register-discord              register the /paper command with Discord

Settings come from the environment or a .env file: see .env.example.`;

export async function main(
  argv: string[],
  loadPlatforms: () => Promise<PlatformModule> = () => import('../adapters/index.js'),
  io: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), stdin: process.stdin, env: process.env },
): Promise<number> {
  if (io.env === process.env) dotenv.config({ quiet: true });
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(io, loadPlatforms);
      case 'search':
        return await searchCli(rest, io);
      case 'show':
        return await showCli(rest, io);
      case 'list':
        return await listCli(rest, io);
      case 'validate':
        return await validateCli(rest, io);
      case 'say':
        return await sayCli(rest, io, loadPlatforms);
      case 'add':
      case 'import':
      case 'export':
      case 'enrich':
        return await catalogCli(command, rest, io);
      case 'spotlight':
        return await spotlightCommand(rest, io, loadPlatforms);
      case 'feeds':
      case 'digest':
        return await digestCommand(command, rest, io, loadPlatforms);
      case 'register-discord':
        return await registerCli(io, loadPlatforms);
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE + '\n');
        return 0;
      default:
        io.stderr(`paperbot: unknown command "${command}".\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CatalogError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    if (error instanceof UserError) {
      io.stderr(`${error.message}${error.hints.length ? `\nTry: ${error.hints.join(', ')}` : ''}\n`);
      return 1;
    }
    // A mistyped flag is the user's to fix: node's own message says how, a stack trace would not.
    if (isArgumentError(error)) {
      io.stderr(`paperbot: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

function isArgumentError(error: unknown): error is Error {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
}

function options<const Spec extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], spec: Spec) {
  return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
}

function loggerFor(config: Config): Logger {
  return createLogger(config.logLevel, secretsOf(config));
}

async function configuredCatalog(io: Io) {
  return loadCatalog({ extraSources: loadConfig(io.env).extraSources });
}

/**
 * The catalog as the bot sees it: the stored one (the list plus what people added) when the state
 * database exists; the bundled list alone otherwise, so a search never creates a database.
 */
async function storedCatalog(io: Io): Promise<{ search: PaperSearch; papers: Paper[] }> {
  const config = loadConfig(io.env);
  if (config.dbPath !== ':memory:' && !existsSync(config.dbPath)) {
    const catalog = await configuredCatalog(io);
    return { search: createSearch(catalog), papers: catalog.papers };
  }
  const paperbot = await createPaperbot({ config, log: loggerFor(config) });
  const papers = paperbot.services.papers;
  const search = paperbot.services.search;
  // The records are in memory now; the database is not needed for one query.
  paperbot.close();
  return { search, papers };
}

async function searchEngine(io: Io) {
  return (await storedCatalog(io)).search;
}

async function searchCli(args: string[], io: Io): Promise<number> {
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
    io.stdout(JSON.stringify(result.hits.map((h) => h.paper), null, 2) + '\n');
  } else if (result.total === 0) {
    io.stdout(`No paper matches "${result.query}".${result.suggestions.length ? ` Try: ${result.suggestions.join(', ')}` : ''}\n`);
  } else {
    io.stdout(result.hits.map((h, i) => `${i + 1}. ${h.paper.title} (${h.paper.id})`).join('\n') + `\n${result.total} in all\n`);
  }
  return 0;
}

async function showCli(args: string[], io: Io): Promise<number> {
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

async function listCli(args: string[], io: Io): Promise<number> {
  const { values } = options(args, { json: { type: 'boolean' } });
  const catalog = await storedCatalog(io);
  if (values.json) io.stdout(JSON.stringify(catalog.papers, null, 2) + '\n');
  else io.stdout(catalog.papers.map((p) => `${p.id}  ${p.title}`).join('\n') + `\n${catalog.papers.length} papers\n`);
  return 0;
}

async function validateCli(args: string[], io: Io): Promise<number> {
  const { positionals } = options(args, {});
  if (positionals.length === 0) {
    io.stderr('paperbot: usage: paperbot validate <file.md|file.bib> [more files]\n');
    return 2;
  }
  let failed = false;
  for (const file of positionals) {
    const report = await validateSource(file);
    if (report.problems.length === 0) {
      io.stdout(`${file}: ok, ${report.papers} papers\n`);
      continue;
    }
    failed = true;
    for (const p of report.problems) io.stdout(`${file}${p.line === null ? '' : `:${p.line}`}: ${p.message}\n`);
  }
  return failed ? 1 : 0;
}

/** The catalog commands run on the core alone (no adapter): the database and the live catalog. */
async function catalogCli(command: 'add' | 'import' | 'export' | 'enrich', args: string[], io: Io): Promise<number> {
  const config = loadConfig(io.env);
  const paperbot = await createPaperbot({ config, log: loggerFor(config) });
  const catalogIo = { stdout: io.stdout, stderr: io.stderr, progress: Boolean((process.stderr as { isTTY?: boolean }).isTTY) && io.env === process.env };
  try {
    const cli = await import('./catalog/cli.js');
    const run = { add: cli.addCli, import: cli.importCli, export: cli.exportCli, enrich: cli.enrichCli }[command];
    return await run(args, paperbot.services.catalog, catalogIo);
  } finally {
    paperbot.close();
  }
}

type ConsoleBot = {
  paperbot: Paperbot;
  consoleAdapter: InstanceType<PlatformModule['ConsoleAdapter']>;
  platforms: PlatformModule;
  log: Logger;
};

/** Builds the whole bot with the console adapter registered, for commands that run the command layer. */
async function withConsoleBot<T>(
  io: Io,
  loadPlatforms: () => Promise<PlatformModule>,
  run: (bot: ConsoleBot) => Promise<T>,
  { json = false } = {},
): Promise<T> {
  const config = loadConfig(io.env);
  const log = loggerFor(config);
  const platforms = await loadPlatforms();
  const paperbot = await createPaperbot({ config, log });
  // With --json, stdout carries only the JSON: posts the command makes go to stderr.
  const consoleAdapter = new platforms.ConsoleAdapter({
    bot: paperbot.bot,
    input: io.stdin as Readable,
    output: { write: (t: string) => (json ? io.stderr(t) : io.stdout(t)) },
    interactive: false,
  });
  paperbot.services.outbox.register(consoleAdapter);
  try {
    return await run({ paperbot, consoleAdapter, platforms, log });
  } finally {
    paperbot.close();
  }
}

async function sayCli(args: string[], io: Io, loadPlatforms: () => Promise<PlatformModule>): Promise<number> {
  const { values, positionals } = options(args, {
    json: { type: 'boolean' },
    channel: { type: 'string' },
    user: { type: 'string' },
  });
  const json = Boolean(values.json);
  return withConsoleBot(
    io,
    loadPlatforms,
    async ({ consoleAdapter, platforms }) => {
      const reply = await consoleAdapter.say(positionals.join(' '), values.channel, values.user);
      io.stdout(json ? JSON.stringify(reply, null, 2) + '\n' : platforms.renderConsole(reply) + '\n');
      return reply.kind === 'error' ? 1 : 0;
    },
    { json },
  );
}

/**
 * Runs a scheduled round from the command line (`spotlight tick`, `digest tick`, `feeds poll`). A
 * round that posts starts the platforms' senders (without receiving), since it must reach channels.
 */
async function roundCommand(args: string[], io: Io, loadPlatforms: () => Promise<PlatformModule>, posts: boolean, run: (services: Paperbot['services']) => Promise<number>): Promise<number> {
  return withConsoleBot(
    io,
    loadPlatforms,
    async ({ paperbot, platforms, log }) => {
      const adapters: Adapter[] = posts ? await platforms.startPlatformAdapters(paperbot, log, { receive: false }) : [];
      try {
        return await run(paperbot.services);
      } finally {
        await Promise.all(adapters.map((a) => a.stop()));
      }
    },
    { json: args.includes('--json') },
  );
}

async function spotlightCommand(args: string[], io: Io, loadPlatforms: () => Promise<PlatformModule>): Promise<number> {
  return roundCommand(args, io, loadPlatforms, args[0] === 'tick', async (services) => (await import('./spotlight/index.js')).spotlightCli(args, services, io.stdout));
}

/** `feeds poll` reads feeds (no platform needed); `digest tick` posts. */
async function digestCommand(command: 'feeds' | 'digest', args: string[], io: Io, loadPlatforms: () => Promise<PlatformModule>): Promise<number> {
  return roundCommand(args, io, loadPlatforms, command === 'digest' && args[0] === 'tick', async (services) =>
    (await import('./digest/index.js')).digestCli(command, args, services, io.stdout),
  );
}

async function registerCli(io: Io, loadPlatforms: () => Promise<PlatformModule>): Promise<number> {
  const config = loadConfig(io.env);
  if (!config.discord) {
    throw new ConfigError(
      'register-discord needs DISCORD_TOKEN and DISCORD_APP_ID (and DISCORD_GUILD_ID to register to one server instantly). See .env.example.',
    );
  }
  const platforms = await loadPlatforms();
  io.stdout((await platforms.registerDiscordCommands(config.discord, loggerFor(config))) + '\n');
  return 0;
}

async function start(io: Io, loadPlatforms: () => Promise<PlatformModule>): Promise<number> {
  const config = loadConfig(io.env);
  const log = loggerFor(config);
  const started = Date.now();
  const paperbot = await createPaperbot({ config, log });
  log.info(`catalog ready: ${paperbot.services.papers.length} papers in ${Date.now() - started} ms`);
  const platforms = await loadPlatforms();

  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', reason));
  process.on('uncaughtException', (error) => log.error('uncaught exception', error));
  // When the reader of our output goes away (`npm start 2>&1 | head`), every write fails; left to the
  // handler above, logging that failure into the same closed pipe fails again, round and round at
  // full CPU. There is no one left to answer, so stop.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      paperbot.close();
      process.exit(0);
    });
  }

  const adapters = await platforms.startPlatformAdapters(paperbot, log);
  let consoleAdapter: InstanceType<PlatformModule['ConsoleAdapter']> | null = null;
  if (adapters.length === 0) {
    consoleAdapter = new platforms.ConsoleAdapter({
      bot: paperbot.bot,
      input: io.stdin as Readable,
      output: { write: io.stdout },
      interactive: Boolean(io.stdin.isTTY),
    });
    paperbot.services.outbox.register(consoleAdapter);
    await consoleAdapter.start();
  }
  // Feeds, then digests, then spotlights, each minute: a digest carries the spotlight of its slot.
  const { startScheduler } = await import('./digest/index.js');
  const scheduler = startScheduler(paperbot.services);

  const shutdown = async () => {
    scheduler.stop();
    await Promise.allSettled([...adapters, ...(consoleAdapter ? [consoleAdapter] : [])].map((a) => a.stop()));
    paperbot.close();
  };
  if (consoleAdapter) {
    // With no platform, the console is the whole bot: it ends at end of input (Ctrl-D, or the end of a pipe).
    await consoleAdapter.finished();
    await shutdown();
    return 0;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('shutting down');
  await shutdown();
  return 0;
}
