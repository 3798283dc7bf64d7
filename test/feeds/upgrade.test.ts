import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/capabilities/index.js';
import type { Reply } from '../../src/reply.js';
import { openDb } from '../../src/store/db.js';
import { openSqlStore } from '../../src/store/sql/open.js';
import { spotlightBot, tempDbPath, type SpotlightBot } from '../spotlight/harness.js';

/**
 * A SQLite database from before feed subscriptions (one lab's list of feeds, schema below 65) is
 * brought forward by migration 65 without losing a feed, its poll state or what it saw: each feed
 * becomes a subscription of workspace '' on the platform it was added from, adopted by its
 * channel's workspace once the adapters name it.
 */

const AT = '2026-11-01T00:00:00.000Z';
const LATER = '2026-12-01T00:00:00.000Z';

async function writeOldDatabase(dbPath: string): Promise<void> {
  const before = migrations.filter((m) => m.version < 65);
  const db = openDb(dbPath, before);
  const sql = await openSqlStore({ dbPath }, db, before);
  try {
    const feed = db.prepare(
      `INSERT INTO feeds (id, source, kind, title, added_by, added_in, added_at, state, etag, next_poll_at, failures, papers_added, items_seen)
       VALUES (?, ?, ?, ?, 'U1', ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    feed.run(1, 'arxiv:eess.IV', 'arxiv', 'arXiv eess.IV', 'slack:C1', AT, 'active', '"e1"', LATER, 0, 2, 2);
    feed.run(2, 'https://example.org/gone.xml', 'url', null, 'discord:D1', AT, 'gone', null, LATER, 1, 0, 0);
    feed.run(3, 'pubmed:"deep learning"', 'pubmed', 'PubMed', null, AT, 'failing', null, LATER, 6, 0, 0);
    const item = db.prepare('INSERT INTO feed_items (feed_id, guid_hash, paper_id, seen_at) VALUES (1, ?, ?, ?)');
    item.run('h1', 'p01', AT);
    item.run('h2', 'p02', AT);
  } finally {
    await sql.close();
    db.close();
  }
}

describe('upgrading a SQLite database from before feed subscriptions', () => {
  const { dbPath, cleanup } = tempDbPath();
  let b: SpotlightBot;
  const say = (text: string, platform: string, channelId: string, workspaceId?: string): Promise<Reply> =>
    b.paperbot.bot.handle({ text, platform, workspaceId, channelId, userId: 'U1', canManageChannel: true, trigger: 'command' });
  const listed = async (platform: string, channel: string, workspace?: string) =>
    ((await say('feed list', platform, channel, workspace)).data as { feeds: { source: string; state: string; etag: string | null; itemsSeen: number }[] }).feeds;

  beforeAll(async () => {
    await writeOldDatabase(dbPath);
    b = await spotlightBot({ dbPath });
  });
  afterAll(() => {
    b?.close();
    cleanup();
  });

  it('applies 65 and 66 once, keeping every feed, its poll state and the items it saw', async () => {
    const sql = b.paperbot.services.sql;
    expect((await sql.all<{ version: number }>('SELECT version FROM schema_migrations WHERE version IN (20, 65, 66) ORDER BY version')).map((r) => r.version)).toEqual([20, 65, 66]);
    expect(await sql.all('SELECT feed_id, guid_hash, paper_id FROM feed_items ORDER BY guid_hash')).toEqual([
      { feed_id: 1, guid_hash: 'h1', paper_id: 'p01' },
      { feed_id: 1, guid_hash: 'h2', paper_id: 'p02' },
    ]);
    expect(b.paperbot.services.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'catalog_papers_added'").pluck().get()).toBe('catalog_papers_added');
  });

  it('lists each feed on the platform it was added from, the console taking those without one', async () => {
    expect(await listed('slack', 'C7')).toEqual([expect.objectContaining({ source: 'arxiv:eess.IV', state: 'active', etag: '"e1"', itemsSeen: 2 })]);
    expect(await listed('discord', 'D7')).toEqual([expect.objectContaining({ source: 'https://example.org/gone.xml', state: 'gone' })]);
    expect(await listed('console', 'console')).toEqual([expect.objectContaining({ source: 'pubmed:"deep learning"', state: 'failing' })]);
  });

  it('GIVEN the first command naming the workspace of the channel a feed was added in THEN that workspace takes it over; other workspaces do not', async () => {
    expect(await listed('slack', 'C5', 'T2')).toEqual([]);
    expect((await listed('slack', 'C1', 'T1')).map((f) => f.source)).toEqual(['arxiv:eess.IV']);
    expect(await listed('slack', 'C7')).toEqual([]);
    expect(await listed('slack', 'C5', 'T2')).toEqual([]);
  });
});
