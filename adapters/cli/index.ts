import dotenv from 'dotenv';
import { CatalogError, ConfigError, DeliveryError, UserError } from '../../src/errors.js';
import type { Io } from './io.js';

/**
 * The paperbot binary (bin/paperbot.js runs it from dist/): where the core meets the adapters, so it
 * lives beside them and not in src/. Each command's module is imported when that command runs: a
 * `start` need not load the BibTeX parser of `import`, nor a `search` the service around the bot.
 */

const USAGE = `paperbot — deep-learning papers on medical image analysis, for Slack, Discord and the console

  paperbot start                         run the bot (every adapter whose settings are present;
                                         the console adapter when no platform is configured)
  paperbot search "<query>" [--json] [--limit N]
  paperbot show <id> [--json]
  paperbot list [--json]                 the whole catalog
  paperbot validate [file] [more files]  check markdown lists or BibTeX files; alone: list the corrections of the bundled list
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
  paperbot backup <file>                 a consistent copy of the database, also while the bot runs
  paperbot restore <file>                put a backup in place (refused while a bot runs on the database)
  paperbot doctor                        check settings, database, tokens and the registered command
  paperbot migrate-to-postgres           copy the state on the store interface from PAPERBOT_DB into
                                         the empty PostgreSQL database of DATABASE_URL, counts checked

Settings come from the environment or a .env file: see .env.example.`;

export async function main(
  argv: string[],
  io: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), stdin: process.stdin, env: process.env },
): Promise<number> {
  if (io.env === process.env) dotenv.config({ quiet: true });
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await (await import('./service.js')).start(io);
      case 'search':
        return await (await import('./catalog-commands.js')).searchCli(rest, io);
      case 'show':
        return await (await import('./catalog-commands.js')).showCli(rest, io);
      case 'list':
        return await (await import('./catalog-commands.js')).listCli(rest, io);
      case 'validate':
        return await (await import('./catalog-commands.js')).validateCli(rest, io);
      case 'say':
        return await (await import('./bot-commands.js')).sayCli(rest, io);
      case 'add':
      case 'import':
      case 'export':
      case 'enrich':
        return await (await import('./library-commands.js')).libraryCli(command, rest, io);
      case 'spotlight':
        return await (await import('./bot-commands.js')).spotlightCommand(rest, io);
      case 'feeds':
      case 'digest':
        return await (await import('./bot-commands.js')).digestCommand(command, rest, io);
      case 'register-discord':
        return await (await import('./bot-commands.js')).registerCli(io);
      case 'backup':
        return await (await import('./ops-commands.js')).backupCli(rest, io);
      case 'restore':
        return await (await import('./ops-commands.js')).restoreCli(rest, io);
      case 'doctor':
        return await (await import('./ops-commands.js')).doctorCli(rest, io);
      case 'migrate-to-postgres':
        return await (await import('./ops-commands.js')).migrateToPostgresCli(rest, io);
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
    // A platform that cannot be reached at start: its message names the setting to check.
    if (error instanceof ConfigError || error instanceof CatalogError || error instanceof DeliveryError) {
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

