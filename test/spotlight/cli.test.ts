import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startScheduler } from '../../adapters/cli/scheduler.js';
import { spotlightCli, type SpotlightPost } from '../../src/capabilities/spotlight/index.js';
import { spotlightBot, syntheticPapers, tempDbPath, type SpotlightBot } from './harness.js';

const opened: SpotlightBot[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const b of opened.splice(0)) b.close();
  for (const c of cleanups.splice(0)) c();
});

async function bot(at = '2026-11-27T12:00:00Z', logLines?: string[]) {
  const tmp = tempDbPath();
  cleanups.push(tmp.cleanup);
  const b = await spotlightBot({ dbPath: tmp.dbPath, papers: syntheticPapers(4), clock: new ManualClock(at), logLines });
  opened.push(b);
  return b;
}

async function cli(b: SpotlightBot, ...argv: string[]): Promise<{ code: number; out: string }> {
  let written = '';
  const code = await spotlightCli(argv, b.paperbot.services, (s) => (written += s));
  expect(written.endsWith('\n')).toBe(true);
  return { code, out: written.trimEnd() };
}

describe('paperbot spotlight tick', () => {
  it('GIVEN --now at a slot THEN it posts what is due and prints it as JSON; at the same time again it prints []', async () => {
    const b = await bot();
    await b.say('console', 'console', 'spotlight on monday 09:00 Europe/Berlin');
    await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    const { code, out } = await cli(b, 'tick', '--now', '2026-11-30T08:00:30Z', '--json');
    expect(code).toBe(0);
    const posts = JSON.parse(out) as SpotlightPost[];
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ platform: 'console', channel: 'console', slot: '2026-11-30T08:00:00.000Z' });
    expect(Object.keys(posts[0].paper).sort()).toEqual(['id', 'title']);
    expect(b.adapters.console.posts).toHaveLength(1);

    expect(JSON.parse((await cli(b, 'tick', '--now', '2026-11-30T08:05:00Z', '--json')).out)).toEqual([]);
    const both = JSON.parse((await cli(b, 'tick', '--json', '--now', '2026-11-30T09:00:00Z')).out) as SpotlightPost[];
    expect(both.map((p) => p.channel)).toEqual(['C1']);
  });

  it('prints a readable line per post without --json, and says when nothing was due', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    expect((await cli(b, 'tick', '--now', '2026-11-28T00:00:00Z')).out).toBe('Nothing due at 2026-11-28T00:00:00.000Z.');
    expect((await cli(b, 'tick', '--now', '2026-11-30T09:00:00Z')).out).toMatch(/^Posted p0\d to slack:C1 for the slot 2026-11-30T09:00:00.000Z \(message slack-1\)\.$/);
  });

  it('uses the injected clock when --now is not given', async () => {
    const b = await bot('2026-11-30T09:10:00Z');
    await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    b.clock.set('2026-12-07T09:10:00Z');
    expect(JSON.parse((await cli(b, 'tick', '--json')).out)).toHaveLength(1);
  });

  it('rejects a malformed --now and unknown options with exit code 2 and the usage', async () => {
    const b = await bot();
    const bad = await cli(b, 'tick', '--now', 'next monday');
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--now needs an ISO 8601 time');
    expect((await cli(b, 'tick', '--verbose')).code).toBe(2);
    const unknown = await cli(b, 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('usage:');
  });
});

describe('paperbot spotlight list', () => {
  it('lists every subscription with its state and next slot, as JSON and as text', async () => {
    const b = await bot();
    await b.say('slack', 'C1', 'spotlight on friday 16:30 Asia/Shanghai');
    await b.say('discord', 'D1', 'spotlight on');
    await b.say('discord', 'D1', 'spotlight off');
    const { code, out } = await cli(b, 'list', '--json');
    expect(code).toBe(0);
    const subs = JSON.parse(out);
    expect(subs).toEqual([
      expect.objectContaining({ platform: 'discord', channel: 'D1', state: 'off', nextSlot: null }),
      expect.objectContaining({
        platform: 'slack',
        channel: 'C1',
        state: 'on',
        schedule: '30 16 * * 5',
        timezone: 'Asia/Shanghai',
        nextSlot: '2026-12-04T08:30:00.000Z',
        nextSlotLocal: '2026-12-04 16:30',
        remaining: 4,
      }),
    ]);
    const text = (await cli(b, 'list')).out;
    expect(text).toContain('slack:C1  every Friday at 16:30 Asia/Shanghai');
    expect(text).toContain('discord:D1');
  });

  it('says how to start when there is no subscription', async () => {
    const b = await bot();
    expect((await cli(b, 'list')).out).toContain('No channel has a spotlight');
    expect(JSON.parse((await cli(b, 'list', '--json')).out)).toEqual([]);
  });
});

describe('the scheduler', () => {
  it('GIVEN a slot missed while the bot was down THEN starting the scheduler posts it at once, and the minute wake-up posts the next one', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-30T10:00:00Z') });
    const b = await bot('2026-11-27T12:00:00Z');
    await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    b.clock.set('2026-11-30T10:00:00Z');
    const scheduler = startScheduler(b.paperbot.services);
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(b.adapters.slack.posts).toHaveLength(1));

    b.clock.set('2026-12-07T09:00:00Z');
    await vi.advanceTimersByTimeAsync(61_000);
    await vi.waitFor(() => expect(b.adapters.slack.posts).toHaveLength(2));

    scheduler.stop();
    b.clock.set('2026-12-14T09:00:00Z');
    await vi.advanceTimersByTimeAsync(5 * 61_000);
    expect(b.adapters.slack.posts).toHaveLength(2);
  });

  it('logs a failing tick and keeps running', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-30T10:00:00Z') });
    const lines: string[] = [];
    const b = await bot('2026-11-27T12:00:00Z', lines);
    await b.say('slack', 'C1', 'spotlight on monday 09:00 UTC');
    // A clock that throws stands for any unexpected failure inside a tick.
    const scheduler = startScheduler({ ...b.paperbot.services, clock: { now: () => { throw new Error('clock exploded'); } } });
    await vi.advanceTimersByTimeAsync(61_000);
    scheduler.stop();
    expect(lines.some((l) => l.includes('ERROR spotlight: scheduled round failed') && l.includes('clock exploded'))).toBe(true);
  });
});
