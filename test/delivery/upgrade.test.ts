import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestParts } from '../../adapters/cli/scheduler.js';
import { migrations } from '../../src/capabilities/index.js';
import { digestTick } from '../../src/capabilities/digest/index.js';
import * as digestStore from '../../src/capabilities/digest/store.js';
import { tick as spotlightTick } from '../../src/capabilities/spotlight/index.js';
import * as spotlightStore from '../../src/capabilities/spotlight/store.js';
import { openDb } from '../../src/store/db.js';
import { migrateSql } from '../../src/store/sql/migrate.js';
import { SqliteSql } from '../../src/store/sql/sqlite.js';
import { channelRef, spotlightBot, syntheticPapers, tempDbPath, type SpotlightBot } from '../spotlight/harness.js';

/**
 * A database written before the delivery layer (the spotlight's and the digest's own tables, schema
 * up to version 22) is brought forward by migrations 40 to 42, then to tenant keys by 60 and 61,
 * without losing a row: rotations, claims and their papers, digest windows and papers, the spotlight
 * a digest carried, pauses, follows.
 */

const AT = '2026-11-01T00:00:00.000Z';
const SLOT_1 = '2026-11-16T09:00:00.000Z';
const SLOT_2 = '2026-11-23T09:00:00.000Z';
const SLOT_3 = '2026-11-30T09:00:00.000Z';

async function writeOldDatabase(dbPath: string): Promise<void> {
  const old = migrations.filter((m) => m.version < 40);
  const db = openDb(dbPath, old);
  try {
    // The schema as the paperbot before the delivery layer left it (its portable migrations on the same file).
    const sql = new SqliteSql(db, dbPath, false);
    await migrateSql(sql, old);
    const sub = db.prepare(
      `INSERT INTO spotlight_subscriptions (platform, channel, schedule, timezone, lang, enabled, enabled_at, paused_reason, paused_at, seed, round, created_by, created_at, updated_at)
       VALUES (?, ?, '0 9 * * 1', 'UTC', ?, 1, ?, ?, ?, ?, ?, 'U1', ?, ?)`,
    );
    sub.run('slack', 'C1', 'en', AT, null, null, 12345, 2, AT, AT);
    sub.run('slack', 'C2', 'zh', AT, 'channel_not_found', AT, 777, 1, AT, AT);
    const post = db.prepare(
      `INSERT INTO spotlight_posts (id, platform, channel, slot, trigger, status, paper_id, round, attempts, in_flight, next_attempt_at, message_id, claimed_at, posted_at)
       VALUES (?, 'slack', 'C1', ?, 'schedule', ?, ?, 2, ?, ?, ?, ?, ?, ?)`,
    );
    post.run(7, SLOT_1, 'posted', 'p01', 1, 0, null, 'm1', SLOT_1, SLOT_1);
    post.run(8, SLOT_2, 'posted', 'p02', 1, 0, null, 'm2', SLOT_2, SLOT_2);
    // Claimed by the digest of the same slot, to go out in its message: parked far in the future.
    post.run(9, SLOT_3, 'pending', 'p03', 1, 0, '9999-12-31T00:00:00.000Z', null, SLOT_3, null);
    db.prepare(
      `INSERT INTO digest_subscriptions (platform, channel, schedule, timezone, lang, enabled, enabled_at, created_by, created_at, updated_at)
       VALUES ('slack', 'C1', '0 9 * * 1', 'UTC', 'en', 1, ?, 'U1', ?, ?)`,
    ).run(AT, AT, AT);
    const digest = db.prepare(
      `INSERT INTO digest_posts (id, platform, channel, slot, trigger, status, window_to, paper_count, spotlight_post_id, attempts, in_flight, next_attempt_at, message_id, claimed_at, posted_at)
       VALUES (?, 'slack', 'C1', ?, 'schedule', ?, ?, 1, ?, 1, ?, ?, ?, ?, ?)`,
    );
    digest.run(1, SLOT_2, 'posted', SLOT_2, null, 0, null, 'd1', SLOT_2, SLOT_2);
    // A crash mid-post: in flight, its lease run out long ago.
    digest.run(2, SLOT_3, 'pending', SLOT_3, 9, 1, '2026-11-30T09:02:00.000Z', null, SLOT_3, null);
    const item = db.prepare("INSERT INTO digest_items (platform, channel, paper_id, post_id, topic, rank) VALUES ('slack', 'C1', ?, ?, 'lung nodule', 1)");
    item.run('p04', 1);
    item.run('p05', 2);
    db.prepare("INSERT INTO follows (platform, channel, query, created_by, created_at) VALUES ('slack', 'C1', 'lung nodule', 'U1', ?)").run(AT);
  } finally {
    db.close();
  }
}

describe('upgrading a database from before the delivery layer', () => {
  const { dbPath, cleanup } = tempDbPath();
  let b: SpotlightBot;
  const db = () => b.paperbot.services.db;
  const sql = () => b.paperbot.services.sql;
  const C1 = channelRef('slack', 'C1');

  beforeAll(async () => {
    await writeOldDatabase(dbPath);
    b = await spotlightBot({ dbPath, papers: syntheticPapers(8) });
    b.clock.set('2026-11-30T09:30:00Z');
  });
  afterAll(async () => {
    await b?.paperbot.close();
    cleanup();
  });

  it('applies the delivery migrations once, drops the old tables and their read-only views, and puts every row in the workspace ""', async () => {
    const versions = db().prepare('SELECT version FROM schema_migrations WHERE version BETWEEN 40 AND 69 ORDER BY version').pluck().all();
    expect(versions).toEqual(expect.arrayContaining([40, 41, 42, 60, 61]));
    const tables = db().prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    expect(tables).toEqual(expect.arrayContaining(['delivery_subscriptions', 'delivery_claims', 'spotlight_rotations', 'spotlight_picks', 'digest_windows', 'digest_papers', 'follows']));
    for (const old of ['spotlight_subscriptions', 'spotlight_posts', 'digest_subscriptions', 'digest_posts', 'digest_items']) expect(tables).not.toContain(old);
    expect(db().prepare("SELECT name FROM sqlite_master WHERE type = 'view'").pluck().all()).toEqual([]);
    expect(db().prepare("SELECT name FROM sqlite_master WHERE name LIKE '%by_tenant%'").pluck().all()).toEqual([]);
    for (const table of ['delivery_subscriptions', 'delivery_claims', 'spotlight_rotations', 'digest_papers', 'follows']) {
      expect(await sql().all(`SELECT DISTINCT workspace_id FROM ${table}`), table).toEqual([{ workspace_id: '' }]);
    }
    // The foreign keys point at the rebuilt claims, and still hold.
    expect(db().pragma('foreign_key_check')).toEqual([]);
    expect(db().prepare("SELECT sql FROM sqlite_master WHERE name = 'spotlight_picks'").pluck().get()).toMatch(/REFERENCES "?delivery_claims"? \(id\)/);
  });

  it('keeps each spotlight rotation, its claims with their papers, and a pause with its reason', async () => {
    expect(await spotlightStore.getSubscription(sql(), C1)).toMatchObject({ seed: 12345, round: 2, enabled: true, pausedReason: null, schedule: '0 9 * * 1' });
    expect(await spotlightStore.getSubscription(sql(), channelRef('slack', 'C2'))).toMatchObject({ seed: 777, lang: 'zh', pausedReason: 'channel_not_found' });
    expect((await spotlightStore.postsOf(sql(), C1)).map((p) => [p.id, p.slot, p.status, p.paperId, p.messageId])).toEqual([
      [7, SLOT_1, 'posted', 'p01', 'm1'],
      [8, SLOT_2, 'posted', 'p02', 'm2'],
      [9, SLOT_3, 'pending', 'p03', null],
    ]);
    expect([...(await spotlightStore.usedPaperIds(sql(), C1, 2))].sort()).toEqual(['p01', 'p02', 'p03']);
  });

  it('keeps the digest windows, the papers each digest holds, and the spotlight the pending one carries', async () => {
    const sub = (await digestStore.getSubscription(sql(), C1))!;
    expect(sub).toMatchObject({ enabled: true, enabledAt: AT });
    expect(await digestStore.windowStart(sql(), sub)).toBe(SLOT_3);
    expect([...(await digestStore.deliveredPaperIds(sql(), C1))].sort()).toEqual(['p04', 'p05']);
    const pending = (await digestStore.getPost(sql(), C1, SLOT_3))!;
    expect(pending).toMatchObject({ status: 'pending', inFlight: true, attempts: 1, windowTo: SLOT_3, paperCount: 1 });
    expect(await digestStore.itemsOf(sql(), pending.id)).toEqual([{ paperId: 'p05', topic: 'lung nodule', rank: 1 }]);
    expect(await spotlightStore.getPost(sql(), C1, SLOT_3)).toMatchObject({ carriedBy: pending.id, nextAttemptAt: null });
    expect(await digestStore.lastPosted(sql(), C1)).toMatchObject({ slot: SLOT_2, messageId: 'd1' });
  });

  it('keeps the followed topics', async () => {
    const r = await b.say('slack', 'C1', 'following');
    expect(r.data?.follows).toEqual(['lung nodule']);
  });

  it('then retries the pending digest with the spotlight it carries as one message, and the rotation carries on', async () => {
    const services = b.paperbot.services;
    const digests = await digestTick(services, services.clock.now(), { parts: digestParts });
    expect(digests).toEqual([expect.objectContaining({ slot: SLOT_3, carried: ['spotlight'], papers: [expect.objectContaining({ id: 'p05' })] })]);
    expect(await spotlightTick(services)).toEqual([]);
    const sent = b.adapters.slack.in('C1');
    expect(sent).toHaveLength(1);
    expect(sent[0].reply.papers.map((p) => p.id)).toContain('p03');
    expect(await spotlightStore.getPost(sql(), C1, SLOT_3)).toMatchObject({ status: 'posted', messageId: digests[0].messageId });
    // The next week's spotlight is a paper round 2 has not shown yet.
    b.clock.set('2026-12-07T09:01:00Z');
    const [next] = await spotlightTick(services);
    expect(['p01', 'p02', 'p03']).not.toContain(next.paper.id);
  });
});
