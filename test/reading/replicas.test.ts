import { afterEach, describe, expect, it } from 'vitest';
import { readingGroupMigration } from '../../src/capabilities/reading/migration.js';
import { readingStore } from '../../src/capabilities/reading/store.js';
import { migrate, openDb } from '../../src/store/db.js';
import { coreMigration, type PortableMigration } from '../../src/store/migrations.js';
import { sqliteDialect } from '../../src/store/sql/dialect.js';
import { freshDatabase, testedEngines } from '../helpers/engines.js';
import { harness, pollData, readingHistoryWithOpenPoll, voteButton, type Harness } from './harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0).reverse()) await h.close();
});

async function bots(engine: Parameters<typeof harness>[0] extends infer O ? (O extends { engine?: infer E } ? E : never) : never): Promise<[Harness, Harness]> {
  const a = await harness({ engine });
  open.push(a);
  const b = await a.replica();
  open.push(b);
  return [a, b];
}

describe.each(testedEngines())('two replicas on one %s database', (engine) => {
  it('GIVEN votes on both replicas racing two closes THEN the poll closes once, and exactly the accepted votes are counted and decided it', async () => {
    const [a, b] = await bots(engine);
    await a.say('suggest', 'alice', { canManageChannel: true });
    const { ref, reply } = a.adapter.polls()[0];
    const pollId = pollData(reply).pollId;
    const voters = Array.from({ length: 60 }, (_, i) => `voter-${i}`);
    const votes = voters.map((user, i) => {
      const bot = i % 2 ? a : b;
      return i % 3 ? bot.say(`vote ${(i % 3) + 1}`, user) : bot.click(ref, voteButton(reply, 1), user);
    });
    // Both closes start while the votes are in flight.
    const closes = [a.say(`suggest close #${pollId}`, 'alice'), b.say(`suggest close #${pollId}`, 'alice')];
    const [voteReplies, closeReplies] = await Promise.all([Promise.all(votes), Promise.all(closes)]);

    const closedBy = closeReplies.filter((r) => r.kind === 'poll-closed');
    expect(closedBy).toHaveLength(1);
    expect(closeReplies.filter((r) => r.kind !== 'poll-closed').map((r) => r.data?.code)).toEqual(['poll-closed']);
    const accepted = voteReplies.filter((r) => r.kind === 'vote' || (r.kind === 'poll' && r.data?.vote === 'added')).length;
    const refused = voteReplies.filter((r) => r.data?.code === 'poll-closed').length;
    expect(accepted + refused).toBe(voters.length);

    const store = readingStore(a.paperbot.services.sql);
    const tally = await store.tally(pollId);
    expect(tally.reduce((sum, o) => sum + o.votes, 0)).toBe(accepted);
    const closed = await store.poll(pollId);
    const winner = tally.find((o) => o.n === closed?.winnerN);
    // The winner was decided on the final count: no vote was added after the tally that chose it.
    expect(closedBy[0]?.data).toMatchObject({ winner: winner?.paperId ?? null, votes: winner?.votes ?? 0 });
    // One announcement, from whichever replica closed it.
    expect(winner).toBeDefined();
    const announcements = [...a.adapter.posts, ...b.adapter.posts].filter((p) => p.reply.kind === 'reading-next');
    expect(announcements).toHaveLength(1);
  });

  it('GIVEN the same person clicking one button on both replicas at once THEN their vote is counted at most once, and their clicks toggle in order', async () => {
    const [a, b] = await bots(engine);
    await a.say('suggest', 'alice');
    const { ref, reply } = a.adapter.polls()[0];
    const people = Array.from({ length: 25 }, (_, i) => `user-${i}`);
    await Promise.all(people.flatMap((user) => [a.click(ref, voteButton(reply, 2), user), b.click(ref, voteButton(reply, 2), user)]));
    const store = readingStore(b.paperbot.services.sql);
    expect((await store.tally(pollData(reply).pollId)).map((o) => o.votes)).toEqual([0, 0, 0]);
    await Promise.all(people.map((user, i) => (i % 2 ? a : b).click(ref, voteButton(reply, 2), user)));
    expect((await store.tally(pollData(reply).pollId)).map((o) => o.votes)).toEqual([0, people.length, 0]);
  });

  it('GIVEN two people suggesting at once on two replicas THEN one poll opens and the other is asked before replacing it', async () => {
    const [a, b] = await bots(engine);
    const replies = await Promise.all([a.say('suggest', 'alice'), b.say('suggest', 'alice')]);
    expect(replies.map((r) => r.kind).sort()).toEqual(['confirm-replace', 'poll-opened']);
    expect(await a.paperbot.services.sql.all('SELECT id FROM reading_polls WHERE closed_at IS NULL')).toHaveLength(1);
  });
});

describe.each(testedEngines())('tenants on %s', (engine) => {
  it('GIVEN two workspaces with a channel of the same id THEN each has its own poll, votes, choice and history, and a poll number from one is unknown in the other', async () => {
    const h = await harness({ engine });
    open.push(h);
    const first = await h.say('suggest', 'alice', { workspace: 'T1' });
    const second = await h.say('suggest', 'alice', { workspace: 'T2' });
    const opened = (r: typeof first) => r.data as { pollId: number; paperIds: string[] };
    const firstId = opened(first).pollId;
    const secondId = opened(second).pollId;
    expect(secondId).not.toBe(firstId);

    const forged = await h.say(`vote 1 #${firstId}`, 'mallory', { workspace: 'T2' });
    expect(forged.data).toMatchObject({ code: 'unknown-poll' });
    const forgedClose = await h.say(`suggest close #${firstId}`, 'alice', { workspace: 'T2', canManageChannel: true });
    expect(forgedClose.data).toMatchObject({ code: 'unknown-poll' });

    await h.say('vote 2', 'bob', { workspace: 'T1' });
    expect((await h.say('suggest close', 'alice', { workspace: 'T1' })).kind).toBe('poll-closed');
    expect((await h.say('next', 'bob', { workspace: 'T1' })).data).toMatchObject({ paperId: opened(first).paperIds[1] });
    expect((await h.say('next', 'bob', { workspace: 'T2' })).data).toMatchObject({ paperId: null, openPollId: secondId });
    expect((await h.say('read', 'alice', { workspace: 'T1' })).kind).toBe('reading-read');
    expect((await h.say('history', 'bob', { workspace: 'T1' })).data).toMatchObject({ total: 1 });
    expect((await h.say('history', 'bob', { workspace: 'T2' })).data).toMatchObject({ total: 0 });
    expect((await h.say('history', 'bob')).data).toMatchObject({ total: 0 });
  });
});

describe.each(testedEngines())('adopting groups recorded without a workspace, on %s', (engine) => {
  it('GIVEN a history, a choice and an open poll recorded before the adapter named workspaces THEN the first command naming the workspace takes them over, and no other workspace sees them', async () => {
    const h = await harness({ engine });
    open.push(h);
    const openId = await readingHistoryWithOpenPoll(h);
    const before = (await h.say('history')).data;

    expect((await h.say('history', 'bob', { workspace: 'T1' })).data).toEqual(before);
    expect((await h.say('next', 'bob', { workspace: 'T1' })).data).toMatchObject({ openPollId: openId });
    // The vote cast before the adoption still counts, and the poll is T1's now.
    expect((await h.say('vote 3', 'carol', { workspace: 'T1' })).data).toMatchObject({ pollId: openId, votes: 2 });
    expect((await h.say('history', 'bob', { workspace: 'T2' })).data).toMatchObject({ total: 0 });
    expect((await h.say('history', 'bob')).data).toMatchObject({ total: 0 });
    expect(await h.paperbot.services.sql.all(`SELECT id FROM reading_polls WHERE workspace_id = ''`)).toEqual([]);
  });
});

describe('upgrading a SQLite database from before tenants', () => {
  it('GIVEN polls, a choice and a history recorded by the first reading schema THEN the upgrade keeps them all, in the workspace ""', async () => {
    const fresh = await freshDatabase('sqlite');
    const old = openDb(fresh.dbPath, [coreMigration]);
    // The database as a paperbot before this change left it: migration 3 applied by the synchronous runner.
    const v3 = readingGroupMigration as PortableMigration;
    migrate(old, [coreMigration, { version: v3.version, name: v3.name, sql: v3.portable(sqliteDialect) }]);
    old.exec(`
      INSERT INTO reading_polls (platform, channel_id, opened_by, opened_at, lang, topic, closed_at, winner_n) VALUES ('console', 'lab', 'alice', '2026-10-01T09:00:00Z', 'en', '', '2026-10-02T09:00:00Z', 1);
      INSERT INTO reading_polls (platform, channel_id, opened_by, opened_at, lang, topic) VALUES ('console', 'lab', 'alice', '2026-10-05T09:00:00Z', 'en', 'lung');
      INSERT INTO reading_poll_options VALUES (1, 1, 'deeplung-2018'), (2, 1, 'unet-2015'), (2, 2, 'vnet-2016');
      INSERT INTO reading_votes (poll_id, n, user_id, voted_at) VALUES (2, 2, 'bob', '2026-10-05T10:00:00Z');
      INSERT INTO reading_next VALUES ('console', 'lab', 'deeplung-2018', 1, '2026-10-02T09:00:00Z');
      INSERT INTO reading_reads VALUES ('console', 'lab', 'unet-2015', '2026-09-20', '2026-09-20T18:00:00Z', 'alice');`);
    old.close();
    const h = await harness({ database: fresh });
    try {
      const versions = await h.paperbot.services.sql.all<{ version: number }>('SELECT version FROM schema_migrations WHERE version IN (3, 50) ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual([3, 50]);
      expect((await h.say('next')).data).toMatchObject({ paperId: 'deeplung-2018', pollId: 1, openPollId: 2 });
      expect((await h.say('history')).data).toMatchObject({ total: 1, entries: [{ paperId: 'unet-2015', readOn: '2026-09-20' }] });
      expect(await readingStore(h.paperbot.services.sql).tally(2)).toMatchObject([{ votes: 0 }, { votes: 1 }]);
      expect(await h.paperbot.services.sql.all('SELECT DISTINCT workspace_id FROM reading_polls')).toEqual([{ workspace_id: '' }]);
    } finally {
      await h.close();
      await fresh.cleanup();
    }
  });
});
