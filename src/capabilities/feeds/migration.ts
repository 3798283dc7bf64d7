import type { Migration } from '../../store/migrations.js';

/**
 * Feeds and what they brought. A feed is the lab's (listed in every channel), read on a schedule
 * with its validators (ETag, Last-Modified) and its failure state kept here, so a restart or a
 * second process carries on rather than starting over. `feed_items` holds a hash of each item's
 * guid per feed (MonitoRSS's lesson: an item is new to a feed once) and the catalog paper it became.
 *
 * Feed state: `active`; `failing` (five failures or more in a row: still read, at the longest
 * backoff, and reported); `gone` (404/410: no longer read until added again).
 */
export const feedsMigration: Migration = {
  version: 20,
  name: 'feeds',
  sql: `
CREATE TABLE feeds (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL CHECK (kind IN ('arxiv', 'pubmed', 'url')),
  title           TEXT,
  added_by        TEXT,
  added_in        TEXT,
  added_at        TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'failing', 'gone')),
  etag            TEXT,
  last_modified   TEXT,
  next_poll_at    TEXT NOT NULL,
  last_polled_at  TEXT,
  last_success_at TEXT,
  last_error      TEXT,
  last_error_at   TEXT,
  failures        INTEGER NOT NULL DEFAULT 0,
  papers_added    INTEGER NOT NULL DEFAULT 0,
  items_seen      INTEGER NOT NULL DEFAULT 0,
  items_skipped   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feeds_due ON feeds (state, next_poll_at);

CREATE TABLE feed_items (
  feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  guid_hash  TEXT NOT NULL,
  paper_id   TEXT,
  seen_at    TEXT NOT NULL,
  PRIMARY KEY (feed_id, guid_hash)
);

-- The digest asks the catalog for the papers that entered it in a window.
CREATE INDEX IF NOT EXISTS catalog_papers_added ON catalog_papers (added_at);
`,
};
