import type { Migration } from '../store/migrations.js';

/**
 * The catalog's records live beside the spotlight and reading-group state. The migration only adds
 * tables: every existing rotation, poll and history row is kept. The bundled list seeds the table at
 * start-up (see CatalogStore.seed); `seq` grows with every change so another process on the same
 * file can pick up what changed since it last looked.
 */
export const catalogMigration: Migration = {
  version: 4,
  name: 'catalog',
  sql: `
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
