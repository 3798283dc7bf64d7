import { commaList, httpUrl, settingReader, urlSecrets, wholeNumber, type Env } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

export type SlackConfig = {
  botToken: string;
  /** Socket Mode when set; HTTP mode otherwise. */
  appToken?: string;
  signingSecret?: string;
  port: number;
  apiUrl?: string;
  /** Who manages channels (spotlight, closing polls, the reading history); empty means everyone, and the bot says so. */
  adminUsers: string[];
};

/**
 * Slack's settings, validated: undefined when none of its tokens is set (Slack is not used), a
 * ConfigError naming the variable and the fix when they are set but incomplete or malformed.
 */
export function readSlackSettings(env: Env): SlackConfig | undefined {
  const get = settingReader(env);
  if (!['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'].some(get)) return undefined;
  const botToken = get('SLACK_BOT_TOKEN');
  const appToken = get('SLACK_APP_TOKEN');
  const signingSecret = get('SLACK_SIGNING_SECRET');
  if (!botToken) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN is required to run on Slack. Install the app to your workspace and copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions.',
    );
  }
  if (!botToken.startsWith('xoxb-')) {
    throw new ConfigError('SLACK_BOT_TOKEN must be a bot token starting with "xoxb-" (OAuth & Permissions → Bot User OAuth Token).');
  }
  if (appToken && !appToken.startsWith('xapp-')) {
    throw new ConfigError(
      'SLACK_APP_TOKEN must be an app-level token starting with "xapp-" with the connections:write scope (Basic Information → App-Level Tokens).',
    );
  }
  if (!appToken && !signingSecret) {
    throw new ConfigError(
      'Slack needs either SLACK_APP_TOKEN (Socket Mode, no public URL needed) or SLACK_SIGNING_SECRET (HTTP mode; Basic Information → Signing Secret).',
    );
  }
  return {
    botToken,
    appToken,
    signingSecret,
    port: wholeNumber(get('SLACK_PORT'), 3000, 'SLACK_PORT', 0, 65535),
    apiUrl: httpUrl(get('SLACK_API_URL'), 'SLACK_API_URL'),
    adminUsers: commaList(get('SLACK_ADMIN_USERS')),
  };
}

/** What the logger must mask. */
export function slackSecrets(config: SlackConfig): (string | undefined)[] {
  return [config.botToken, config.appToken, config.signingSecret, ...urlSecrets(config.apiUrl)];
}
