import { describe, expect, it } from 'vitest';
import { loadSettings, secretsOf } from '../../adapters/settings.js';
import { createLogger } from '../../src/log.js';

const STATE_SECRET = '0123456789abcdef0123456789abcdef';
const DISTRIBUTION = { SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'client-secret-1', SLACK_STATE_SECRET: STATE_SECRET, SLACK_SIGNING_SECRET: 'signing-1' };

describe('Slack app distribution settings', () => {
  it('GIVEN the three distribution settings and a signing secret THEN Slack runs without SLACK_BOT_TOKEN, in HTTP mode', () => {
    const config = loadSettings(DISTRIBUTION);
    expect(config.slack).toMatchObject({ botToken: undefined, oauth: { clientId: '1111.2222', clientSecret: 'client-secret-1', stateSecret: STATE_SECRET } });
  });

  it('GIVEN SLACK_BOT_TOKEN beside them THEN both are kept (the token goes on serving its own workspace)', () => {
    expect(loadSettings({ ...DISTRIBUTION, SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toMatchObject({ botToken: 'xoxb-1', oauth: { clientId: '1111.2222' } });
  });

  it('GIVEN only a bot token THEN distribution is off, as before', () => {
    expect(loadSettings({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).slack?.oauth).toBeUndefined();
  });

  it.each([
    [{ SLACK_CLIENT_ID: '1111.2222', SLACK_SIGNING_SECRET: 's' }, /needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together; SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are missing/],
    [{ ...DISTRIBUTION, SLACK_CLIENT_SECRET: ' ' }, /SLACK_CLIENT_SECRET is missing\. Copy the Client ID and Client Secret from Basic Information/],
    [{ SLACK_STATE_SECRET: STATE_SECRET, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }, /SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are missing.*or unset all three/],
    [{ ...DISTRIBUTION, SLACK_STATE_SECRET: 'short' }, /SLACK_STATE_SECRET must be at least 32 characters.*openssl rand -hex 32/],
    [{ ...DISTRIBUTION, SLACK_APP_TOKEN: 'xapp-1' }, /needs HTTP mode.*Unset SLACK_APP_TOKEN/],
    [{ ...DISTRIBUTION, SLACK_SIGNING_SECRET: '' }, /SLACK_SIGNING_SECRET is required with SLACK_CLIENT_ID/],
    [{ ...DISTRIBUTION, SLACK_BOT_TOKEN: 'xoxp-1' }, /must be a bot token starting with "xoxb-"/],
  ])('GIVEN %j THEN start-up fails naming what to set', (env, message) => {
    expect(() => loadSettings(env)).toThrow(message);
  });

  it('GIVEN the client and state secrets THEN the logger masks them', () => {
    const lines: string[] = [];
    const log = createLogger('debug', secretsOf(loadSettings(DISTRIBUTION)), (l) => lines.push(l));
    log.warn(`exchange failed: client-secret-1 / ${STATE_SECRET}`);
    expect(lines.join('\n')).not.toMatch(/client-secret-1|0123456789abcdef0123/);
  });
});

describe('SLACK_TOKEN_KEY', () => {
  const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1));

  it.each([
    ['base64, as openssl rand -base64 32 writes it', bytes.toString('base64')],
    ['hex', bytes.toString('hex')],
  ])('GIVEN a 32-byte key in %s THEN it is read as those bytes', (_form, value) => {
    expect(loadSettings({ ...DISTRIBUTION, SLACK_TOKEN_KEY: value }).slack?.tokenKey).toEqual(bytes);
  });

  it('GIVEN none THEN installations are stored as before', () => {
    expect(loadSettings(DISTRIBUTION).slack?.tokenKey).toBeUndefined();
  });

  it.each([
    ['a passphrase', 'correct horse battery staple'],
    ['16 bytes of base64', Buffer.alloc(16, 1).toString('base64')],
    ['31 bytes of hex', Buffer.alloc(31, 1).toString('hex')],
    ['64 characters that are not hex', 'z'.repeat(64)],
  ])('GIVEN %s THEN start-up fails saying how to make a key', (_what, value) => {
    expect(() => loadSettings({ ...DISTRIBUTION, SLACK_TOKEN_KEY: value })).toThrow(/SLACK_TOKEN_KEY must be 32 random bytes.*openssl rand -base64 32/);
  });

  it('GIVEN a key THEN the logger masks it in either form', () => {
    const lines: string[] = [];
    const log = createLogger('debug', secretsOf(loadSettings({ ...DISTRIBUTION, SLACK_TOKEN_KEY: bytes.toString('hex') })), (l) => lines.push(l));
    log.warn(`key ${bytes.toString('hex')} / ${bytes.toString('base64')}`);
    expect(lines.join('\n')).not.toContain(bytes.toString('hex'));
    expect(lines.join('\n')).not.toContain(bytes.toString('base64'));
  });
});
