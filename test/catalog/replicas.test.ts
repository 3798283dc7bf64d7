import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestTick } from '../../src/capabilities/digest/index.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import { migrations } from '../../src/capabilities/index.js';
import { CatalogStore } from '../../src/catalog/store.js';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import { ManualClock } from '../../src/clock.js';
import { openDb } from '../../src/store/db.js';
import { openSqlStore } from '../../src/store/sql/open.js';
import { loadConfig } from '../../src/config.js';
import { HostPacer, HttpClient } from '../../src/net/index.js';
import type { Reply } from '../../src/reply.js';
import { FakeSources } from '../fakes/sources.js';
import { engineMissing, freshDatabase, type FreshDatabase } from '../helpers/engines.js';
import { RecordingAdapter } from '../helpers/recording-adapter.js';
import { syntheticPapers } from '../spotlight/harness.js';

/**
 * Issue 15: the catalog on PostgreSQL is one catalog for every replica. Replicas here are bots on
 * one PostgreSQL database, each with its own pool, its own SQLite file (another machine) and its own
 * clock; papers come from the fake arXiv/Crossref/PubMed on 127.0.0.1.
 */

const SUNDAY = Date.parse('2026-11-29T12:00:00Z');
const MONDAY_SLOT = Date.parse('2026-11-30T09:00:00Z');

const fake = new FakeSources();
let database: FreshDatabase;
const bots: Paperbot[] = [];

type Replica = { paperbot: Paperbot; clock: ManualClock; slack: RecordingAdapter; say(text: string, canManageChannel?: boolean): Promise<Reply> };

async function replica(name: string, listen: boolean): Promise<Replica> {
  const pacer = new HostPacer();
  // arXiv's 3-second spacing is the net tests' business; here it would only slow the suite down.
  pacer.configure(fake.settings().arxivApiUrl, { concurrency: 1, intervalCap: 100, intervalMs: 1000 });
  const http = new HttpClient({ userAgent: 'paperbot/test', pacer, sleep: async () => undefined, timeoutMs: 20_000 });
  const clock = new ManualClock(SUNDAY);
  const config = loadConfig({ ...fake.env(), ...database.env, PAPERBOT_DB: join(database.dbPath, '..', `${name}.db`) });
  const paperbot = await createPaperbot({ config, clock, http, catalog: { papers: syntheticPapers(6) }, listen });
  bots.push(paperbot);
  const slack = new RecordingAdapter('slack');
  paperbot.services.outbox.register(slack);
  const say = (text: string, canManageChannel = true) =>
    paperbot.bot.handle({ text, platform: 'slack', workspaceId: 'T1', channelId: 'C1', userId: 'U1', canManageChannel, trigger: 'command' });
  return { paperbot, clock, slack, say };
}

const ids = (reply: Reply) => reply.papers.map((p) => p.id);
/** The id of the one paper a `/paper add` reply added. */
const addedId = (reply: Reply): string => String((reply.data?.added as string[] | undefined)?.[0]);

/** Polls until `check` holds (a notification arrives on another connection): fails after `ms`. */
async function eventually(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(engineMissing('postgres'))('the catalog shared by replicas on one PostgreSQL', () => {
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    await fake.start();
    database = await freshDatabase('postgres');
    a = await replica('a', true);
    // B does not listen: what it finds, it finds through the catch-up before each command.
    b = await replica('b', false);
  });
  afterAll(async () => {
    for (const bot of bots.splice(0)) await bot.close();
    await database?.cleanup();
    await fake.stop();
  });

  it('a paper added with /paper add on replica A is found by a /paper search on replica B, and a paper removed on A is gone on B', async () => {
    expect((await b.say('arabidopsis hypocotyl')).kind).toBe('no-match');
    const added = await a.say('add https://doi.org/10.7554/eLife.01567', false);
    expect(added.kind).toBe('paper-added');
    const id = addedId(added);

    const found = await b.say('arabidopsis hypocotyl');
    expect(ids(found)).toEqual([id]);
    expect((await b.say(`show ${id}`)).papers[0]?.doi).toBe('10.7554/elife.01567');

    expect((await a.say(`remove ${id}`)).kind).toBe('paper-removed');
    expect((await b.say('arabidopsis hypocotyl')).kind).toBe('no-match');
  });

  it('an idle replica that listens catches up on its own: no command needed', async () => {
    const c = await replica('c', true);
    expect(c.paperbot.services.search.search('medulloblastoma').total).toBe(0);
    expect((await b.say('add PMID:32820036')).kind).toBe('paper-added');
    await eventually("C's index holds B's paper", () => c.paperbot.services.search.search('medulloblastoma').total === 1);
    // A listens too: its scheduled work sees the paper without a command.
    await eventually("A's index holds B's paper", () => a.paperbot.services.search.search('medulloblastoma').total === 1);
  });

  it("the digest on replica B carries the paper added on replica A", async () => {
    expect((await b.say('follow testing techniques')).kind).toBe('follow');
    expect((await b.say('digest on monday 09:00 UTC')).kind).toBe('digest-on');
    a.clock.set(SUNDAY + 3_600_000);
    const added = await a.say('add arXiv:2202.12139v1', false);
    expect(added.kind).toBe('paper-added');
    const id = addedId(added);
    expect(b.paperbot.services.search.get(id)).toBeNull();

    b.clock.set(MONDAY_SLOT + 5 * 60_000);
    const posts = await digestTick(b.paperbot.services);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.papers.map((p) => p.id)).toContain(id);
    const delivered = b.slack.in('C1').at(-1)?.reply;
    expect(delivered?.kind).toBe('digest');
    expect(delivered?.papers.map((p) => p.id)).toContain(id);
  });

  it("a machine's SQLite catalog from before the move is carried into the shared one at its first start, once", async () => {
    // The file as a replica kept it: its own catalog, with a paper added on that machine.
    const path = join(database.dbPath, '..', 'old-machine.db');
    const legacy = openDb(path, migrations);
    const fileSql = await openSqlStore({ dbPath: path }, legacy, migrations);
    const legacyStore = new CatalogStore(fileSql, bundledVocabulary(), new ManualClock(SUNDAY));
    await legacyStore.add(
      { ...syntheticPapers(1, 'old')[0]!, id: 'kidney-stone-ct', title: 'Kidney stone detection in non-contrast CT', doi: '10.5555/old.1', origin: 'added' },
      'added',
      'slack:U9',
    );
    // A bundled paper a channel manager removed on that machine stays removed in the shared catalog.
    const removedThere = syntheticPapers(6)[1]!.id;
    await legacyStore.seed(syntheticPapers(6));
    expect(await legacyStore.hide(removedThere)).toBe(true);
    expect(b.paperbot.services.search.get(removedThere)).not.toBeNull();
    await fileSql.close();
    legacy.close();
    const config = loadConfig({ ...fake.env(), ...database.env, PAPERBOT_DB: path });
    const first = await createPaperbot({ config, catalog: { papers: syntheticPapers(6) }, listen: false });
    bots.push(first);
    expect(first.services.search.search('kidney stone').hits[0]?.paper.id).toBe('kidney-stone-ct');
    await b.say('hello');
    expect(ids(await b.say('kidney stone'))[0]).toBe('kidney-stone-ct');
    expect(b.paperbot.services.search.get(removedThere)).toBeNull();
    // It entered the catalog on Sunday, on the old machine: not new to next week's digest.
    const row = await b.paperbot.services.sql.one<{ added_at: string }>("SELECT added_at FROM catalog_papers WHERE id = 'kidney-stone-ct'");
    expect(row?.added_at).toBe(new Date(SUNDAY).toISOString());
    await first.close();
    bots.splice(bots.indexOf(first), 1);
    const again = await createPaperbot({ config, catalog: { papers: syntheticPapers(6) }, listen: false });
    bots.push(again);
    expect(await again.services.sql.all("SELECT id FROM catalog_papers WHERE id LIKE 'kidney-stone-ct%'")).toHaveLength(1);
  });
});
