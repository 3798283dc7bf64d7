import type { Migration } from '../../store/migrations.js';

/**
 * Reading-group state. A group is a channel (platform + channel id). Votes are unique per
 * (poll, option, user), so a repeated or concurrent click can never count twice; at most one poll is
 * open per channel, enforced by a partial unique index rather than by timing. Offer history is the
 * options of past polls, so there is one record of what was offered and when.
 */
export const readingGroupMigration: Migration = {
  version: 3,
  name: 'reading-group',
  // Written for SQLite first; the dialect's key column makes it the same schema on PostgreSQL.
  portable: (d) => `
CREATE TABLE reading_polls (
  id ${d.autoIdColumn},
  platform TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  opened_by_name TEXT,
  opened_at TEXT NOT NULL,
  lang TEXT NOT NULL,
  topic TEXT NOT NULL DEFAULT '',
  closed_at TEXT,
  closed_by TEXT,
  winner_n INTEGER,
  message_ref TEXT
);
CREATE UNIQUE INDEX reading_polls_one_open ON reading_polls (platform, channel_id) WHERE closed_at IS NULL;
CREATE INDEX reading_polls_channel ON reading_polls (platform, channel_id, id);

CREATE TABLE reading_poll_options (
  poll_id INTEGER NOT NULL REFERENCES reading_polls (id),
  n INTEGER NOT NULL,
  paper_id TEXT NOT NULL,
  PRIMARY KEY (poll_id, n),
  UNIQUE (poll_id, paper_id)
);
CREATE INDEX reading_poll_options_paper ON reading_poll_options (paper_id);

CREATE TABLE reading_votes (
  id ${d.autoIdColumn},
  poll_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  voted_at TEXT NOT NULL,
  UNIQUE (poll_id, n, user_id),
  FOREIGN KEY (poll_id, n) REFERENCES reading_poll_options (poll_id, n)
);
CREATE INDEX reading_votes_order ON reading_votes (poll_id, n, voted_at, id);

CREATE TABLE reading_next (
  platform TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  paper_id TEXT NOT NULL,
  poll_id INTEGER,
  chosen_at TEXT NOT NULL,
  PRIMARY KEY (platform, channel_id)
);

CREATE TABLE reading_reads (
  platform TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  paper_id TEXT NOT NULL,
  read_on TEXT NOT NULL,
  marked_at TEXT NOT NULL,
  marked_by TEXT NOT NULL,
  PRIMARY KEY (platform, channel_id, paper_id)
);
`,
};

/**
 * Tenants: a channel id is only unique within its workspace (Slack team, Discord server), so every
 * group key gains `workspace_id` ('' for what was recorded before, and for the console). Polls gain
 * the column and their two indexes are rebuilt on the full key; the chosen paper and the reading
 * history are copied into tables whose primary key includes it (neither engine can change a primary
 * key in place). Options and votes hang off a poll id and so belong to the poll's tenant.
 */
export const readingTenantsMigration: Migration = {
  version: 50,
  name: 'reading-group-tenants',
  portable: () => `
ALTER TABLE reading_polls ADD COLUMN workspace_id TEXT NOT NULL DEFAULT '';
DROP INDEX reading_polls_one_open;
DROP INDEX reading_polls_channel;
CREATE UNIQUE INDEX reading_polls_one_open ON reading_polls (platform, workspace_id, channel_id) WHERE closed_at IS NULL;
CREATE INDEX reading_polls_channel ON reading_polls (platform, workspace_id, channel_id, id);

CREATE TABLE reading_next_by_tenant (
  platform TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  paper_id TEXT NOT NULL,
  poll_id INTEGER,
  chosen_at TEXT NOT NULL,
  PRIMARY KEY (platform, workspace_id, channel_id)
);
INSERT INTO reading_next_by_tenant (platform, workspace_id, channel_id, paper_id, poll_id, chosen_at)
  SELECT platform, '', channel_id, paper_id, poll_id, chosen_at FROM reading_next;
DROP TABLE reading_next;
ALTER TABLE reading_next_by_tenant RENAME TO reading_next;

CREATE TABLE reading_reads_by_tenant (
  platform TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  paper_id TEXT NOT NULL,
  read_on TEXT NOT NULL,
  marked_at TEXT NOT NULL,
  marked_by TEXT NOT NULL,
  PRIMARY KEY (platform, workspace_id, channel_id, paper_id)
);
INSERT INTO reading_reads_by_tenant (platform, workspace_id, channel_id, paper_id, read_on, marked_at, marked_by)
  SELECT platform, '', channel_id, paper_id, read_on, marked_at, marked_by FROM reading_reads;
DROP TABLE reading_reads;
ALTER TABLE reading_reads_by_tenant RENAME TO reading_reads;
`,
};
