import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { openDb } from '../db.js';
import { runningBots } from '../lease.js';
import type { Migration } from '../migrations.js';
import { migrateSql } from './migrate.js';
import { openSqlStore } from './open.js';
import { PostgresSql } from './postgres.js';
import { SqliteSql } from './sqlite.js';
import type { SqlDatabase, SqlQueries, SqlValue } from './types.js';

export type TableCount = { table: string; rows: number };

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for any of our tables. */
const BATCH_ROWS = 500;

/**
 * `paperbot migrate-to-postgres`: copies the state that lives on the store interface (the tables of
 * the portable migrations: since the catalog moved, all of it) from the SQLite file into an empty
 * PostgreSQL database, in one transaction, and checks that every table holds as many rows on both
 * sides before it commits.
 *
 * The tables are the ones the portable migrations create (PostgreSQL's own schema after
 * migrating, so the list never goes stale), copied parents before children for the foreign keys;
 * keys the database assigns keep their values, and their sequences continue after the highest one.
 */
export async function migrateToPostgres(dbPath: string, databaseUrl: string, migrations: readonly Migration[], log?: Logger): Promise<TableCount[]> {
  if (dbPath === ':memory:' || !existsSync(dbPath)) {
    throw new UserError('no-database', { en: `PAPERBOT_DB=${dbPath} is not a database file: there is nothing to copy. Set PAPERBOT_DB to the SQLite file the bot has used.` });
  }
  const legacy = openDb(dbPath, [...migrations], log);
  let source: SqlDatabase | undefined;
  const target = new PostgresSql(databaseUrl, { log, poolSize: 2 });
  try {
    const running = await runningBots(new SqliteSql(legacy, dbPath, false));
    if (running.length > 0) {
      throw new UserError('bot-running', {
        en: `a bot is running on ${dbPath} (pid ${running.map((b) => `${b.pid} on ${b.host}`).join(', ')}). Stop it first, so that nothing changes during the copy.`,
      });
    }
    // Brings the SQLite file to the same schema as the PostgreSQL database will have.
    source = await openSqlStore({ dbPath }, legacy, migrations, log);
    const existing = await target.all<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`);
    if (existing.length > 0) {
      throw new UserError('not-empty', {
        en: `${target.where} is not empty (it has ${existing.map((t) => t.name).join(', ')}). Point DATABASE_URL at a new, empty database (createdb paperbot).`,
      });
    }
    await migrateSql(target, migrations, { log });
    const tables = await tablesInCopyOrder(target);
    const from = source;
    return await target.transaction(async (tx) => {
      const counts: TableCount[] = [];
      for (const table of tables) {
        const columns = await columnsOf(tx, table);
        const rows = await from.all<Record<string, SqlValue>>(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}`);
        for (let i = 0; i < rows.length; i += BATCH_ROWS) await insertRows(tx, table, columns, rows.slice(i, i + BATCH_ROWS));
        await continueIdentities(tx, table);
        const copied = await countRows(tx, table);
        const original = await countRows(from, table);
        if (copied !== original || copied !== rows.length) {
          throw new Error(`migrate-to-postgres: ${table} has ${original} rows in ${dbPath} but ${copied} after the copy; nothing was committed.`);
        }
        counts.push({ table, rows: copied });
      }
      return counts;
    });
  } finally {
    await source?.close();
    legacy.close();
    await target.close();
  }
}

export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function countRows(db: SqlQueries, table: string): Promise<number> {
  return (await db.one<{ n: number }>(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM ${quote(table)}`))?.n ?? 0;
}

/**
 * Tables that hold a cache, not state: the catalog's search index snapshot (migration 80), a binary
 * the next start rebuilds and saves again. Copies and backups leave their rows out (the table itself
 * is made by its migration on the other side).
 */
const CACHE_TABLES = ['catalog_index_snapshot'];

/** Every table but schema_migrations and the caches, each after the tables its foreign keys point to. */
export async function tablesInCopyOrder(db: SqlQueries): Promise<string[]> {
  const tables = (await db.all<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name`,
  ))
    .map((t) => t.name)
    .filter((t) => !CACHE_TABLES.includes(t));
  const edges = await db.all<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
     WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
  );
  const ordered: string[] = [];
  const visit = (table: string, path: Set<string>) => {
    if (ordered.includes(table) || path.has(table)) return;
    path.add(table);
    for (const e of edges) if (e.child === table && e.parent !== table) visit(e.parent, path);
    ordered.push(table);
  };
  for (const t of tables) visit(t, new Set());
  return ordered.filter((t) => tables.includes(t));
}

export async function columnsOf(tx: SqlQueries, table: string): Promise<string[]> {
  const rows = await tx.all<{ name: string }>(
    'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position',
    [table],
  );
  return rows.map((r) => r.name);
}

export async function insertRows(tx: SqlQueries, table: string, columns: string[], rows: Record<string, SqlValue>[]): Promise<void> {
  if (rows.length === 0) return;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const params = rows.flatMap((row) => columns.map((c) => row[c] ?? null));
  await tx.run(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`, params);
}

/** After explicit keys, the identity sequences start above the highest one copied. */
export async function continueIdentities(tx: SqlQueries, table: string): Promise<void> {
  const identities = await tx.all<{ name: string }>(
    "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'YES'",
    [table],
  );
  for (const { name } of identities) {
    await tx.one(`SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(${quote(name)}) FROM ${quote(table)}), 0) + 1, false)`, [quote(table), name]);
  }
}
