import type { Logger } from '../../log.js';
import { isPortable, SCHEMA_MIGRATIONS_DDL, type Migration, type PortableMigration } from '../migrations.js';
import type { Dialect } from './dialect.js';
import type { SqlDatabase, SqlTransaction } from './types.js';

/** The advisory lock every replica takes to change the schema, so replicas starting together migrate once. */
export const SCHEMA_LOCK = 'paperbot:schema';

/**
 * Applies the portable migrations not yet recorded, in version order, each in its own transaction
 * with its record in `schema_migrations`: the same list, on SQLite and on PostgreSQL. Under the
 * schema lock each transaction looks again, so of two replicas starting at once one applies a
 * migration and the other finds it done (PostgreSQL's DDL is transactional; SQLite's transaction
 * holds the write lock). `beforeApplying` gets the pending versions first (SQLite's copy of the
 * file before an upgrade).
 */
export async function migrateSql(
  db: SqlDatabase,
  migrations: readonly Migration[],
  options: { log?: Logger; beforeApplying?: (versions: number[]) => string | null } = {},
): Promise<number[]> {
  await db.transaction(async (tx) => {
    await tx.lock(SCHEMA_LOCK);
    await tx.exec(SCHEMA_MIGRATIONS_DDL);
  });
  const applied = new Set((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
  const pending = migrations
    .filter(isPortable)
    .filter((m) => !applied.has(m.version))
    .sort((a, b) => a.version - b.version);
  if (pending.length === 0) return [];
  const copy = options.beforeApplying?.(pending.map((m) => m.version));
  if (copy) options.log?.info(`database: copied to ${copy} before applying ${pending.length} migration(s)`);
  const done: number[] = [];
  for (const m of pending) {
    await db.transaction(async (tx) => {
      await tx.lock(SCHEMA_LOCK);
      if (await tx.one('SELECT version FROM schema_migrations WHERE version = ?', [m.version])) return;
      await applyMigration(tx, m, db.dialect);
      done.push(m.version);
    });
  }
  if (done.length > 0) options.log?.info(`database: applied migration(s) ${done.join(', ')} on ${db.dialect.name}`);
  return done;
}

/** Applies one portable migration and records it, inside the caller's transaction. */
export async function applyMigration(tx: SqlTransaction, m: PortableMigration, dialect: Dialect): Promise<void> {
  await tx.exec(m.portable(dialect));
  await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
}
