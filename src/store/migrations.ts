/**
 * The schema, as an ordered list of migrations. A database is brought forward one migration at a
 * time and never wiped; to change the schema, append a migration, never edit a landed one.
 * Each feature appends its own (spotlight, reading group, catalog).
 */
import { readingGroupMigration } from '../reading/schema.js';
import { spotlightMigration } from '../spotlight/schema.js';
import { catalogMigration } from '../catalog/schema.js';
import { feedsMigration } from '../feeds/schema.js';
import { followMigration } from '../follow/schema.js';
import { digestMigration } from '../digest/schema.js';

export type Migration = { version: number; name: string; sql: string };

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'meta',
    sql: `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  spotlightMigration,
  readingGroupMigration,
  catalogMigration,
  feedsMigration,
  followMigration,
  digestMigration,
];
