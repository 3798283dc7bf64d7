import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCommands } from '../../adapters/discord/register.js';
import { main } from '../../adapters/cli/index.js';
import { silentLogger } from '../../src/log.js';
import { FakeDiscord } from '../fakes/discord.js';
import { FakeSlack } from '../fakes/slack.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs the paperbot command in this process, as the binary would, with `env` as its whole environment. */
async function paperbot(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: process.stdin, env });
  return { code, stdout, stderr };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'paperbot-maintenance-'));

describe('paperbot backup and restore', () => {
  it('GIVEN a database THEN backup copies it, restore puts the copy back, and both say where', async () => {
    const dir = tempDir();
    const env = { PAPERBOT_DB: join(dir, 'state.db'), LOG_LEVEL: 'silent' };
    await paperbot(['say', 'spotlight on monday 09:00 UTC'], env);
    const backup = await paperbot(['backup', join(dir, 'backups', 'copy.db')], env);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backed up .*state\.db to .*copy\.db \(\d+ pages, \d+ KiB\)$/m);
    await paperbot(['say', 'spotlight off'], env);
    const restored = await paperbot(['restore', join(dir, 'backups', 'copy.db')], env);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/the database it replaced is .*state\.db\.before-restore-/);
    const db = new Database(env.PAPERBOT_DB, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM delivery_subscriptions WHERE kind = 'spotlight' AND enabled = 1").pluck().get()).toBe(1);
    db.close();
    expect((await paperbot(['backup'], env)).code).toBe(2);
  });
});

describe('paperbot doctor', () => {
  async function fakes() {
    const slack = await FakeSlack.start();
    const discord = await new FakeDiscord().listen();
    cleanups.push(() => slack.close(), () => discord.close());
    const env = {
      PAPERBOT_DB: join(tempDir(), 'state.db'),
      LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: 'xoxb-doctor-0001',
      SLACK_APP_TOKEN: 'xapp-doctor-0001',
      SLACK_API_URL: slack.apiUrl,
      DISCORD_TOKEN: discord.token,
      DISCORD_APP_ID: discord.appId,
      DISCORD_API_URL: discord.apiUrl,
    };
    return { slack, discord, env };
  }

  it('GIVEN working tokens and the command registered THEN every check is ok and it exits 0', async () => {
    const { discord, env } = await fakes();
    await registerCommands({ token: discord.token, appId: discord.appId, apiUrl: discord.apiUrl }, silentLogger);
    const run = await paperbot(['doctor'], env);
    expect(run.stdout).toMatch(/^ok\s+settings: valid; platforms: Slack \(Socket Mode\), Discord$/m);
    expect(run.stdout).toMatch(/^note\s+database: .*does not exist yet; the first start creates it/m);
    expect(run.stdout).toMatch(/^ok\s+Slack SLACK_BOT_TOKEN: works \(workspace Lab, bot user U0BOT\)$/m);
    expect(run.stdout).toMatch(/^ok\s+Slack SLACK_APP_TOKEN: works/m);
    expect(run.stdout).toMatch(/^ok\s+Discord DISCORD_TOKEN: works/m);
    expect(run.stdout).toMatch(/^ok\s+Discord command: \/paper registered \(global\) as the code defines it$/m);
    expect(run.stdout).toMatch(/^No problems found\.$/m);
    expect(run.code).toBe(0);
  });

  it('GIVEN a refused Slack token and no registered command THEN it names each problem with its fix and exits 1', async () => {
    const { slack, env } = await fakes();
    slack.failNext('auth.test', 'invalid_auth');
    const run = await paperbot(['doctor'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^PROBLEM Slack SLACK_BOT_TOKEN: Slack refused it \(.*invalid_auth.*\)\n\s+fix: copy the Bot User OAuth Token/m);
    expect(run.stdout).toMatch(/^PROBLEM Discord command: registered commands \(global\) differ from the code: created \/paper\n\s+fix: run npm run register$/m);
    expect(run.stdout).toMatch(/^2 problem\(s\) found\.$/m);
  });

  it('GIVEN DISCORD_APP_ID of another application and a malformed setting THEN it says which', async () => {
    const { env } = await fakes();
    const wrongApp = await paperbot(['doctor'], { ...env, DISCORD_APP_ID: '999999999999999999' });
    expect(wrongApp.stdout).toMatch(/PROBLEM Discord DISCORD_APP_ID: is 999999999999999999, but the token belongs to application \d+\n\s+fix: set DISCORD_APP_ID=\d+/);
    const badSetting = await paperbot(['doctor'], { ...env, SLACK_BOT_TOKEN: 'not-a-bot-token' });
    expect(badSetting.code).toBe(1);
    expect(badSetting.stdout).toMatch(/^PROBLEM settings: SLACK_BOT_TOKEN must be a bot token starting with "xoxb-"/m);
  });

  it('GIVEN DATABASE_URL naming a server that is not there THEN it says so, with the fix, beside the SQLite file\'s check', async () => {
    const env = { PAPERBOT_DB: join(tempDir(), 'state.db'), LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://paperbot:secret@127.0.0.1:1/paperbot' };
    const run = await paperbot(['doctor'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^note\s+database: .*does not exist yet/m);
    expect(run.stdout).toMatch(/^PROBLEM PostgreSQL: DATABASE_URL=postgres:\/\/\[redacted\]@127\.0\.0\.1:1\/paperbot cannot be reached \(ECONNREFUSED\)/m);
    expect(run.stdout).not.toContain('secret');
  });
});
