import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { UserError } from '../../errors.js';
import { refuseWhileRunning } from '../backup.js';
import { runningBots } from '../lease.js';
import { isPortable, SCHEMA_MIGRATIONS_DDL, type Migration } from '../migrations.js';
import { columnsOf, continueIdentities, countRows, insertRows, quote, tablesInCopyOrder } from './copy.js';
import { applyMigration, SCHEMA_LOCK } from './migrate.js';
import { PostgresSql } from './postgres.js';
import type { SqlQueries, SqlTransaction, SqlValue } from './types.js';

/**
 * `paperbot backup` and `restore` for the state on PostgreSQL: a logical copy of the tables of the
 * portable migrations, made and put back through the store interface (the helpers of
 * `migrate-to-postgres`), not pg_dump and pg_restore. Why:
 * - pg_dump refuses a server newer than itself, and the client tools are often absent where the bot
 *   runs (a Node container beside a managed PostgreSQL); the bot's own driver is always there, so
 *   backup and restore work wherever the bot does, and the one path CI tests is the path operators run.
 * - The file records the schema versions, so restore checks them before touching anything (as it
 *   does for SQLite: a backup from a newer paperbot is refused), and rebuilds exactly that schema
 *   with the same migrations; the next start brings it forward, migrating the restored rows.
 * - Restore is one transaction (PostgreSQL's DDL is transactional): the tables are dropped, rebuilt
 *   and refilled, every count checked, and a restore that fails half-way leaves the database as it was.
 * The state there is subscriptions, polls, feeds, delivery records and the catalog's records (the
 * index snapshot, a cache, is left out), so a row-by-row copy costs seconds (a 100,000-paper catalog
 * is a few hundred MB of JSON before gzip). The backup reads every table in one
 * repeatable-read transaction: one consistent state while replicas keep writing.
 *
 * The file is gzip'd JSON lines: a header (format, schema versions), then per table a line naming
 * its columns and row count followed by one line per row, and a last line that proves it complete.
 */

const FORMAT = 'paperbot-postgres-backup';
const ROWS_PER_INSERT = 500;

type Header = { format: typeof FORMAT; version: 1; madeAt: string; schema: number[] };
type TableLine = { table: string; columns: string[]; rows: number };
type EndLine = { end: true; tables: number; rows: number };

export type PostgresBackupResult = { file: string; tables: number; rows: number; bytes: number };

export async function backupPostgres(databaseUrl: string, file: string, now = new Date()): Promise<PostgresBackupResult> {
  const target = resolve(file);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.partial-${process.pid}`;
  const sql = new PostgresSql(databaseUrl, { poolSize: 1 });
  try {
    const totals = await writeBackup(sql, temp, now);
    renameSync(temp, target);
    return { file: target, ...totals, bytes: statSync(target).size };
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    await sql.close();
  }
}

async function writeBackup(sql: PostgresSql, path: string, now: Date): Promise<{ tables: number; rows: number }> {
  const gzip = createGzip();
  const done = finished(gzip.pipe(createWriteStream(path)));
  const line = async (value: unknown) => {
    if (!gzip.write(JSON.stringify(value) + '\n')) await once(gzip, 'drain');
  };
  const totals = await sql.transaction(
    async (tx) => {
      const hasSchema = await tx.one("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'");
      if (!hasSchema) throw new UserError('no-database', { en: `${sql.where} has no paperbot schema: there is nothing to back up.` });
      const schema = (await tx.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);
      await line({ format: FORMAT, version: 1, madeAt: now.toISOString(), schema } satisfies Header);
      const tables = await tablesInCopyOrder(tx);
      let rows = 0;
      for (const table of tables) {
        const columns = await columnsOf(tx, table);
        const data = await tx.all<Record<string, SqlValue>>(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}`);
        await line({ table, columns, rows: data.length } satisfies TableLine);
        for (const row of data) await line(columns.map((c) => row[c] ?? null));
        rows += data.length;
      }
      await line({ end: true, tables: tables.length, rows } satisfies EndLine);
      return { tables: tables.length, rows };
    },
    { isolation: 'repeatable read' },
  );
  gzip.end();
  await done;
  return totals;
}

export type PostgresRestoreResult = { file: string; tables: number; rows: number; previous: string | null };

/**
 * Puts a backup in place of the PostgreSQL state. Refused while a bot runs on the database (its
 * lease in `meta`), and for a file that is not such a backup or comes from a newer paperbot. The
 * state it replaces is first backed up beside the file, as `<file>.before-restore-<time>`.
 */
export async function restorePostgres(databaseUrl: string, file: string, migrations: readonly Migration[], now = new Date()): Promise<PostgresRestoreResult> {
  const source = resolve(file);
  if (!existsSync(source)) throw new UserError('no-backup-file', { en: `${file} does not exist.` });
  const header = await readHeader(source);
  const known = new Map(migrations.filter(isPortable).map((m) => [m.version, m]));
  const unknown = header.schema.filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new UserError('backup-too-new', {
      en: `${file} was made by a newer paperbot (schema version ${Math.max(...unknown)}); upgrade paperbot before restoring it.`,
    });
  }
  const sql = new PostgresSql(databaseUrl, { poolSize: 1 });
  try {
    refuseWhileRunning(await runningBots(sql), sql.where);
    let previous: string | null = null;
    if (await sql.one("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'")) {
      previous = `${source}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
      await backupPostgres(databaseUrl, previous, now);
    }
    const totals = await sql.transaction(async (tx) => {
      await tx.lock(SCHEMA_LOCK);
      await dropEverything(tx);
      await tx.exec(SCHEMA_MIGRATIONS_DDL);
      for (const version of header.schema) await applyMigration(tx, known.get(version) as Parameters<typeof applyMigration>[1], sql.dialect);
      const restored = await refill(tx, source, file);
      // The leases of the bots that ran when the backup was made are no one's now.
      if (await tx.one("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'meta'")) {
        await tx.run("DELETE FROM meta WHERE key LIKE 'running:%'");
      }
      return restored;
    });
    return { file: source, ...totals, previous };
  } finally {
    await sql.close();
  }
}

function lines(path: string): AsyncIterable<string> {
  const input = createReadStream(path).pipe(createGunzip());
  return createInterface({ input, crlfDelay: Infinity });
}

const notABackup = (file: string, why: string) => new UserError('bad-backup', { en: `${file} is not a paperbot PostgreSQL backup (${why}).` });

async function readHeader(path: string): Promise<Header> {
  try {
    for await (const text of lines(path)) {
      const header = JSON.parse(text) as Partial<Header>;
      if (header.format !== FORMAT || !Array.isArray(header.schema)) throw notABackup(path, 'its first line is not the header');
      return header as Header;
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw notABackup(path, (error as Error).message);
  }
  throw notABackup(path, 'it is empty');
}

/** Every view and table of the schema, with their sequences: the restore rebuilds them. */
async function dropEverything(tx: SqlTransaction): Promise<void> {
  const views = await tx.all<{ name: string }>('SELECT table_name AS name FROM information_schema.views WHERE table_schema = current_schema()');
  for (const { name } of views) await tx.exec(`DROP VIEW IF EXISTS ${quote(name)} CASCADE`);
  const tables = await tx.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
  for (const { name } of tables) await tx.exec(`DROP TABLE IF EXISTS ${quote(name)} CASCADE`);
}

/** The rows of the file into the rebuilt tables, each table's count checked; throws (and so rolls back) on anything amiss. */
async function refill(tx: SqlTransaction, path: string, file: string): Promise<{ tables: number; rows: number }> {
  let table: TableLine | null = null;
  let batch: SqlValue[][] = [];
  let tables = 0;
  let rows = 0;
  let ended: EndLine | null = null;
  const flush = async () => {
    if (!table || batch.length === 0) return;
    const columns = table.columns;
    await insertRows(tx, table.table, columns, batch.map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i] ?? null]))));
    batch = [];
  };
  const close = async () => {
    if (!table) return;
    await flush();
    await continueIdentities(tx, table.table);
    const count = await countRows(tx, table.table);
    if (count !== table.rows) throw notABackup(file, `${table.table} should have ${table.rows} rows, ${count} were read`);
    tables++;
    rows += count;
  };
  let first = true;
  try {
    for await (const text of lines(path)) {
      if (first) {
        first = false;
        continue;
      }
      const value = JSON.parse(text) as unknown;
      if (Array.isArray(value)) {
        if (!table) throw notABackup(file, 'a row before any table');
        batch.push(value as SqlValue[]);
        if (batch.length >= ROWS_PER_INSERT) await flush();
      } else if ((value as EndLine).end) {
        await close();
        ended = value as EndLine;
        break;
      } else {
        await close();
        table = value as TableLine;
        await checkColumns(tx, table, file);
      }
    }
  } catch (error) {
    // PostgreSQL's own errors (a SQLSTATE) stand as they are; a broken line or gzip stream is the file's.
    if (error instanceof UserError || /^[0-9A-Z]{5}$/.test(String((error as { code?: unknown }).code))) throw error;
    throw notABackup(file, (error as Error).message);
  }
  if (!ended) throw notABackup(file, 'it ends before its last line: the copy is incomplete');
  if (ended.tables !== tables || ended.rows !== rows) throw notABackup(file, `it lists ${ended.tables} tables and ${ended.rows} rows, ${tables} and ${rows} were read`);
  return { tables, rows };
}

/** The table must have been rebuilt by the backup's migrations with the backup's columns. */
async function checkColumns(tx: SqlQueries, table: TableLine, file: string): Promise<void> {
  const columns = await columnsOf(tx, table.table);
  const missing = table.columns.filter((c) => !columns.includes(c));
  if (columns.length === 0 || missing.length > 0) throw notABackup(file, `its table ${table.table} does not match the schema its versions build`);
}
