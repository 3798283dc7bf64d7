import type { Migration } from '../../store/migrations.js';

/**
 * Digest state, shaped like the spotlight's. A post row is the claim on one slot (UNIQUE per channel
 * and slot), written with the papers it will carry in `digest_items` in the same transaction; the
 * primary key of `digest_items` (channel, paper) is what keeps a paper in a channel's digest at most
 * once, ever. A post that never reached the channel (failed, expired) gives its papers back.
 *
 * Post status as the spotlight's, plus `empty` (nothing new matched: nothing posted, but the window
 * moves on). `window_to` is the end of the catalog window the post covered; the next digest starts
 * there. `spotlight_post_id` is set when the post also carries the channel's spotlight of the same slot.
 */
export const digestMigration: Migration = {
  version: 22,
  name: 'digest',
  portable: (d) => `
CREATE TABLE digest_subscriptions (
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
  PRIMARY KEY (platform, channel)
);

CREATE TABLE digest_posts (
  id                ${d.autoIdColumn},
  platform          TEXT NOT NULL,
  channel           TEXT NOT NULL,
  slot              TEXT NOT NULL,
  trigger           TEXT NOT NULL CHECK (trigger IN ('schedule', 'now')),
  status            TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'failed', 'expired', 'unknown', 'skipped', 'empty')),
  window_to         TEXT NOT NULL,
  paper_count       INTEGER NOT NULL DEFAULT 0,
  spotlight_post_id INTEGER,
  attempts          INTEGER NOT NULL DEFAULT 0,
  in_flight         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   TEXT,
  last_error        TEXT,
  message_id        TEXT,
  claimed_at        TEXT NOT NULL,
  posted_at         TEXT,
  UNIQUE (platform, channel, slot)
);
CREATE INDEX digest_posts_pending ON digest_posts (status, next_attempt_at);

CREATE TABLE digest_items (
  platform  TEXT NOT NULL,
  channel   TEXT NOT NULL,
  paper_id  TEXT NOT NULL,
  post_id   INTEGER NOT NULL REFERENCES digest_posts (id) ON DELETE CASCADE,
  topic     TEXT NOT NULL,
  rank      INTEGER NOT NULL,
  PRIMARY KEY (platform, channel, paper_id)
);
CREATE INDEX digest_items_post ON digest_items (post_id, rank);
`,
};

/**
 * The digest on the delivery layer (after `deliveryMigration`, version 40, which copied the schedules
 * and claims of the tables above into the shared ones, under new ids): what stays the digest's own is
 * each claim's window (`window_to`, how many papers) and the papers it carries (`digest_papers`, whose
 * key still keeps a paper in a channel's digest at most once, ever). A digest that carried the
 * spotlight of its slot is now said by the spotlight claim's `carried_by`. The old table names stay as
 * read-only views.
 */
export const digestOnDeliveryMigration: Migration = {
  version: 42,
  name: 'digest on delivery',
  portable: () => `
CREATE TABLE digest_windows (
  claim_id    INTEGER PRIMARY KEY REFERENCES delivery_claims (id) ON DELETE CASCADE,
  window_to   TEXT NOT NULL,
  paper_count INTEGER NOT NULL DEFAULT 0
);
INSERT INTO digest_windows (claim_id, window_to, paper_count)
SELECT c.id, d.window_to, d.paper_count FROM digest_posts d
  JOIN delivery_claims c ON c.kind = 'digest' AND c.platform = d.platform AND c.channel = d.channel AND c.slot = d.slot;

CREATE TABLE digest_papers (
  platform TEXT NOT NULL,
  channel  TEXT NOT NULL,
  paper_id TEXT NOT NULL,
  claim_id INTEGER NOT NULL REFERENCES delivery_claims (id) ON DELETE CASCADE,
  topic    TEXT NOT NULL,
  rank     INTEGER NOT NULL,
  PRIMARY KEY (platform, channel, paper_id)
);
INSERT INTO digest_papers (platform, channel, paper_id, claim_id, topic, rank)
SELECT i.platform, i.channel, i.paper_id, c.id, i.topic, i.rank FROM digest_items i
  JOIN digest_posts d ON d.id = i.post_id
  JOIN delivery_claims c ON c.kind = 'digest' AND c.platform = d.platform AND c.channel = d.channel AND c.slot = d.slot;
CREATE INDEX digest_papers_claim ON digest_papers (claim_id, rank);

DROP TABLE digest_items;
DROP TABLE digest_posts;
DROP TABLE digest_subscriptions;

-- The old names, read-only, for queries and tools written against them (backups, reports).
CREATE VIEW digest_subscriptions AS
SELECT platform, channel, schedule, timezone, lang, enabled, enabled_at, paused_reason, paused_at, created_by, created_at, updated_at
  FROM delivery_subscriptions WHERE kind = 'digest';
CREATE VIEW digest_posts AS
SELECT c.id, c.platform, c.channel, c.slot, c.trigger, c.status, COALESCE(w.window_to, c.slot) AS window_to,
       COALESCE(w.paper_count, 0) AS paper_count,
       (SELECT s.id FROM delivery_claims s WHERE s.carried_by = c.id AND s.kind = 'spotlight') AS spotlight_post_id,
       c.attempts, c.in_flight, c.next_attempt_at, c.last_error, c.message_id, c.claimed_at, c.posted_at
  FROM delivery_claims c LEFT JOIN digest_windows w ON w.claim_id = c.id
 WHERE c.kind = 'digest';
CREATE VIEW digest_items AS
SELECT platform, channel, paper_id, claim_id AS post_id, topic, rank FROM digest_papers;
`,
};
