import type { Migration } from '../store/migrations.js';

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
  sql: `
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
  id              INTEGER PRIMARY KEY,
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
