import Database from 'better-sqlite3';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../../adapters/cli/index.js';
import { readingStore } from '../../src/capabilities/reading/store.js';
import { freshDatabase } from '../helpers/engines.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { harness, readingHistoryWithOpenPoll } from '../reading/harness.js';

function cli(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), stdin: process.stdin, env: { ...env, LOG_LEVEL: 'silent' } };
  return { run: (args: string[]) => main(args, io), out, err };
}

describe.skipIf(!inject('postgresUrl'))('paperbot migrate-to-postgres', () => {
  it('GIVEN a SQLite database with reading-group state THEN the copy into an empty PostgreSQL has the same rows, the bot there goes on from them, and a second copy is refused', async () => {
    const sqlite = await freshDatabase('sqlite');
    const target = await createTestDatabase(inject('postgresUrl')!);
    try {
      // State made the ordinary way, by a bot on SQLite: a closed poll with votes, a chosen paper read, an open poll.
      const before = await harness({ database: sqlite });
      const openId = await readingHistoryWithOpenPoll(before);
      const history = (await before.say('history')).data;
      const tally = await readingStore(before.paperbot.services.sql).tally(openId);
      expect((await before.say('feed add arxiv:eess.IV', 'alice', { canManageChannel: true })).kind).toBe('feed-add');
      await before.close();

      const env = { PAPERBOT_DB: sqlite.dbPath, DATABASE_URL: target.url };
      const first = cli(env);
      expect(await first.run(['migrate-to-postgres']), first.err.join('')).toBe(0);
      const report = first.out.join('');
      expect(report).toContain('reading_polls: 2 rows copied, counts match');
      expect(report).toContain('reading_votes: 4 rows copied, counts match');
      expect(report).toContain('reading_reads: 1 rows copied, counts match');
      expect(report).toContain('reading_next: 0 rows copied, counts match');
      expect(report).toContain('feeds: 1 rows copied, counts match');
      expect(report).toContain('feed_subscriptions: 1 rows copied, counts match');
      expect(report.indexOf('feeds:')).toBeLessThan(report.indexOf('feed_subscriptions:'));
      // Options before votes: the copy order follows the foreign keys.
      expect(report.indexOf('reading_poll_options')).toBeLessThan(report.indexOf('reading_votes'));
      // The file's catalog went along whole, so the first start on PostgreSQL does not carry it in again.
      const file = new Database(sqlite.dbPath, { readonly: true });
      expect(file.prepare("SELECT value FROM meta WHERE key = 'catalog.carried'").pluck().get()).toEqual(expect.any(String));
      file.close();

      const after = await harness({ database: { ...sqlite, databaseUrl: target.url, env } });
      try {
        expect(after.paperbot.services.sql.dialect.name).toBe('postgres');
        expect((await after.say('history')).data).toEqual(history);
        expect(await readingStore(after.paperbot.services.sql).tally(openId)).toEqual(tally);
        expect((await after.say('vote 1', 'frank')).kind).toBe('vote');
        // New polls take numbers after the copied ones.
        const next = await after.say('suggest --replace', 'alice');
        expect((next.data as { pollId: number }).pollId).toBe(openId + 1);
        // The feed came along, and a new one takes the next number.
        const feeds = async () => ((await after.say('feed list')).data as { feeds: { id: number; source: string }[] }).feeds;
        expect((await feeds()).map((f) => f.source)).toEqual(['arxiv:eess.IV']);
        await after.say('feed add arxiv:cs.CV', 'alice', { canManageChannel: true });
        expect((await feeds()).map((f) => f.id)).toEqual([1, 2]);
      } finally {
        await after.paperbot.close();
      }

      const again = cli(env);
      expect(await again.run(['migrate-to-postgres'])).toBe(1);
      expect(again.err.join('')).toMatch(/is not empty \(it has .*reading_polls.*\)\. Point DATABASE_URL at a new, empty database/);
    } finally {
      await target.drop();
      await sqlite.cleanup();
    }
  });

  it('GIVEN no DATABASE_URL THEN it says what to set', async () => {
    const sqlite = await freshDatabase('sqlite');
    const run = cli({ PAPERBOT_DB: sqlite.dbPath });
    expect(await run.run(['migrate-to-postgres'])).toBe(2);
    expect(run.err.join('')).toMatch(/set DATABASE_URL to an empty PostgreSQL database/);
    await sqlite.cleanup();
  });
});
