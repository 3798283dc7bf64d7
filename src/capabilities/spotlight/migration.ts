import type { Migration } from '../../store/migrations.js';

/**
 * Spotlight state. A subscription row outlives `spotlight off` (enabled = 0) so the channel's
 * rotation carries on where it stopped. A post row is the claim on one slot: the UNIQUE key makes
 * two processes, a restart or a retry agree that a slot is posted at most once.
 *
 * Post status: `pending` (claimed; being posted or waiting for a retry), `posted`, `failed` (the
 * platform refused for good), `expired` (retries ran out of grace after known failures), `unknown`
 * (ran out of grace with an attempt whose outcome was never learnt, e.g. a crash mid-post: the
 * paper may be on the channel, so it stays used), `skipped` (missed beyond the grace window).
 * Times are ISO 8601 UTC strings, which sort as they compare.
 */
export const spotlightMigration: Migration = {
  version: 2,
  name: 'spotlight',
  portable: (d) => `
CREATE TABLE spotlight_subscriptions (
  platform      TEXT NOT NULL,
  channel       TEXT NOT NULL,
  schedule      TEXT NOT NULL,
  timezone      TEXT NOT NULL,
  lang          TEXT NOT NULL CHECK (lang IN ('en', 'zh')),
  enabled       INTEGER NOT NULL DEFAULT 1,
  enabled_at    TEXT NOT NULL,
  paused_reason TEXT,
  paused_at     TEXT,
  seed          INTEGER NOT NULL,
  round         INTEGER NOT NULL DEFAULT 1,
  created_by    TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (platform, channel)
);

CREATE TABLE spotlight_posts (
  id              ${d.autoIdColumn},
  platform        TEXT NOT NULL,
  channel         TEXT NOT NULL,
  slot            TEXT NOT NULL,
  trigger         TEXT NOT NULL CHECK (trigger IN ('schedule', 'now')),
  status          TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'failed', 'expired', 'unknown', 'skipped')),
  paper_id        TEXT,
  round           INTEGER,
  attempts        INTEGER NOT NULL DEFAULT 0,
  in_flight       INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error      TEXT,
  message_id      TEXT,
  claimed_at      TEXT NOT NULL,
  posted_at       TEXT,
  UNIQUE (platform, channel, slot)
);

CREATE INDEX spotlight_posts_round ON spotlight_posts (platform, channel, round, status);
CREATE INDEX spotlight_posts_pending ON spotlight_posts (status, next_attempt_at);
`,
};

/**
 * The spotlight on the delivery layer (after `deliveryMigration`, version 40, which copied the
 * schedules and claims of the two tables above into the shared ones): what stays the spotlight's own
 * is each channel's rotation (its seed and round) and the paper each claim posts, under the claim's id.
 * The old table names stay as read-only views.
 */
export const spotlightOnDeliveryMigration: Migration = {
  version: 41,
  name: 'spotlight on delivery',
  portable: () => `
CREATE TABLE spotlight_rotations (
  platform TEXT NOT NULL,
  channel  TEXT NOT NULL,
  seed     INTEGER NOT NULL,
  round    INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (platform, channel)
);
INSERT INTO spotlight_rotations (platform, channel, seed, round) SELECT platform, channel, seed, round FROM spotlight_subscriptions;

CREATE TABLE spotlight_picks (
  claim_id INTEGER PRIMARY KEY REFERENCES delivery_claims (id) ON DELETE CASCADE,
  paper_id TEXT NOT NULL,
  round    INTEGER NOT NULL
);
INSERT INTO spotlight_picks (claim_id, paper_id, round) SELECT id, paper_id, round FROM spotlight_posts WHERE paper_id IS NOT NULL;

DROP TABLE spotlight_posts;
DROP TABLE spotlight_subscriptions;

-- The old names, read-only, for queries and tools written against them (backups, reports).
CREATE VIEW spotlight_subscriptions AS
SELECT s.platform, s.channel, s.schedule, s.timezone, s.lang, s.enabled, s.enabled_at, s.paused_reason, s.paused_at,
       r.seed, r.round, s.created_by, s.created_at, s.updated_at
  FROM delivery_subscriptions s JOIN spotlight_rotations r ON r.platform = s.platform AND r.channel = s.channel
 WHERE s.kind = 'spotlight';
CREATE VIEW spotlight_posts AS
SELECT c.id, c.platform, c.channel, c.slot, c.trigger, c.status, p.paper_id, p.round, c.attempts, c.in_flight,
       c.next_attempt_at, c.last_error, c.message_id, c.claimed_at, c.posted_at
  FROM delivery_claims c LEFT JOIN spotlight_picks p ON p.claim_id = c.id
 WHERE c.kind = 'spotlight';
`,
};
