import type { Migration } from '../store/migrations.js';
import type { Dialect } from '../store/sql/dialect.js';

/**
 * The delivery layer's state, shared by every kind of scheduled post (`spotlight`, `digest`).
 *
 * A subscription row is a channel's schedule for one kind; it outlives `off` (enabled = 0) and holds
 * the reason a channel that refused a post was paused with. A claim row is one kind's claim on one
 * slot of one channel: the UNIQUE key makes two processes, a restart or a retry agree that a slot is
 * posted at most once. The attempt columns are the lease: an attempt moves `next_attempt_at` forward
 * and sets `in_flight`; a process that stops mid-post hands the lease back (leases.ts).
 *
 * Claim status: `pending` (claimed; being posted or waiting for a retry), `posted`, `failed` (the
 * platform refused for good), `expired` (retries ran out of grace after known failures), `unknown`
 * (ran out of grace with an attempt whose outcome was never learnt: it may be on the channel),
 * `skipped` (missed beyond the grace window), `empty` (nothing to post: the slot is recorded, nothing
 * goes out). `carried_by` names the claim whose message carries this one (a spotlight and a digest in
 * the same slot of a channel go out as one message); a carried claim is attempted only by its carrier.
 *
 * Until this migration each kind kept these columns in its own tables (spotlight_subscriptions,
 * spotlight_posts, digest_subscriptions, digest_posts); their rows are copied here, spotlight claims
 * under their own ids. Each kind's migration after this one keeps only what is its own and drops the
 * old tables.
 */
export const deliveryMigration: Migration = {
  version: 40,
  name: 'delivery',
  // Portable since issue 15 (SQLite files that have it recorded skip it); on a new PostgreSQL
  // database the old tables it copies from are empty.
  portable: (d) => `
CREATE TABLE delivery_subscriptions (
  kind          TEXT NOT NULL,
  platform      TEXT NOT NULL,
  channel       TEXT NOT NULL,
  schedule      TEXT NOT NULL,
  timezone      TEXT NOT NULL,
  lang          TEXT NOT NULL CHECK (lang IN ('en', 'zh')),
  enabled       INTEGER NOT NULL DEFAULT 1,
  enabled_at    TEXT NOT NULL,
  paused_reason TEXT,
  paused_at     TEXT,
  created_by    TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (kind, platform, channel)
);

CREATE TABLE delivery_claims (
  id              ${d.autoIdColumn},
  kind            TEXT NOT NULL,
  platform        TEXT NOT NULL,
  channel         TEXT NOT NULL,
  slot            TEXT NOT NULL,
  trigger         TEXT NOT NULL CHECK (trigger IN ('schedule', 'now')),
  status          TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'failed', 'expired', 'unknown', 'skipped', 'empty')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  in_flight       INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error      TEXT,
  message_id      TEXT,
  claimed_at      TEXT NOT NULL,
  posted_at       TEXT,
  carried_by      INTEGER REFERENCES delivery_claims (id),
  UNIQUE (kind, platform, channel, slot)
);
CREATE INDEX delivery_claims_pending ON delivery_claims (status, next_attempt_at);
CREATE INDEX delivery_claims_carried ON delivery_claims (carried_by) WHERE carried_by IS NOT NULL;

INSERT INTO delivery_subscriptions
  (kind, platform, channel, schedule, timezone, lang, enabled, enabled_at, paused_reason, paused_at, created_by, created_at, updated_at)
SELECT 'spotlight', platform, channel, schedule, timezone, lang, enabled, enabled_at, paused_reason, paused_at, created_by, created_at, updated_at
  FROM spotlight_subscriptions;
INSERT INTO delivery_subscriptions
  (kind, platform, channel, schedule, timezone, lang, enabled, enabled_at, paused_reason, paused_at, created_by, created_at, updated_at)
SELECT 'digest', platform, channel, schedule, timezone, lang, enabled, enabled_at, paused_reason, paused_at, created_by, created_at, updated_at
  FROM digest_subscriptions;

INSERT INTO delivery_claims
  (id, kind, platform, channel, slot, trigger, status, attempts, in_flight, next_attempt_at, last_error, message_id, claimed_at, posted_at)
SELECT id, 'spotlight', platform, channel, slot, trigger, status, attempts, in_flight, next_attempt_at, last_error, message_id, claimed_at, posted_at
  FROM spotlight_posts;
INSERT INTO delivery_claims
  (kind, platform, channel, slot, trigger, status, attempts, in_flight, next_attempt_at, last_error, message_id, claimed_at, posted_at)
SELECT 'digest', platform, channel, slot, trigger, status, attempts, in_flight, next_attempt_at, last_error, message_id, claimed_at, posted_at
  FROM digest_posts ORDER BY id;

-- A spotlight a digest carried: its carrier is the digest's new row; a pending one waits on it, not on a far-future lease.
UPDATE delivery_claims
   SET carried_by = (
         SELECT c.id FROM digest_posts d
           JOIN delivery_claims c ON c.kind = 'digest' AND c.platform = d.platform AND c.channel = d.channel AND c.slot = d.slot
          WHERE d.spotlight_post_id = delivery_claims.id),
       next_attempt_at = CASE WHEN status = 'pending' THEN NULL ELSE next_attempt_at END,
       in_flight = 0
 WHERE kind = 'spotlight' AND id IN (SELECT spotlight_post_id FROM digest_posts WHERE spotlight_post_id IS NOT NULL);
`,
};

/** On PostgreSQL, after rows were copied with their ids: the identity continues above the highest. */
export function continueIds(d: Dialect, table: string): string {
  return d.name === 'postgres' ? `SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT MAX(id) FROM ${table}), 0) + 1, false);` : '';
}

/**
 * Tenants (issue 15): a channel id is only unique within its workspace (a Slack team, a Discord
 * server; Slack Connect shares one channel id between workspaces), so every key of the delivery
 * state gains `workspace_id` ('' for what was recorded before, and for the console): subscriptions,
 * claims, the spotlight's rotations and the digest's papers. Neither engine can change a primary key
 * or an inline UNIQUE in place, so the tables are copied into new ones and renamed. One migration for
 * the delivery layer's tables and the spotlight's and digest's, because those hang off the claims by
 * foreign key: the claims table can only be replaced together with them (PostgreSQL refuses to drop
 * a table others reference; SQLite would cascade the drop into their rows).
 *
 * The old table names of migrations 41 and 42, kept as read-only views until now, are dropped: a view
 * without the workspace would merge two workspaces' channels of one id, and every later rebuild of
 * the tables beneath would have to drop and recreate them on both engines. Claims keep their ids
 * (a carried claim names its carrier), and `carried_by` is checked at commit, so a copy in any row
 * order (`migrate-to-postgres`) holds.
 */
export const deliveryTenantsMigration: Migration = {
  version: 60,
  name: 'delivery-tenants',
  portable: (d) => `
DROP VIEW spotlight_subscriptions;
DROP VIEW spotlight_posts;
DROP VIEW digest_subscriptions;
DROP VIEW digest_posts;
DROP VIEW digest_items;

CREATE TABLE delivery_subscriptions_by_tenant (
  kind          TEXT NOT NULL,
  platform      TEXT NOT NULL,
  workspace_id  TEXT NOT NULL DEFAULT '',
  channel       TEXT NOT NULL,
  schedule      TEXT NOT NULL,
  timezone      TEXT NOT NULL,
  lang          TEXT NOT NULL CHECK (lang IN ('en', 'zh')),
  enabled       INTEGER NOT NULL DEFAULT 1,
  enabled_at    TEXT NOT NULL,
  paused_reason TEXT,
  paused_at     TEXT,
  created_by    TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (kind, platform, workspace_id, channel)
);
INSERT INTO delivery_subscriptions_by_tenant
  (kind, platform, workspace_id, channel, schedule, timezone, lang, enabled, enabled_at, paused_reason, paused_at, created_by, created_at, updated_at)
SELECT kind, platform, '', channel, schedule, timezone, lang, enabled, enabled_at, paused_reason, paused_at, created_by, created_at, updated_at
  FROM delivery_subscriptions;

CREATE TABLE delivery_claims_by_tenant (
  id              ${d.autoIdColumn},
  kind            TEXT NOT NULL,
  platform        TEXT NOT NULL,
  workspace_id    TEXT NOT NULL DEFAULT '',
  channel         TEXT NOT NULL,
  slot            TEXT NOT NULL,
  trigger         TEXT NOT NULL CHECK (trigger IN ('schedule', 'now')),
  status          TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'failed', 'expired', 'unknown', 'skipped', 'empty')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  in_flight       INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error      TEXT,
  message_id      TEXT,
  claimed_at      TEXT NOT NULL,
  posted_at       TEXT,
  carried_by      INTEGER REFERENCES delivery_claims_by_tenant (id) DEFERRABLE INITIALLY DEFERRED,
  UNIQUE (kind, platform, workspace_id, channel, slot)
);
INSERT INTO delivery_claims_by_tenant
  (id, kind, platform, workspace_id, channel, slot, trigger, status, attempts, in_flight, next_attempt_at, last_error, message_id, claimed_at, posted_at, carried_by)
SELECT id, kind, platform, '', channel, slot, trigger, status, attempts, in_flight, next_attempt_at, last_error, message_id, claimed_at, posted_at, carried_by
  FROM delivery_claims ORDER BY id;

CREATE TABLE spotlight_rotations_by_tenant (
  platform     TEXT NOT NULL,
  workspace_id TEXT NOT NULL DEFAULT '',
  channel      TEXT NOT NULL,
  seed         INTEGER NOT NULL,
  round        INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (platform, workspace_id, channel)
);
INSERT INTO spotlight_rotations_by_tenant (platform, workspace_id, channel, seed, round) SELECT platform, '', channel, seed, round FROM spotlight_rotations;

CREATE TABLE spotlight_picks_by_tenant (
  claim_id INTEGER PRIMARY KEY REFERENCES delivery_claims_by_tenant (id) ON DELETE CASCADE,
  paper_id TEXT NOT NULL,
  round    INTEGER NOT NULL
);
INSERT INTO spotlight_picks_by_tenant (claim_id, paper_id, round) SELECT claim_id, paper_id, round FROM spotlight_picks;

CREATE TABLE digest_windows_by_tenant (
  claim_id    INTEGER PRIMARY KEY REFERENCES delivery_claims_by_tenant (id) ON DELETE CASCADE,
  window_to   TEXT NOT NULL,
  paper_count INTEGER NOT NULL DEFAULT 0
);
INSERT INTO digest_windows_by_tenant (claim_id, window_to, paper_count) SELECT claim_id, window_to, paper_count FROM digest_windows;

CREATE TABLE digest_papers_by_tenant (
  platform     TEXT NOT NULL,
  workspace_id TEXT NOT NULL DEFAULT '',
  channel      TEXT NOT NULL,
  paper_id     TEXT NOT NULL,
  claim_id     INTEGER NOT NULL REFERENCES delivery_claims_by_tenant (id) ON DELETE CASCADE,
  topic        TEXT NOT NULL,
  rank         INTEGER NOT NULL,
  PRIMARY KEY (platform, workspace_id, channel, paper_id)
);
INSERT INTO digest_papers_by_tenant (platform, workspace_id, channel, paper_id, claim_id, topic, rank)
SELECT platform, '', channel, paper_id, claim_id, topic, rank FROM digest_papers;

DROP TABLE spotlight_picks;
DROP TABLE digest_windows;
DROP TABLE digest_papers;
DROP TABLE delivery_claims;
DROP TABLE delivery_subscriptions;
DROP TABLE spotlight_rotations;
ALTER TABLE delivery_subscriptions_by_tenant RENAME TO delivery_subscriptions;
ALTER TABLE delivery_claims_by_tenant RENAME TO delivery_claims;
ALTER TABLE spotlight_rotations_by_tenant RENAME TO spotlight_rotations;
ALTER TABLE spotlight_picks_by_tenant RENAME TO spotlight_picks;
ALTER TABLE digest_windows_by_tenant RENAME TO digest_windows;
ALTER TABLE digest_papers_by_tenant RENAME TO digest_papers;
CREATE INDEX delivery_claims_pending ON delivery_claims (status, next_attempt_at);
CREATE INDEX delivery_claims_carried ON delivery_claims (carried_by) WHERE carried_by IS NOT NULL;
CREATE INDEX delivery_claims_recent ON delivery_claims (kind, slot);
CREATE INDEX digest_papers_claim ON digest_papers (claim_id, rank);
${continueIds(d, 'delivery_claims')}
`,
};
