import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Clock } from '../../src/clock.js';
import type { SqlQueries } from '../../src/store/sql/types.js';
import { TokenSeal } from './token-seal.js';

/** A workspace as Slack names it: its team, and the Enterprise Grid org it belongs to, if any. */
export type Workspace = { teamId: string; enterpriseId?: string };

type Row = { enterprise_id: string; team_id: string; installation: string };

/**
 * Bolt's InstallationStore over the store interface (SQLite or PostgreSQL): one row per workspace,
 * the installation kept whole as Bolt hands it over (its docs ask to keep all of it), so every
 * replica reads the same tokens and an uninstall on one is seen by all at the next request.
 *
 * Keys: (enterprise, team) for a workspace's install, (enterprise, '') for an org-wide one. A
 * workspace inside an org finds its own install first, then its org's. With SLACK_TOKEN_KEY the
 * installation is stored encrypted (token-seal.ts); one stored before the key was set still reads,
 * and is encrypted at its next write.
 */
export class SqlInstallationStore implements InstallationStore {
  private readonly seal: TokenSeal;

  constructor(
    private readonly sql: SqlQueries,
    private readonly clock: Clock,
    tokenKey?: Buffer,
  ) {
    this.seal = new TokenSeal(tokenKey);
  }

  async storeInstallation(installation: Installation): Promise<void> {
    const now = this.clock.now().toISOString();
    const key = installationKey(installation);
    await this.sql.run(
      `INSERT INTO slack_installations (enterprise_id, team_id, installation, installed_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (enterprise_id, team_id) DO UPDATE SET installation = excluded.installation, updated_at = excluded.updated_at`,
      [key.enterpriseId, key.teamId, this.stored(installation, key), now, now],
    );
  }

  /** Stores an installation only when its workspace has none (the single-workspace token kept on after distribution began). */
  async storeIfAbsent(installation: Installation): Promise<boolean> {
    const now = this.clock.now().toISOString();
    const key = installationKey(installation);
    const changed = await this.sql.run(
      `INSERT INTO slack_installations (enterprise_id, team_id, installation, installed_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (enterprise_id, team_id) DO NOTHING`,
      [key.enterpriseId, key.teamId, this.stored(installation, key), now, now],
    );
    return changed > 0;
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const found = await this.find(query);
    // Bolt turns the throw into an AuthorizationError: no listener runs for a workspace without an installation.
    if (!found) throw new Error(`no installation of paperbot for ${describe(query)}`);
    return found;
  }

  /** The installation that serves the query, or null. */
  async find(query: InstallationQuery<boolean>): Promise<Installation | null> {
    const enterpriseId = query.enterpriseId ?? '';
    if (!query.isEnterpriseInstall && query.teamId) {
      const own = await this.sql.one<Row>(
        `SELECT enterprise_id, team_id, installation FROM slack_installations WHERE team_id = ? AND enterprise_id IN (?, '') ORDER BY enterprise_id DESC LIMIT 1`,
        [query.teamId, enterpriseId],
      );
      if (own) return this.opened(own);
    }
    if (!enterpriseId) return null;
    const org = await this.sql.one<Row>(`SELECT enterprise_id, team_id, installation FROM slack_installations WHERE enterprise_id = ? AND team_id = ''`, [enterpriseId]);
    return org ? this.opened(org) : null;
  }

  /**
   * At start: every stored installation opens with the key set (or none is encrypted when no key
   * is), so a missing or wrong SLACK_TOKEN_KEY stops the start with the fix rather than failing each
   * workspace's requests later; with a key, those stored before it was set are encrypted now (each
   * UPDATE only if the row is still what was read, so a replica's concurrent reinstall wins). How many
   * were encrypted.
   */
  async checkKey(): Promise<number> {
    const rows = await this.sql.all<Row>('SELECT enterprise_id, team_id, installation FROM slack_installations ORDER BY enterprise_id, team_id');
    let sealed = 0;
    for (const row of rows) {
      const installation = this.opened(row);
      if (!this.seal.enabled || TokenSeal.isSealed(row.installation)) continue;
      const key = { enterpriseId: row.enterprise_id, teamId: row.team_id };
      sealed += await this.sql.run('UPDATE slack_installations SET installation = ? WHERE enterprise_id = ? AND team_id = ? AND installation = ?', [
        this.stored(installation, key),
        key.enterpriseId,
        key.teamId,
        row.installation,
      ]);
    }
    return sealed;
  }

  private stored(installation: Installation, key: { enterpriseId: string; teamId: string }): string {
    return this.seal.seal(JSON.stringify(installation), rowContext(key));
  }

  private opened(row: Row): Installation {
    const key = { enterpriseId: row.enterprise_id, teamId: row.team_id };
    const what = `The stored Slack installation of ${key.teamId ? `workspace ${key.teamId}` : `org ${key.enterpriseId}`}`;
    return JSON.parse(this.seal.open(row.installation, rowContext(key), what)) as Installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.remove(query);
  }

  /** Removes the installation the query names (the org's own for an org-wide uninstall); how many rows went. */
  async remove(query: InstallationQuery<boolean>): Promise<number> {
    const enterpriseId = query.enterpriseId ?? '';
    if (query.isEnterpriseInstall) return this.sql.run(`DELETE FROM slack_installations WHERE enterprise_id = ? AND team_id = ''`, [enterpriseId]);
    return this.sql.run(`DELETE FROM slack_installations WHERE team_id = ? AND enterprise_id IN (?, '')`, [query.teamId ?? '', enterpriseId]);
  }
}

/** What an encrypted installation is bound to: its row's key. */
function rowContext(key: { enterpriseId: string; teamId: string }): string {
  return `slack_installations\n${key.enterpriseId}\n${key.teamId}`;
}

function installationKey(installation: Installation): { enterpriseId: string; teamId: string } {
  const enterpriseId = installation.enterprise?.id ?? '';
  return { enterpriseId, teamId: installation.isEnterpriseInstall ? '' : (installation.team?.id ?? '') };
}

function describe(query: InstallationQuery<boolean>): string {
  return query.isEnterpriseInstall ? `org ${query.enterpriseId}` : `workspace ${query.teamId}${query.enterpriseId ? ` (org ${query.enterpriseId})` : ''}`;
}

/**
 * Which workspace each channel has been used from. Written when a command or click arrives (once
 * per channel and process), read when the bot posts on its own: a channel id alone does not say
 * whose token may post there.
 */
export class WorkspaceChannels {
  private readonly noted = new Set<string>();

  constructor(
    private readonly sql: SqlQueries,
    private readonly clock: Clock,
  ) {}

  async note(workspace: Workspace, channelId: string): Promise<void> {
    if (!workspace.teamId || !channelId) return;
    const key = `${workspace.teamId}\n${channelId}`;
    if (this.noted.has(key)) return;
    await this.sql.run(
      `INSERT INTO slack_channels (team_id, channel_id, enterprise_id, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (team_id, channel_id) DO UPDATE SET enterprise_id = excluded.enterprise_id, seen_at = excluded.seen_at`,
      [workspace.teamId, channelId, workspace.enterpriseId ?? '', this.clock.now().toISOString()],
    );
    this.noted.add(key);
  }

  /** The workspaces the channel was used from, the latest first. */
  async workspacesOf(channelId: string): Promise<Workspace[]> {
    const rows = await this.sql.all<{ team_id: string; enterprise_id: string }>(
      'SELECT team_id, enterprise_id FROM slack_channels WHERE channel_id = ? ORDER BY seen_at DESC, team_id',
      [channelId],
    );
    return rows.map((r) => ({ teamId: r.team_id, ...(r.enterprise_id ? { enterpriseId: r.enterprise_id } : {}) }));
  }

  /** The workspace as it was seen in the channel (with its org, when it is in one); the team alone when it never was. */
  async workspaceIn(teamId: string, channelId: string): Promise<Workspace> {
    const row = await this.sql.one<{ enterprise_id: string }>('SELECT enterprise_id FROM slack_channels WHERE team_id = ? AND channel_id = ?', [teamId, channelId]);
    return { teamId, ...(row?.enterprise_id ? { enterpriseId: row.enterprise_id } : {}) };
  }

  /** The channels used from the workspace (or from any workspace of the org, for an org-wide uninstall), with the workspace each was used from. */
  async channelsOf(query: InstallationQuery<boolean>): Promise<{ teamId: string; channelId: string }[]> {
    const rows = query.isEnterpriseInstall
      ? await this.sql.all<{ team_id: string; channel_id: string }>('SELECT team_id, channel_id FROM slack_channels WHERE enterprise_id = ? ORDER BY channel_id, team_id', [query.enterpriseId ?? ''])
      : await this.sql.all<{ team_id: string; channel_id: string }>('SELECT team_id, channel_id FROM slack_channels WHERE team_id = ? ORDER BY channel_id', [query.teamId ?? '']);
    return rows.map((r) => ({ teamId: r.team_id, channelId: r.channel_id }));
  }
}
