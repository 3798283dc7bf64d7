import { webApi } from '@slack/bolt';
import { ok, problem, type Finding } from '../../src/ops/doctor.js';
import { isRefusal, toDeliveryError } from './errors.js';
import type { SlackConfig } from './settings.js';

/** `paperbot doctor` for Slack: the bot token by auth.test, the app token (Socket Mode) by apps.connections.open. */
export async function checkSlack(config: SlackConfig): Promise<Finding[]> {
  const slackApiUrl = config.apiUrl ? (config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`) : undefined;
  const client = (token: string) => new webApi.WebClient(token, { ...(slackApiUrl ? { slackApiUrl } : {}), retryConfig: { retries: 0 }, timeout: 10_000 });
  const findings: Finding[] = [];
  if (config.oauth) findings.push(ok('Slack app distribution', 'on: each workspace installs at /slack/install and its token is kept in the database'));
  if (config.botToken) {
    try {
      const who = await client(config.botToken).auth.test();
      findings.push(ok('Slack SLACK_BOT_TOKEN', `works (workspace ${who.team ?? who.team_id}, bot user ${who.user_id})`));
    } catch (error) {
      findings.push(tokenProblem('SLACK_BOT_TOKEN', error, 'copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions, or reinstall the app'));
    }
  }
  if (config.appToken) {
    try {
      // Opening asks Slack for a connection URL and nothing more: no socket is opened here.
      await client(config.appToken).apps.connections.open();
      findings.push(ok('Slack SLACK_APP_TOKEN', 'works (Socket Mode can connect)'));
    } catch (error) {
      findings.push(tokenProblem('SLACK_APP_TOKEN', error, 'generate an app-level token with connections:write (Basic Information → App-Level Tokens) and turn Socket Mode on'));
    }
  }
  return findings;
}

function tokenProblem(setting: string, error: unknown, fix: string): Finding {
  const reason = toDeliveryError('check', error).message.replace(/^paperbot: slack check: /, '');
  if (isRefusal(error)) return problem(`Slack ${setting}`, `Slack refused it (${reason})`, fix);
  return problem(`Slack ${setting}`, `could not reach Slack (${reason})`, 'check the network, or SLACK_API_URL if set');
}
