import type { App, HTTPReceiverOptions, Installation, InstallationQuery } from '@slack/bolt';
import { iso } from '../../src/clock.js';
import type { ChannelTarget } from '../../src/adapter.js';
import { pause } from '../../src/delivery/index.js';
import { DeliveryError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Services } from '../../src/services.js';
import { migrateSql } from '../../src/store/sql/migrate.js';
import { SqlInstallationStore, WorkspaceChannels, type Workspace } from './installations.js';
import { slackMigrations } from './migration.js';
import { SqlReplays } from './replays.js';
import type { SlackConfig } from './settings.js';
import { API_TIMEOUT_MS, apiUrlOption, RETRY_CONFIG } from './web-api.js';

/** Bolt's default paths: where a workspace admin starts an install, and where Slack sends them back with the code. */
export const INSTALL_PATH = '/slack/install';
const REDIRECT_PATH = '/slack/oauth_redirect';
/** What each installing workspace grants: the manifest's two bot scopes. */
const BOT_SCOPES = ['commands', 'chat:write'];
/** The scheduled posts a channel can have (the delivery layer's kinds); an uninstall pauses them all. */
const SCHEDULED_KINDS = ['spotlight', 'digest'];

/** Who the single-workspace token (SLACK_BOT_TOKEN) is, from auth.test. */
export type TokenIdentity = { teamId?: string; enterpriseId?: string; botId?: string; userId?: string };

/**
 * The Slack adapter's tenancy, all of it in the database so that replicas share it: each
 * workspace's installation (app distribution), which workspace each channel is used from, and the
 * requests already answered. Usable before `start` (a process that only posts).
 */
export class SlackTenancy {
  readonly installations: SqlInstallationStore;
  readonly channels: WorkspaceChannels;
  readonly replays: SqlReplays;
  private schema: Promise<unknown> | undefined;

  constructor(
    private readonly config: SlackConfig,
    private readonly services: Pick<Services, 'sql' | 'db' | 'clock'>,
    private readonly log: Logger,
  ) {
    this.installations = new SqlInstallationStore(services.sql, services.clock, config.tokenKey);
    this.channels = new WorkspaceChannels(services.sql, services.clock);
    this.replays = new SqlReplays(services.sql, log);
  }

  /** The adapter's tables, created once (the same portable migration on SQLite and PostgreSQL). */
  ready(): Promise<unknown> {
    this.schema ??= migrateSql(this.services.sql, slackMigrations, { log: this.log }).catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }

  /**
   * Every stored installation opens with SLACK_TOKEN_KEY (a ConfigError with the fix otherwise), and
   * those stored before the key was set are encrypted with it now.
   */
  async checkTokenKey(): Promise<void> {
    const sealed = await this.installations.checkKey();
    if (sealed > 0) this.log.info(`slack: ${sealed} installation(s) stored before SLACK_TOKEN_KEY was set are now encrypted with it`);
  }

  /** Notes the channel's workspace when a command or click arrives from it (distribution only: one workspace needs no note). */
  async noteChannel(workspace: Workspace, channelId: string): Promise<void> {
    if (!this.config.oauth) return;
    await this.ready();
    await this.channels.note(workspace, channelId);
  }

  /**
   * The bot token that posts in the workspace's channel: the single workspace's; or, with
   * distribution, the installation of the workspace the state belongs to, so that in a channel two
   * workspaces share (Slack Connect) each workspace's spotlight goes out as its own installation.
   * Null when that workspace has no installation (any more).
   */
  async tokenFor(target: ChannelTarget): Promise<string | null> {
    if (!this.config.oauth) return this.config.botToken ?? null;
    await this.ready();
    if (target.workspaceId) return this.installedToken(await this.channels.workspaceIn(target.workspaceId, target.channelId));
    // State recorded under workspace '' (before tenants existed) does not say whose it is: the
    // installation of the workspace the channel was last used from, or the single-workspace token
    // for a channel never used since distribution began. A command in the channel adopts such state
    // under its workspace, after which the branch above serves it.
    const workspaces = await this.channels.workspacesOf(target.channelId);
    for (const workspace of workspaces) {
      const token = await this.installedToken(workspace);
      if (token) return token;
    }
    return workspaces.length === 0 ? (this.config.botToken ?? null) : null;
  }

  private async installedToken(workspace: Workspace): Promise<string | null> {
    const installation = await this.installations.find({ teamId: workspace.teamId, enterpriseId: workspace.enterpriseId, isEnterpriseInstall: false });
    return installation?.bot?.token ?? null;
  }

  /** tokenFor, or a DeliveryError that pauses the schedule: no one can post there any more. */
  async requireTokenFor(target: ChannelTarget): Promise<string> {
    const token = await this.tokenFor(target);
    if (token) return token;
    const whose = target.workspaceId ? `workspace ${target.workspaceId} has no installation of paperbot for channel ${target.channelId} (it was uninstalled)` : `no workspace that has paperbot installed is known for channel ${target.channelId} (it was uninstalled, or no one has used /paper there yet)`;
    throw new DeliveryError(`slack: ${whose}`, true);
  }

  /**
   * Keeps the single-workspace token on when distribution starts: stored as its workspace's
   * installation unless that workspace has installed the app itself, so the workspace goes on
   * working without an install.
   */
  async adoptSingleWorkspaceToken(identity: TokenIdentity): Promise<void> {
    const token = this.config.botToken;
    if (!this.config.oauth || !token || !identity.teamId || !identity.botId || !identity.userId) return;
    await this.ready();
    const installation: Installation<'v2', false> = {
      team: { id: identity.teamId },
      enterprise: identity.enterpriseId ? { id: identity.enterpriseId } : undefined,
      user: { id: '', token: undefined, scopes: undefined },
      bot: { token, id: identity.botId, userId: identity.userId, scopes: BOT_SCOPES },
      tokenType: 'bot',
      isEnterpriseInstall: false,
      authVersion: 'v2',
    };
    if (await this.installations.storeIfAbsent(installation)) this.log.info(`slack: SLACK_BOT_TOKEN kept as the installation of workspace ${identity.teamId}`);
  }

  /**
   * The workspace uninstalled the app or revoked its bot token: its installation goes, and its
   * channels' scheduled posts are paused with the reason (`… on` in the channel resumes them after a
   * new install). Only its own: another workspace sharing a channel keeps its schedule. State from
   * before tenants (workspace '') pauses too when no installed workspace can post there any more.
   */
  async removeWorkspace(query: InstallationQuery<boolean>, why: string): Promise<void> {
    await this.ready();
    const removed = await this.installations.remove(query);
    const reason = `the Slack workspace ${why}`;
    let paused = 0;
    for (const channel of await this.channels.channelsOf(query)) {
      const orphaned = !(await this.tokenFor({ workspaceId: '', channelId: channel.channelId }));
      await pauseScheduledPosts(this.services, channel.teamId, channel.channelId, orphaned, reason);
      paused++;
    }
    const who = query.isEnterpriseInstall ? `org ${query.enterpriseId}` : `workspace ${query.teamId}`;
    this.log.info(`slack: ${who} ${why}: ${removed ? 'its installation is removed' : 'it had no installation here'}; scheduled posts paused in ${paused} channel(s)`);
  }
}

/**
 * The one call into the delivery layer: pause every scheduled kind of the workspace's channel, with
 * the reason; and the channel's rows from before the workspace was known (workspace ''), when
 * `withUnclaimed` (no installed workspace is left to post them).
 */
async function pauseScheduledPosts(services: Pick<Services, 'sql' | 'clock'>, workspaceId: string, channelId: string, withUnclaimed: boolean, reason: string): Promise<void> {
  const now = iso(services.clock.now().getTime());
  const workspaces = withUnclaimed ? new Set([workspaceId, '']) : [workspaceId];
  await services.sql.transaction(async (tx) => {
    for (const kind of SCHEDULED_KINDS) {
      for (const workspace of workspaces) await pause(tx, kind, { platform: 'slack', workspaceId: workspace, channel: channelId }, reason, now);
    }
  });
}

/**
 * Bolt's OAuth install and redirect routes on the HTTP receiver: `/slack/install` sends the admin to
 * Slack's authorize page with a signed state (a JWT under SLACK_STATE_SECRET, also set as a cookie,
 * so any replica with the same secret verifies it: nothing about an install in flight is kept in a
 * process); `/slack/oauth_redirect` checks the state against the cookie, exchanges the code with
 * oauth.v2.access and stores the installation in the database. The authorize page lives beside the
 * Web API (`…/oauth/v2/authorize` next to SLACK_API_URL's `…/api/`), so tests and proxies move both.
 */
export function installerReceiverOptions(config: SlackConfig, tenancy: SlackTenancy, log: Logger): Partial<HTTPReceiverOptions> {
  const oauth = config.oauth;
  if (!oauth) return {};
  return {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    installationStore: tenancy.installations,
    scopes: BOT_SCOPES,
    installerOptions: {
      installPath: INSTALL_PATH,
      redirectUriPath: REDIRECT_PATH,
      // Straight to Slack's consent page: our page would only hold the one link.
      directInstall: true,
      clientOptions: { ...apiUrlOption(config), retryConfig: RETRY_CONFIG, timeout: API_TIMEOUT_MS },
      ...(config.apiUrl ? { authorizationUrl: new URL('../oauth/v2/authorize', apiUrlOption(config).slackApiUrl).toString() } : {}),
      callbackOptions: {
        afterInstallation: async (installation) => {
          const where = installation.isEnterpriseInstall ? `org ${installation.enterprise?.id}` : `workspace ${installation.team?.id}`;
          log.info(`slack: installed in ${where}${installation.team?.name ? ` (${installation.team.name})` : ''}`);
          return true;
        },
      },
    },
  };
}

type LifecycleBody = { team_id?: string; enterprise_id?: string; authorizations?: { is_enterprise_install?: boolean }[] };

/**
 * `app_uninstalled` and `tokens_revoked` (of the bot's token) remove the workspace's installation
 * and pause its channels. Bolt runs these two without an installation to authorize them.
 */
export function listenForRemovals(app: App, tenancy: SlackTenancy): void {
  const queryOf = (body: LifecycleBody): InstallationQuery<boolean> => {
    const orgWide = body.authorizations?.[0]?.is_enterprise_install === true;
    return orgWide
      ? { enterpriseId: body.enterprise_id ?? '', teamId: undefined, isEnterpriseInstall: true }
      : { teamId: body.team_id ?? '', enterpriseId: body.enterprise_id, isEnterpriseInstall: false };
  };
  app.event('app_uninstalled', async ({ body }) => {
    await tenancy.removeWorkspace(queryOf(body as LifecycleBody), 'uninstalled paperbot');
  });
  app.event('tokens_revoked', async ({ body, event }) => {
    // Only the bot's token matters: paperbot asks for no user tokens.
    if ((event.tokens.bot ?? []).length === 0) return;
    await tenancy.removeWorkspace(queryOf(body as LifecycleBody), "revoked paperbot's token");
  });
}
