import type { Migration } from '../../src/store/migrations.js';

/**
 * The Slack adapter's own state, on the store interface (SQLite or PostgreSQL), shared by every
 * replica so that none keeps per-process state that a second one would need:
 *
 * - `slack_installations`: each workspace's installation (app distribution), as Bolt's Installation
 *   JSON, keyed by (enterprise, team); an org-wide install has team ''.
 * - `slack_channels`: which workspaces each channel has been used from (and their org), so an
 *   uninstall knows which channels' scheduled posts to pause. An unprompted post goes out as the
 *   workspace its state is kept under; only state from before tenants (workspace '') falls back to
 *   the channel's latest workspace here. A shared channel can belong to several workspaces.
 * - `slack_requests_seen`: requests already answered (trigger_id, event_id or body hash) until their
 *   replay window ends, so a request Slack sends again is run once whichever replica it reaches.
 *
 * Version 70 (the Slack adapter's range is 70–74).
 */
const slackMigration: Migration = {
  version: 70,
  name: 'slack',
  portable: () => `
CREATE TABLE slack_installations (
  enterprise_id TEXT NOT NULL DEFAULT '',
  team_id TEXT NOT NULL DEFAULT '',
  installation TEXT NOT NULL,
  installed_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (enterprise_id, team_id)
);
CREATE INDEX slack_installations_team ON slack_installations (team_id);

CREATE TABLE slack_channels (
  team_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  enterprise_id TEXT NOT NULL DEFAULT '',
  seen_at TEXT NOT NULL,
  PRIMARY KEY (team_id, channel_id)
);
CREATE INDEX slack_channels_channel ON slack_channels (channel_id, seen_at);

CREATE TABLE slack_requests_seen (
  request_key TEXT PRIMARY KEY,
  expires_at TEXT NOT NULL
);
CREATE INDEX slack_requests_seen_expiry ON slack_requests_seen (expires_at);
`,
};

/** The adapter's migrations, for the schema's full list (doctor, migrate-to-postgres) and for the adapter's start. */
export const slackMigrations: Migration[] = [slackMigration];
