import { describe, expect, it } from 'vitest';
import { bundledVocabulary } from '../../src/catalog/vocabulary.js';
import { PaperIndex, readQuery, searchOver } from '../../src/search/index.js';
import type { Unit } from '../../src/search/paper-index.js';
import { mixedQueries } from '../../bench/search.js';
import { seededRandom, syntheticPapers } from '../../scripts/synthetic-catalog.js';

/**
 * The matcher takes different roads by the query's shape: one paper at a time through the rarest
 * word's postings (one list, or the union of a word's readings), the whole list when nothing
 * restricts (exclusions marked once), and the partial matches accumulated over postings. Each road
 * is checked here against the plain definition, paper by paper, on the benchmark's query mix.
 */
const papers = syntheticPapers(600);
const index = new PaperIndex(papers, bundledVocabulary());
const search = searchOver(index);
const queries = mixedQueries(papers, 700, seededRandom(3)).concat(['-brain', 'NOT lung -ct', 'deep learning -segmentation', 'gan OR unet OR cnn mri', 'liver OR kidney -ct']);

/** Each live paper's terms, worked out once: the definition below asks for them per query and paper. */
const termsOfSlot = new Map(
  Array.from({ length: index.slotCount }, (_, slot) => slot)
    .filter((slot) => index.isLive(slot))
    .map((slot) => [slot, index.termsOf(index.paperAt(slot)!)] as const),
);

/** Whether a paper holds a unit itself (not a related concept), in the fields the unit looks in. */
function holds(slot: number, unit: Unit): boolean {
  const terms = termsOfSlot.get(slot)!;
  return unit.lookups.some((l) => l.exact && ((terms.get(l.term)?.fields ?? 0) & l.fields) !== 0);
}

/** The papers holding every word and requirement and no exclusion, by the definition. */
function fullMatches(q: string): Set<string> | null {
  const { query } = readQuery(index, q);
  if (query.phrases.length > 0) return null;
  const out = new Set<string>();
  for (let slot = 0; slot < index.slotCount; slot++) {
    if (!index.isLive(slot)) continue;
    if (![...query.required, ...query.words].every((u) => holds(slot, u))) continue;
    if (query.excluded.some((u) => holds(slot, u))) continue;
    out.add(index.paperAt(slot)!.id);
  }
  return out;
}

describe('the roads through the matcher', () => {
  it('GIVEN the query mix, exclusions alone and OR groups THEN the papers said to hold every word are exactly those that do', () => {
    let checked = 0;
    for (const q of queries) {
      let expected: Set<string> | null;
      try {
        expected = fullMatches(q);
      } catch {
        continue; // a malformed filter: a UserError, not a result
      }
      if (expected === null) continue;
      const result = search.search(q, { limit: 1000 });
      const complete = result.hits.filter((h) => h.missing.length === 0);
      const exactTitle = readQuery(index, q).query.exact !== undefined;
      if (!exactTitle) expect(new Set(complete.map((h) => h.paper.id)), q).toEqual(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('GIVEN only exclusions THEN every other paper, newest first, none holding an excluded word', () => {
    const result = search.search('-brain NOT lung', { limit: 1000 });
    const expected = fullMatches('-brain NOT lung')!;
    expect(result.total).toBe(expected.size);
    expect(expected.size).toBeGreaterThan(0);
    expect(expected.size).toBeLessThan(papers.length);
    const years = result.hits.map((h) => h.paper.year ?? 0);
    expect(years).toEqual([...years].sort((a, b) => b - a));
  });

  it('GIVEN partial matches THEN each misses some word, none holds an excluded one, and they follow the papers that hold every word', () => {
    let partialSeen = 0;
    for (const q of queries) {
      let result: ReturnType<typeof search.search>;
      try {
        result = search.search(q, { limit: 10 });
      } catch {
        continue;
      }
      const { query } = readQuery(index, q);
      const firstPartial = result.hits.findIndex((h) => h.missing.length > 0);
      if (firstPartial < 0) continue;
      partialSeen++;
      expect(result.hits.slice(firstPartial).every((h) => h.missing.length > 0), q).toBe(true);
      for (const h of result.hits.slice(firstPartial)) {
        const slot = index.slotById(h.paper.id)!;
        expect(query.excluded.some((u) => holds(slot, u)), q).toBe(false);
        expect(query.required.every((u) => holds(slot, u)), q).toBe(true);
      }
      const partialScores = result.hits.slice(firstPartial).map((h) => h.score);
      expect(partialScores).toEqual([...partialScores].sort((a, b) => b - a));
    }
    expect(partialSeen).toBeGreaterThan(20);
  });
});
