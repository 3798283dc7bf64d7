import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadSettings, secretsOf } from '../../adapters/settings.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { openDb } from '../../src/store/db.js';

const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing-secret' };

describe('numeric settings are plain decimal integers', () => {
  for (const raw of ['1e1', '0x10', '0b11', '0o7', '+5', '5.0', ' 12 3', '１２']) {
    it(`GIVEN SPOTLIGHT_GRACE_HOURS=${JSON.stringify(raw)} THEN start-up fails naming the variable`, () => {
      expect(() => loadConfig({ SPOTLIGHT_GRACE_HOURS: raw })).toThrow(/SPOTLIGHT_GRACE_HOURS.*whole number/);
    });
  }

  it('GIVEN SLACK_PORT=0x1F90 THEN start-up fails; SLACK_PORT=8080 is read as 8080', () => {
    expect(() => loadSettings({ ...slack, SLACK_PORT: '0x1F90' })).toThrow(/SLACK_PORT/);
    expect(loadSettings({ ...slack, SLACK_PORT: '8080' }).slack?.port).toBe(8080);
    expect(loadConfig({ SPOTLIGHT_GRACE_HOURS: '12' }).spotlight.graceHours).toBe(12);
  });
});

describe('credentials inside URL settings', () => {
  const url = 'http://apiuser:hunter2-pass@127.0.0.1:9/api/';

  it('GIVEN a URL setting with a user and password THEN every log line masks them', () => {
    const config = loadSettings({ ...slack, SLACK_API_URL: url });
    const lines: string[] = [];
    const log = createLogger('debug', secretsOf(config), (l) => lines.push(l));
    log.info(`calling ${config.slack!.apiUrl}chat.postMessage`);
    log.error('failed', new Error(`connect ECONNREFUSED ${url}`));
    log.warn('password alone: hunter2-pass');
    const all = lines.join('\n');
    expect(all).not.toContain('hunter2-pass');
    expect(all).not.toContain('apiuser:');
    expect(all).toContain('127.0.0.1:9/api/');
  });

  it('GIVEN a short password in some other URL THEN the logger still masks the user info', () => {
    const lines: string[] = [];
    createLogger('debug', [], (l) => lines.push(l)).warn('fetch https://bob:pw@feeds.example/rss failed');
    expect(lines[0]).not.toMatch(/bob|:pw@/);
    expect(lines[0]).toContain('feeds.example/rss');
  });

  it('GIVEN a malformed URL setting with credentials THEN the error does not repeat them', () => {
    let message = '';
    try {
      loadSettings({ ...slack, SLACK_API_URL: 'ftp://apiuser:hunter2-pass@host/' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/SLACK_API_URL/);
    expect(message).not.toContain('hunter2-pass');
  });
});

describe('PAPERBOT_DB paths that cannot work', () => {
  it('GIVEN a folder that cannot be created (under /proc) THEN openDb fails at once with a ConfigError naming PAPERBOT_DB', () => {
    // In a child process with a hard limit: before the fix the recursive mkdir spun forever.
    const script = `import('./src/store/db.ts').then(({ openDb }) => { try { openDb('/proc/nope/x.db', []); console.log('opened'); } catch (e) { console.log(e.name + ': ' + e.message); } })`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.error, 'the child did not finish').toBeUndefined();
    expect(run.stdout).toMatch(/ConfigError: .*PAPERBOT_DB/);
  });

  it('GIVEN a path whose parent is a file THEN a ConfigError says what to fix', () => {
    expect(() => openDb('/etc/hostname/x.db', [])).toThrow(ConfigError);
    expect(() => openDb('/etc/hostname/x.db', [])).toThrow(/PAPERBOT_DB/);
    expect(() => openDb('/etc/hostname/deeper/x.db', [])).toThrow(ConfigError);
  });
});
