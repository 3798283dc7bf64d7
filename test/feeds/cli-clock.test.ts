import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../adapters/cli/index.js';
import { ManualClock } from '../../src/clock.js';
import { FakeFeeds } from '../fakes/feeds.js';
import { tempDbPath } from '../helpers/temp-db.js';

const HOUR = 3_600_000;
// Later than the real time, so the feed added now is due; far enough that no real clock reads it.
const NOW = '2031-06-02T07:30:00.000Z';

describe('paperbot feeds poll --now', () => {
  const tmp = tempDbPath();
  const fakes = new FakeFeeds(new ManualClock(Date.parse(NOW)));
  const out: string[] = [];
  const io = () => ({
    stdout: (t: string) => void out.push(t),
    stderr: () => undefined,
    stdin: process.stdin,
    env: { PAPERBOT_DB: tmp.dbPath, PAPERBOT_ALLOW_PRIVATE_FEEDS: 'true', LOG_LEVEL: 'silent' },
  });

  beforeAll(async () => {
    await fakes.start();
    fakes.publish('journal:mia', { key: 'a', title: 'Lung nodule detection in low-dose CT', authors: ['A B'], abstract: '', at: Date.parse(NOW) - 3 * HOUR });
  });
  afterAll(async () => {
    await fakes.stop();
    tmp.cleanup();
  });

  it('GIVEN --now far from the real time THEN the items enter the catalog at that time, and the feed is next due an hour later', async () => {
    expect(await main(['say', `feed add ${fakes.journalUrl('mia', 'rss2')}`], io())).toBe(0);
    out.length = 0;
    expect(await main(['feeds', 'poll', '--now', NOW, '--json'], io())).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual([expect.objectContaining({ outcome: 'read', added: 1 })]);
    const db = new Database(tmp.dbPath, { readonly: true });
    try {
      const entered = db.prepare("SELECT added_at FROM catalog_papers WHERE origin != 'bundled'").pluck().all();
      expect(entered).toEqual([NOW]);
      const nextPoll = db.prepare('SELECT next_poll_at FROM feeds').pluck().get();
      expect(nextPoll).toBe(new Date(Date.parse(NOW) + HOUR).toISOString());
    } finally {
      db.close();
    }
    // Polled again at the same instant, the feed is not due yet: the round's time is the one it was given.
    out.length = 0;
    expect(await main(['feeds', 'poll', '--now', NOW, '--json'], io())).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual([]);
  });
});
