import type { Migration } from '../store/migrations.js';

/**
 * The catalog's records live beside the spotlight and reading-group state. The migration only adds
 * tables: every existing rotation, poll and history row is kept. The bundled list seeds the table at
 * start-up (see CatalogStore.seed); `seq` grows with every change so another process (or replica)
 * on the same database can pick up what changed since it last looked.
 *
 * Written once for both engines (issue 15): the same version as when it was SQLite's alone, so a
 * file that has it recorded skips it. `seq` is INTEGER, never BIGINT (node-postgres would return a
 * string); a catalog never nears 2^31 writes.
 */
export const catalogMigration: Migration = {
  version: 4,
  name: 'catalog',
  portable: () => `
    CREATE TABLE IF NOT EXISTS catalog_papers (
      id TEXT PRIMARY KEY,
      record TEXT NOT NULL,
      origin TEXT NOT NULL CHECK (origin IN ('bundled', 'added', 'imported')),
      doi TEXT,
      arxiv_id TEXT,
      pmid TEXT,
      pmcid TEXT,
      title_key TEXT NOT NULL,
      author_key TEXT NOT NULL DEFAULT '',
      year INTEGER,
      -- 1 when a channel manager removed it; a bundled paper is hidden, never deleted.
      hidden INTEGER NOT NULL DEFAULT 0,
      -- For bundled rows: 1 while the bundled list still holds the paper.
      listed INTEGER NOT NULL DEFAULT 1,
      seq INTEGER NOT NULL,
      added_by TEXT,
      added_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS catalog_papers_doi ON catalog_papers (doi) WHERE doi IS NOT NULL;
    CREATE INDEX IF NOT EXISTS catalog_papers_arxiv ON catalog_papers (arxiv_id) WHERE arxiv_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS catalog_papers_pmid ON catalog_papers (pmid) WHERE pmid IS NOT NULL;
    CREATE INDEX IF NOT EXISTS catalog_papers_pmcid ON catalog_papers (pmcid) WHERE pmcid IS NOT NULL;
    CREATE INDEX IF NOT EXISTS catalog_papers_title ON catalog_papers (title_key);
    CREATE INDEX IF NOT EXISTS catalog_papers_seq ON catalog_papers (seq);
  `,
};

/**
 * The digest asks the catalog for the papers that entered it in a window. This index was part of
 * migration 20, then SQLite's migration 66 while the catalog was SQLite's alone; 66 is portable now
 * (a file that ran it skips it, `IF NOT EXISTS` covers one that had it from 20).
 */
export const catalogAddedIndexMigration: Migration = {
  version: 66,
  name: 'catalog-papers-added',
  portable: () => `CREATE INDEX IF NOT EXISTS catalog_papers_added ON catalog_papers (added_at);`,
};

/**
 * The search index snapshot (index-cache.ts): one row, in the database that holds the records it
 * was built from, so a backup, a restore or another replica never pairs it with another catalog. A
 * cache, not state: backups and migrate-to-postgres leave its row out (see CACHE_TABLES), and losing
 * it costs one rebuild. A SQLite file may have the table already (it used to be created on first
 * save, with this shape).
 */
export const catalogIndexSnapshotMigration: Migration = {
  version: 80,
  name: 'catalog-index-snapshot',
  portable: (d) => `
    CREATE TABLE IF NOT EXISTS catalog_index_snapshot (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      format TEXT NOT NULL,
      seq INTEGER NOT NULL,
      bundled TEXT NOT NULL,
      data ${d.bytesColumn} NOT NULL
    );
  `,
};

/**
 * The catalog's insertion order, on both engines: listings, exports and the index built at start-up
 * keep it. SQLite's records had it as their rowid, which PostgreSQL has no equivalent of; a new
 * record takes the next `ord` under the catalog's write lock (CatalogStore).
 */
export const catalogOrderMigration: Migration = {
  version: 81,
  name: 'catalog-order',
  portable: (d) => `
    ALTER TABLE catalog_papers ADD COLUMN ord INTEGER NOT NULL DEFAULT 0;
    ${d.name === 'sqlite' ? 'UPDATE catalog_papers SET ord = rowid;' : ''}
    CREATE INDEX catalog_papers_ord ON catalog_papers (ord);
  `,
};
