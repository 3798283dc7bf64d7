import { migrations } from '../../src/capabilities/index.js';
import { ConfigError } from '../../src/errors.js';
import { checkDatabase, checkPostgres, formatFindings, ok, problemFrom, type Finding } from '../../src/ops/doctor.js';
import { backupDatabase, restoreDatabase } from '../../src/store/backup.js';
import { migrateToPostgres } from '../../src/store/sql/copy.js';
import { backupPostgres, restorePostgres } from '../../src/store/sql/backup.js';
import { maskUrlCredentials } from '../../src/log.js';
import { existsSync } from 'node:fs';
import { isPortable } from '../../src/store/migrations.js';
import { openDb } from '../../src/store/db.js';
import { markCarried } from '../../src/catalog/carry.js';
import type { SqlDatabase } from '../../src/store/sql/types.js';
import { slackMigrations } from '../slack/migration.js';
import { discordMigrations } from '../discord/shard-leases.js';
import { loadSettings, type Settings } from '../settings.js';
import { loggerFor, options, type Io } from './io.js';

/** The CLI's maintenance commands: backup, restore, doctor. */

/**
 * The whole schema: the core's and the capabilities', then the platform adapters' own, which run where
 * the adapter needs them (Slack's when it first starts, Discord's shard leases with DISCORD_SHARDS):
 * known, never pending.
 */
const schema = [...migrations, ...slackMigrations, ...discordMigrations];
const knownVersions = () => schema.map((m) => m.version);
const adapterVersions = () => [...slackMigrations, ...discordMigrations].map((m) => m.version);

/**
 * A PostgreSQL backup made before the catalog moved there had the SQLite file's part of the state (the
 * catalog) beside it under this name; restore still puts it back (the next start carries its added
 * papers into PostgreSQL's catalog, see carryFileCatalog). New backups need none: nothing the bot
 * reads on PostgreSQL lives in the file any more.
 */
const sqliteBeside = (file: string) => `${file}.sqlite`;

export async function backupCli(args: string[], io: Io): Promise<number> {
  const { positionals } = options(args, {});
  const [file] = positionals;
  if (!file || positionals.length > 1) {
    io.stderr('paperbot: usage: paperbot backup <file>   (a consistent copy of PAPERBOT_DB, and of DATABASE_URL when set, also while the bot runs)\n');
    return 2;
  }
  const { dbPath, databaseUrl } = loadSettings(io.env);
  if (databaseUrl) {
    // Every store is on PostgreSQL: its backup is the whole state.
    const pg = await backupPostgres(databaseUrl, file);
    io.stdout(`backed up ${maskUrlCredentials(databaseUrl)} to ${pg.file} (${pg.tables} tables, ${pg.rows} rows, ${Math.ceil(pg.bytes / 1024)} KiB)\n`);
    return 0;
  }
  const result = await backupDatabase(dbPath, file);
  io.stdout(`backed up ${dbPath} to ${result.file} (${result.pages} pages, ${Math.ceil(result.bytes / 1024)} KiB)\n`);
  return 0;
}

export async function restoreCli(args: string[], io: Io): Promise<number> {
  const { positionals } = options(args, {});
  let [file] = positionals;
  if (!file || positionals.length > 1) {
    io.stderr('paperbot: usage: paperbot restore <file>   (stop the bot first; the replaced database is kept beside it)\n');
    return 2;
  }
  const { dbPath, databaseUrl } = loadSettings(io.env);
  if (databaseUrl) {
    const pg = await restorePostgres(databaseUrl, file, schema);
    io.stdout(`restored ${file} to ${maskUrlCredentials(databaseUrl)} (${pg.tables} tables, ${pg.rows} rows)${pg.previous ? `; the state it replaced is backed up in ${pg.previous}` : ''}\n`);
    file = sqliteBeside(file);
    if (!existsSync(file)) return 0;
  }
  const result = await restoreDatabase(dbPath, file, knownVersions());
  io.stdout(`restored ${file} to ${result.file}${result.previous ? `; the database it replaced is ${result.previous}` : ''}\n`);
  return 0;
}

/** `paperbot doctor`: every check, each problem with its fix; status 1 when there is a problem. */
export async function doctorCli(args: string[], io: Io): Promise<number> {
  options(args, {});
  const findings: Finding[] = [];
  let settings: Settings | undefined;
  try {
    settings = loadSettings(io.env);
    const platforms = [settings.slack && `Slack (${settings.slack.appToken ? 'Socket Mode' : 'HTTP'})`, settings.discord && 'Discord'].filter(Boolean);
    findings.push(ok('settings', platforms.length ? `valid; platforms: ${platforms.join(', ')}` : 'valid; no platform configured (the console adapter runs)'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    findings.push(problemFrom('settings', error));
  }
  if (settings) {
    if (settings.databaseUrl) {
      // The file holds what is left of the SQLite-only migrations (meta); a file from before the catalog
      // moved has its versions recorded too (4, 66), which are known: the portable ones run on PostgreSQL.
      findings.push(...(await checkDatabase(settings.dbPath, knownVersions(), schema.filter(isPortable).map((m) => m.version))));
      findings.push(...(await checkPostgres(settings.databaseUrl, schema.filter(isPortable).map((m) => m.version), adapterVersions())));
    } else {
      findings.push(...(await checkDatabase(settings.dbPath, knownVersions(), adapterVersions())));
    }
    if (settings.slack) {
      const { checkSlack } = await import('../slack/doctor.js');
      findings.push(...(await checkSlack(settings.slack)));
    }
    if (settings.discord) {
      const { checkDiscord, checkShards } = await import('../discord/doctor.js');
      findings.push(...(await checkDiscord(settings.discord)));
      const { appId } = settings.discord;
      if (settings.discord.shards) findings.push(...((await readingState(settings, (sql) => checkShards(sql, appId, new Date()))) ?? []));
    }
  }
  io.stdout(formatFindings(findings) + '\n');
  return findings.some((f) => f.status === 'problem') ? 1 : 0;
}

/**
 * Runs `read` on the state database as it is, never migrating it (doctor only looks): PostgreSQL
 * through a pool of one, the SQLite file read-only. Undefined when the file does not exist yet.
 */
async function readingState<T>(settings: Settings, read: (sql: SqlDatabase) => Promise<T>): Promise<T | undefined> {
  let sql: SqlDatabase;
  if (settings.databaseUrl) {
    const { PostgresSql } = await import('../../src/store/sql/postgres.js');
    sql = new PostgresSql(settings.databaseUrl, { poolSize: 1 });
  } else {
    if (settings.dbPath === ':memory:' || !existsSync(settings.dbPath)) return undefined;
    const { default: Database } = await import('better-sqlite3');
    const { SqliteSql } = await import('../../src/store/sql/sqlite.js');
    sql = new SqliteSql(new Database(settings.dbPath, { readonly: true, fileMustExist: true }), settings.dbPath, true);
  }
  try {
    return await read(sql);
  } finally {
    await sql.close();
  }
}

/** `paperbot migrate-to-postgres`: the SQLite state on the store interface into the empty DATABASE_URL. */
export async function migrateToPostgresCli(args: string[], io: Io): Promise<number> {
  options(args, {});
  const settings = loadSettings(io.env);
  if (!settings.databaseUrl) {
    io.stderr('paperbot: migrate-to-postgres copies PAPERBOT_DB into DATABASE_URL: set DATABASE_URL to an empty PostgreSQL database (postgres://user:password@host:5432/paperbot).\n');
    return 2;
  }
  const counts = await migrateToPostgres(settings.dbPath, settings.databaseUrl, schema, loggerFor(settings));
  // The file's catalog is now in PostgreSQL whole: the first start must not carry it in again.
  const file = openDb(settings.dbPath, migrations);
  try {
    markCarried(file);
  } finally {
    file.close();
  }
  for (const { table, rows } of counts) io.stdout(`${table}: ${rows} rows copied, counts match\n`);
  io.stdout(`copied ${counts.length} tables from ${settings.dbPath}; start the bot with DATABASE_URL set to use them\n`);
  return 0;
}
