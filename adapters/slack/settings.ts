import { commaList, httpUrl, settingReader, urlSecrets, wholeNumber, type Env } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { readTokenKey, tokenKeyForms } from './token-seal.js';

/** App distribution: Bolt's OAuth install and redirect routes, and each workspace's installation in the database. */
type SlackOAuthConfig = {
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth state (a JWT in a cookie and the URL), so any replica sharing it verifies an install begun on another. */
  stateSecret: string;
};

export type SlackConfig = {
  /**
   * The one workspace's token (single-workspace bot). With `oauth` it is optional: each workspace's
   * token then comes from its installation, and this one, when set, keeps serving the workspace it
   * belongs to (the one the bot ran in before distribution).
   */
  botToken?: string;
  /** Socket Mode when set; HTTP mode otherwise. */
  appToken?: string;
  signingSecret?: string;
  oauth?: SlackOAuthConfig;
  port: number;
  apiUrl?: string;
  /** Who manages channels (spotlight, closing polls, the reading history); empty means everyone, and the bot says so. */
  adminUsers: string[];
  /** SLACK_TOKEN_KEY: when set, installations (their tokens) are stored encrypted with it (token-seal.ts). */
  tokenKey?: Buffer;
};

const OAUTH_SETTINGS = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;
/** A state secret shorter than this is guessable enough to forge an install's state. */
const MIN_STATE_SECRET_LENGTH = 32;

/**
 * Slack's settings, validated: undefined when none of its tokens is set (Slack is not used), a
 * ConfigError naming the variable and the fix when they are set but incomplete or malformed.
 */
export function readSlackSettings(env: Env): SlackConfig | undefined {
  const get = settingReader(env);
  if (!['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', ...OAUTH_SETTINGS].some(get)) return undefined;
  const botToken = get('SLACK_BOT_TOKEN');
  const appToken = get('SLACK_APP_TOKEN');
  const signingSecret = get('SLACK_SIGNING_SECRET');
  const oauth = readOAuthSettings(get);
  if (!botToken && !oauth) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN is required to run on Slack. Install the app to your workspace and copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions (or set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET to let workspaces install it themselves).',
    );
  }
  if (botToken && !botToken.startsWith('xoxb-')) {
    throw new ConfigError('SLACK_BOT_TOKEN must be a bot token starting with "xoxb-" (OAuth & Permissions → Bot User OAuth Token).');
  }
  if (appToken && !appToken.startsWith('xapp-')) {
    throw new ConfigError(
      'SLACK_APP_TOKEN must be an app-level token starting with "xapp-" with the connections:write scope (Basic Information → App-Level Tokens).',
    );
  }
  if (oauth && appToken) {
    throw new ConfigError(
      'SLACK_CLIENT_ID (app distribution) needs HTTP mode: Slack sends the installs to /slack/oauth_redirect on a public address. Unset SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET.',
    );
  }
  if (!appToken && !signingSecret) {
    throw new ConfigError(
      oauth
        ? 'SLACK_SIGNING_SECRET is required with SLACK_CLIENT_ID (app distribution runs in HTTP mode): Basic Information → Signing Secret.'
        : 'Slack needs either SLACK_APP_TOKEN (Socket Mode, no public URL needed) or SLACK_SIGNING_SECRET (HTTP mode; Basic Information → Signing Secret).',
    );
  }
  return {
    botToken,
    appToken,
    signingSecret,
    oauth,
    port: wholeNumber(get('SLACK_PORT'), 3000, 'SLACK_PORT', 0, 65535),
    apiUrl: httpUrl(get('SLACK_API_URL'), 'SLACK_API_URL'),
    adminUsers: commaList(get('SLACK_ADMIN_USERS')),
    tokenKey: readTokenKey(get('SLACK_TOKEN_KEY')),
  };
}

/** The three distribution settings: all of them or none. */
function readOAuthSettings(get: (name: string) => string | undefined): SlackOAuthConfig | undefined {
  const missing = OAUTH_SETTINGS.filter((name) => !get(name));
  if (missing.length === OAUTH_SETTINGS.length) return undefined;
  if (missing.length > 0) {
    throw new ConfigError(
      `Slack app distribution needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together; ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing. Copy the Client ID and Client Secret from Basic Information → App Credentials, and set SLACK_STATE_SECRET to a long random string (openssl rand -hex 32), the same on every replica; or unset all three for a single-workspace bot.`,
    );
  }
  const stateSecret = get('SLACK_STATE_SECRET') as string;
  if (stateSecret.length < MIN_STATE_SECRET_LENGTH) {
    throw new ConfigError(
      `SLACK_STATE_SECRET must be at least ${MIN_STATE_SECRET_LENGTH} characters (it signs every install's state); generate one with openssl rand -hex 32 and give every replica the same.`,
    );
  }
  return { clientId: get('SLACK_CLIENT_ID') as string, clientSecret: get('SLACK_CLIENT_SECRET') as string, stateSecret };
}

/** What the logger must mask. */
export function slackSecrets(config: SlackConfig): (string | undefined)[] {
  return [
    config.botToken,
    config.appToken,
    config.signingSecret,
    config.oauth?.clientSecret,
    config.oauth?.stateSecret,
    ...tokenKeyForms(config.tokenKey),
    ...urlSecrets(config.apiUrl),
  ];
}
