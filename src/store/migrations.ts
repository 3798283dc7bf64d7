/**
 * The schema, as an ordered list of migrations. A database is brought forward one migration at a
 * time and never wiped; to change the schema, append a migration, never edit a landed one.
 * The core owns the first; each capability brings its own (`src/capabilities/<name>/migration.ts`),
 * and `src/capabilities/index.ts` gathers them.
 */
export type Migration = { version: number; name: string; sql: string };

export const coreMigration: Migration = {
  version: 1,
  name: 'meta',
  sql: `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
};
