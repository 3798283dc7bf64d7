import type { Migration } from '../../store/migrations.js';

/**
 * Feeds and what they brought. A feed is one source, read on a schedule with its validators (ETag,
 * Last-Modified) and its failure state kept here, so a restart or another replica carries on rather
 * than starting over. `feed_items` holds a hash of each item's guid per feed (MonitoRSS's lesson: an
 * item is new to a feed once) and the catalog paper it became.
 *
 * Feed state: `active`; `failing` (five failures or more in a row: still read, at the longest
 * backoff, and reported); `gone` (404/410: no longer read until added again).
 *
 * Written for SQLite first; the dialect's key column makes it the same schema on PostgreSQL. Its
 * index on the catalog's papers moved to the catalog's migration 66 (src/catalog/schema.ts).
 */
export const feedsMigration: Migration = {
  version: 20,
  name: 'feeds',
  portable: (d) => `
CREATE TABLE feeds (
  id              ${d.autoIdColumn},
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
`,
};

/**
 * Tenants: a feed used to be the lab's, listed in every channel. Many workspaces now share one
 * deployment, so each keeps its own list: a subscription is (platform, workspace, feed). The feed
 * itself (its poll state, validators and seen items) stays one row per source, so a source that
 * forty workspaces follow is still read once a round, as its owners ask of us. A feed nobody
 * subscribes to any more is deleted with its items.
 *
 * Feeds recorded before belong to workspace '' of the platform they were added on (`added_in` is
 * `<platform>:<channel>`; the console's, and any without, to the console), to be adopted by their
 * channel's workspace once the adapters name it (see FeedStore.adopt).
 */
export const feedsTenantsMigration: Migration = {
  version: 65,
  name: 'feeds-tenants',
  portable: () => `
CREATE TABLE feed_subscriptions (
  platform     TEXT NOT NULL,
  workspace_id TEXT NOT NULL DEFAULT '',
  feed_id      INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  added_by     TEXT,
  added_in     TEXT,
  added_at     TEXT NOT NULL,
  PRIMARY KEY (platform, workspace_id, feed_id)
);
CREATE INDEX feed_subscriptions_feed ON feed_subscriptions (feed_id);
INSERT INTO feed_subscriptions (platform, workspace_id, feed_id, added_by, added_in, added_at)
  SELECT CASE WHEN added_in LIKE 'slack:%' THEN 'slack' WHEN added_in LIKE 'discord:%' THEN 'discord' ELSE 'console' END,
         '', id, added_by, added_in, added_at
  FROM feeds;
`,
};
