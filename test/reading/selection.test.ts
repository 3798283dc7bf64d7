import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/catalog/paper.js';
import { isNearCopy, pickDiverse, type Candidate } from '../../src/capabilities/reading/pick.js';
import { readingCatalog } from './catalog.js';
import { harness, pollData, type Harness } from './harness.js';
import { testedEngines } from '../helpers/engines.js';

let h: Harness;
afterEach(() => h?.close());

const triple = (p: Paper) => `${p.tasks.map((t) => t.en).join('+')} / ${p.modalities.join('+')} / ${p.regions.map((t) => t.en).join('+')}`;

function nearCopies(ids: string[]): string[] {
  const papers = ids.map((id) => h.paperbot.services.search.get(id)!);
  const found: string[] = [];
  papers.forEach((a, i) => papers.slice(i + 1).forEach((b) => isNearCopy(a, b) && found.push(`${a.id} ~ ${b.id} (${triple(a)})`)));
  return found;
}

async function suggestIds(command: string, user = 'alice', channel?: string): Promise<string[]> {
  // Each suggestion replaces the last poll on purpose.
  const reply = await h.say(`${command} --replace`, user, { channel });
  expect(reply.kind, JSON.stringify(reply.intro)).toBe('poll-opened');
  return pollData(h.adapter.polls().at(-1)!.reply).options.map((o) => o.paperId);
}

describe.each(testedEngines())('on %s', (engine) => {
  describe('which papers a suggestion offers', () => {
    it('GIVEN a catalog with clusters of near-copies THEN over many suggestions no poll holds two papers with the same task, modality and region', async () => {
      h = await harness({ engine });
      const polls: string[][] = [];
      for (let round = 0; round < 18; round++) {
        polls.push(await suggestIds(`suggest ${3 + (round % 3)}`));
        h.clock.advance(7 * 24 * 3600_000);
      }
      for (const ids of polls) expect(nearCopies(ids)).toEqual([]);
      // Over the rounds the whole catalog gets its turn rather than the same few papers.
      expect(new Set(polls.flat()).size).toBe(readingCatalog.papers.length);
    });

    it('GIVEN a topic with near-copies THEN its poll spreads across tasks before repeating one', async () => {
      h = await harness({ engine });
      // Lung: three CT detection papers and one CT classification paper. Each channel has its own
      // tie-breaking order, so eight channels would show a picker that only got lucky.
      for (let c = 0; c < 8; c++) {
        const ids = await suggestIds('suggest lung 2', 'alice', `lab-${c}`);
        const tasks = ids.map((id) => h.paperbot.services.search.get(id)!.tasks[0].en).sort();
        expect(tasks).toEqual(['Classification', 'Detection']);
      }
    });

    it('GIVEN papers the group has read THEN they are never offered again, and unread makes them eligible again', async () => {
      h = await harness({ engine });
      const read = ['deeplung-2018', 'deepmedic-2017', 'v-net-2016', 'u-net-2015', 'dermatologist-level-skin-cancer-2017', 'h-denseunet-2018'];
      for (const id of read) expect((await h.say(`read ${id}`, 'u1', { canManageChannel: true })).kind).toBe('reading-read');
      const offered = new Set<string>();
      for (let round = 0; round < 12; round++) for (const id of await suggestIds('suggest 5')) offered.add(id);
      for (const id of read) expect(offered.has(id)).toBe(false);
      expect(offered.size).toBe(readingCatalog.papers.length - read.length);

      await h.say('unread v-net-2016', 'u1', { canManageChannel: true });
      expect(await suggestIds('suggest prostate 1')).toEqual(['v-net-2016']);
    });

    it('GIVEN a recent poll THEN the next poll offers other papers while unoffered ones remain', async () => {
      h = await harness({ engine });
      const first = await suggestIds('suggest 4');
      const second = await suggestIds('suggest 4', 'alice');
      expect(second.filter((id) => first.includes(id))).toEqual([]);
    });

    it('GIVEN the chosen next paper THEN it is not offered again before it is read', async () => {
      h = await harness({ engine });
      await suggestIds('suggest prostate 1');
      await h.say('vote 1', 'bob');
      await h.say('suggest close', 'alice');
      const reply = await h.say('suggest prostate', 'alice');
      expect(reply.data).toMatchObject({ code: 'nothing-left' });
    });

    it('GIVEN the same database state and clock THEN the same poll is offered', async () => {
      h = await harness({ engine });
      const a = await suggestIds('suggest 5');
      const dbPath = h.dbPath;
      h.close();
      h = await harness({ engine });
      const b = await suggestIds('suggest 5');
      expect(b).toEqual(a);
      expect(dbPath).not.toBe(h.dbPath);
    });
  });
});

describe('pickDiverse', () => {
  const tasks = ['Segmentation', 'Detection', 'Classification', 'Registration'];
  const modalities = ['CT', 'MRI', 'US', 'MG'];
  const regions = ['Lung', 'Brain', 'Liver', 'Breast'];
  const arbitraryPaper = fc.record({
    task: fc.constantFrom(...tasks),
    modality: fc.constantFrom(...modalities),
    region: fc.constantFrom(...regions),
    offered: fc.option(fc.nat(6), { nil: null }),
    relevance: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  function candidates(rows: { task: string; modality: string; region: string; offered: number | null; relevance: number }[]): Candidate[] {
    return rows.map((r, i) => ({
      paper: {
        id: `p${i}`, title: `Paper ${i}`, url: '', year: 2017, venue: '', techniques: ['CNN'], modalities: [r.modality],
        regions: [{ en: r.region, zh: r.region }], tasks: [{ en: r.task, zh: r.task }], datasets: [], authors: [], sources: [],
      },
      relevance: r.relevance,
      offeredPollsAgo: r.offered,
    }));
  }

  it('never picks a near-copy while enough distinct task–modality–region combinations remain, picks no paper twice, and is deterministic', () => {
    fc.assert(
      fc.property(fc.array(arbitraryPaper, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), fc.string(), (rows, count, seed) => {
        const pool = candidates(rows);
        const picked = pickDiverse(pool, count, seed);
        const distinct = new Set(rows.map((r) => `${r.task}|${r.modality}|${r.region}`)).size;
        expect(picked).toHaveLength(Math.min(count, pool.length));
        expect(new Set(picked.map((p) => p.id)).size).toBe(picked.length);
        if (distinct >= count) {
          picked.forEach((a, i) => picked.slice(i + 1).forEach((b) => expect(isNearCopy(a, b)).toBe(false)));
        }
        expect(pickDiverse(pool, count, seed)).toEqual(picked);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('prefers a paper never offered over an equally good one offered in the last poll', () => {
    const pool = candidates([
      { task: 'Segmentation', modality: 'CT', region: 'Liver', offered: 0, relevance: 1 },
      { task: 'Detection', modality: 'MRI', region: 'Brain', offered: null, relevance: 1 },
    ]);
    expect(pickDiverse(pool, 1, 'any seed').map((p) => p.id)).toEqual(['p1']);
  });
});
