import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSettings, secretsOf } from '../../adapters/settings.js';
import { createLogger } from '../../src/log.js';

describe('loadSettings', () => {
  it('GIVEN every platform configured THEN each variable it reads is in .env.example with a comment above it', () => {
    const read = new Set<string>();
    const full: Record<string, string> = {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_SIGNING_SECRET: 's',
      DISCORD_TOKEN: 't',
      DISCORD_APP_ID: '123456789012345678',
    };
    // A proxy records every name loadSettings asks for, so a new setting cannot skip the example file.
    loadSettings(new Proxy(full, { get: (env, name: string) => (read.add(name), env[name]) }));
    expect(read.size).toBeGreaterThanOrEqual(15);
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
    for (const name of read) {
      const at = example.findIndex((line) => line.startsWith(`${name}=`));
      expect(at, `${name} is missing from .env.example`).toBeGreaterThan(0);
      expect(example[at - 1], `${name} has no comment in .env.example`).toMatch(/^#/);
    }
  });

  it('GIVEN an empty environment THEN it runs console-only with documented defaults', () => {
    const config = loadSettings({});
    expect(config.slack).toBeUndefined();
    expect(config.discord).toBeUndefined();
    expect(config.dbPath).toBe('paperbot.db');
    expect(config.spotlight).toEqual({ timezone: 'UTC', graceHours: 24 });
    expect(config.extraSources).toEqual([]);
  });

  it('GIVEN no database bounds THEN PostgreSQL is waited for 10 s for a connection, 15 s by the server for a statement, 20 s by the client for an answer, and 10 s for a transaction left idle; a statement timeout alone moves the client\'s with it', () => {
    expect(loadSettings({}).databaseBounds).toEqual({ connectTimeoutMs: 10_000, statementTimeoutMs: 15_000, queryTimeoutMs: 20_000, idleInTransactionMs: 10_000 });
    expect(loadSettings({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '60' }).databaseBounds).toMatchObject({ statementTimeoutMs: 60_000, queryTimeoutMs: 65_000 });
  });

  it('GIVEN no attempt lease THEN a post attempt holds its claim two minutes; DELIVERY_ATTEMPT_LEASE_SECONDS sets it', () => {
    expect(loadSettings({}).delivery).toEqual({ attemptLeaseMs: 120_000 });
    expect(loadSettings({ DELIVERY_ATTEMPT_LEASE_SECONDS: '60' }).delivery).toEqual({ attemptLeaseMs: 60_000 });
  });

  it('GIVEN Slack in Socket Mode THEN the app token is enough without a signing secret', () => {
    const config = loadSettings({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_ADMIN_USERS: 'U1, U2' });
    expect(config.slack).toMatchObject({ appToken: 'xapp-1', port: 3000, adminUsers: ['U1', 'U2'] });
  });

  it.each([
    [{ SLACK_APP_TOKEN: 'xapp-1' }, /SLACK_BOT_TOKEN is required/],
    [{ SLACK_BOT_TOKEN: 'xoxp-1', SLACK_SIGNING_SECRET: 's' }, /must be a bot token starting with "xoxb-"/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /either SLACK_APP_TOKEN .* or SLACK_SIGNING_SECRET/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_PORT: 'eighty' }, /SLACK_PORT must be a whole number/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'ftp://x' }, /SLACK_API_URL must be an http\(s\) URL/],
    [{ DISCORD_TOKEN: 't' }, /DISCORD_TOKEN is set but DISCORD_APP_ID is not/],
    [{ DISCORD_APP_ID: '123456789012345678' }, /DISCORD_APP_ID is set but DISCORD_TOKEN is not/],
    [{ DISCORD_TOKEN: 't', DISCORD_APP_ID: 'my-app' }, /DISCORD_APP_ID must be the numeric Application ID/],
    [{ SPOTLIGHT_TIMEZONE: 'Mars/Olympus' }, /SPOTLIGHT_TIMEZONE "Mars\/Olympus" is not an IANA time zone/],
    [{ SPOTLIGHT_GRACE_HOURS: '-1' }, /SPOTLIGHT_GRACE_HOURS must be a whole number/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ DATABASE_CONNECT_TIMEOUT_SECONDS: '0' }, /DATABASE_CONNECT_TIMEOUT_SECONDS must be a whole number from 1 to 300/],
    [{ DATABASE_STATEMENT_TIMEOUT_SECONDS: '1.5' }, /DATABASE_STATEMENT_TIMEOUT_SECONDS must be a whole number/],
    [{ DATABASE_STATEMENT_TIMEOUT_SECONDS: '30', DATABASE_QUERY_TIMEOUT_SECONDS: '30' }, /DATABASE_QUERY_TIMEOUT_SECONDS \(30\) must be greater than DATABASE_STATEMENT_TIMEOUT_SECONDS \(30\).*Raise the first or lower the second/],
    [{ DATABASE_IDLE_IN_TRANSACTION_SECONDS: 'ten' }, /DATABASE_IDLE_IN_TRANSACTION_SECONDS must be a whole number/],
    [{ DELIVERY_ATTEMPT_LEASE_SECONDS: '10' }, /DELIVERY_ATTEMPT_LEASE_SECONDS must be a whole number from 60 to 300; got "10". At least 60: a post attempt with the platforms' retries/],
    [{ DELIVERY_ATTEMPT_LEASE_SECONDS: '600' }, /DELIVERY_ATTEMPT_LEASE_SECONDS must be a whole number from 60 to 300.*at most 300/],
  ])('GIVEN %j THEN start-up fails naming the variable and the fix', (env, message) => {
    expect(() => loadSettings(env)).toThrow(message);
  });

  it('GIVEN tokens in the config THEN the logger masks them wherever they appear', () => {
    const config = loadSettings({ SLACK_BOT_TOKEN: 'xoxb-secret-token', SLACK_SIGNING_SECRET: 'signing-secret-1' });
    const lines: string[] = [];
    const log = createLogger('debug', secretsOf(config), (l) => lines.push(l));
    log.error('call failed with xoxb-secret-token', new Error('bad auth signing-secret-1'));
    expect(lines.join('\n')).not.toMatch(/xoxb-secret-token|signing-secret-1/);
    expect(lines.join('\n')).toContain('[redacted]');
  });
});
