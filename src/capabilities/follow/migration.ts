import { continueIds } from '../../delivery/index.js';
import type { Migration } from '../../store/migrations.js';

/** The topics a channel follows: queries in the search language, numbered by when they were added. */
export const followMigration: Migration = {
  version: 21,
  name: 'follow',
  portable: (d) => `
CREATE TABLE follows (
  id          ${d.autoIdColumn},
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

/** The followed topics gain the workspace in their key, as the delivery state did in migration 60. */
export const followTenantsMigration: Migration = {
  version: 61,
  name: 'follow-tenants',
  portable: (d) => `
CREATE TABLE follows_by_tenant (
  id           ${d.autoIdColumn},
  platform     TEXT NOT NULL,
  workspace_id TEXT NOT NULL DEFAULT '',
  channel      TEXT NOT NULL,
  query        TEXT NOT NULL,
  created_by   TEXT,
  created_at   TEXT NOT NULL,
  UNIQUE (platform, workspace_id, channel, query)
);
INSERT INTO follows_by_tenant (id, platform, workspace_id, channel, query, created_by, created_at)
SELECT id, platform, '', channel, query, created_by, created_at FROM follows ORDER BY id;
DROP TABLE follows;
ALTER TABLE follows_by_tenant RENAME TO follows;
CREATE INDEX follows_channel ON follows (platform, workspace_id, channel, id);
${continueIds(d, 'follows')}
`,
};
