import type { Dialect } from './sql/dialect.js';

/**
 * The schema, as an ordered list of migrations. A database is brought forward one migration at a
 * time and never wiped; to change the schema, append a migration, never edit a landed one.
 * The core owns the first; each capability brings its own (`src/capabilities/<name>/migration.ts`),
 * and `src/capabilities/index.ts` gathers them.
 *
 * Two kinds live in the one list while the stores move to the asynchronous interface (issue 15):
 * a SQLite migration (`sql`) is applied by `migrate` (db.ts) to the synchronous SQLite handle; a
 * portable one (`portable`) is written once for both engines and applied by `migrateSql`
 * (sql/migrate.ts) to SQLite or PostgreSQL. Both record their versions in `schema_migrations`, so
 * versions are unique across the two kinds.
 */
export type Migration = SqliteMigration | PortableMigration;
type SqliteMigration = { version: number; name: string; sql: string };
export type PortableMigration = { version: number; name: string; portable: (dialect: Dialect) => string };

export function isPortable(m: Migration): m is PortableMigration {
  return 'portable' in m;
}

export function isSqliteOnly(m: Migration): m is SqliteMigration {
  return !isPortable(m);
}

/** The table of applied versions, the same on both engines. */
export const SCHEMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;

export const coreMigration: Migration = {
  version: 1,
  name: 'meta',
  sql: `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
};

/**
 * `meta` on the store interface too: the running lease lives there (lease.ts), so that replicas on
 * one PostgreSQL see each other. On SQLite the table is migration 1's, already there.
 */
export const metaOnStoreMigration: Migration = {
  version: 67,
  name: 'meta-on-store',
  portable: () => `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
};
