import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

describe('the log', () => {
  it('GIVEN LOG_FORMAT=json THEN each event is one JSON line with its platform, channel and command', () => {
    const lines: string[] = [];
    const log = createLogger('info', [], (l) => lines.push(l), 'json').child({ platform: 'slack' });
    log.info('command answered', { channel: 'C123', command: 'search', ms: 12 });
    log.debug('not at info');
    log.error('command failed', new Error('boom'));
    expect(lines).toHaveLength(2);
    const [answered, failed] = lines.map((l) => JSON.parse(l));
    expect(answered).toMatchObject({ level: 'info', msg: 'command answered', platform: 'slack', channel: 'C123', command: 'search', ms: 12 });
    expect(Date.parse(answered.time)).not.toBeNaN();
    expect(failed).toMatchObject({ level: 'error', msg: 'command failed', platform: 'slack', error: { name: 'Error', message: 'boom' } });
    expect(failed.error.stack).toMatch(/log\.test\.ts/);
  });

  it('GIVEN secrets, credentials in URLs and tokens in query strings THEN neither format shows them', () => {
    for (const format of ['text', 'json'] as const) {
      const lines: string[] = [];
      const log = createLogger('info', ['xoxb-secret-token-1234'], (l) => lines.push(l), format);
      log.warn('fetch https://alice:s3cr3t-pw@feeds.example.org/rss?token=abcdef123&x=1 failed', { header: 'Bearer xoxb-secret-token-1234' });
      log.error('proxy', new Error('connect to http://bob:hunter22@proxy.lab:3128 refused; api_key=ZZZ999'));
      const all = lines.join('\n');
      for (const secret of ['xoxb-secret-token-1234', 's3cr3t-pw', 'alice', 'abcdef123', 'hunter22', 'ZZZ999']) expect(all, `${format}: ${secret}`).not.toContain(secret);
      expect(all).toContain('https://[redacted]@feeds.example.org/rss?token=[redacted]&x=1');
    }
  });

  it('GIVEN the text format THEN the line reads as before: time, level, message, details', () => {
    const lines: string[] = [];
    createLogger('info', [], (l) => lines.push(l)).info('catalog ready', { papers: 55 });
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO catalog ready \{"papers":55\}$/);
  });
});
