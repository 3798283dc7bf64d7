import type { Migration } from '../../store/migrations.js';

/** The topics a channel follows: queries in the search language, numbered by when they were added. */
export const followMigration: Migration = {
  version: 21,
  name: 'follow',
  sql: `
CREATE TABLE follows (
  id          INTEGER PRIMARY KEY,
  platform    TEXT NOT NULL,
  channel     TEXT NOT NULL,
  query       TEXT NOT NULL,
  created_by  TEXT,
  created_at  TEXT NOT NULL,
  UNIQUE (platform, channel, query)
);
CREATE INDEX follows_channel ON follows (platform, channel, id);
`,
};
