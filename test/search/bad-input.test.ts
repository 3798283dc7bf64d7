import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { UserError } from '../../src/errors.js';
import { createSearch } from '../../src/search/index.js';
import type { PaperSearch } from '../../src/search/types.js';

let search: PaperSearch;

beforeAll(async () => {
  search = createSearch(await loadCatalog());
});

/** Runs a query; a UserError is an answer, anything else thrown fails the test. */
function tryQuery(q: string, limit = 10) {
  try {
    return search.search(q, { limit });
  } catch (error) {
    if (error instanceof UserError) return null;
    throw error;
  }
}

describe('hostile queries', () => {
  it('GIVEN empty, blank or punctuation-only text THEN an empty result says there was nothing to search', () => {
    for (const q of ['', '   ', '!!!', '?', '——', '。，、', '|||']) {
      const r = search.search(q);
      expect(r.total, q).toBe(0);
      expect(r.notices.map((n) => n.en).join(), q).toMatch(/no words or filters/);
    }
  });

  it('GIVEN regex metacharacters THEN they are read as text, not patterns', () => {
    for (const q of ['(a+)+$', '.*', '[lung', 'lung)', '\\d+', '^ct$', '{1,3}', 'gan|mri']) expect(() => search.search(q), q).not.toThrow();
    // `|` is the OR operator, as in `gan OR mri`, not a regular expression.
    expect(search.search('gan|mri', { limit: 100 }).hits.map((h) => h.paper.id)).toEqual(search.search('gan OR mri', { limit: 100 }).hits.map((h) => h.paper.id));
  });

  it('GIVEN zero-width and right-to-left control characters THEN they are removed before searching', () => {
    expect(search.search('lu\u200bng').total).toBe(search.search('lung').total); // a zero-width space hides inside the word
    expect(search.search('\u202elung\u202c').total).toBe(search.search('lung').total);
    expect(search.search('\u200b\u200b').total).toBe(0);
  });

  it('GIVEN a 40,000-character query THEN it is cut, the user is told, and it answers quickly', () => {
    const long = 'lung '.repeat(8000);
    const started = Date.now();
    const r = search.search(long);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.query.length).toBeLessThanOrEqual(500);
    expect(r.notices.map((n) => n.en).join()).toMatch(/first 500 characters/);
    expect(r.total).toBe(search.search('lung').total);
  });

  it('GIVEN many distinct words THEN only the first ones are used and the user is told', () => {
    const r = tryQuery('cnn mri brain classification 3d alzheimer adni arxiv 2015 neuroimaging predicting disease study extra words here');
    expect(r!.notices.map((n) => n.en).join()).toMatch(/Only the first 12 words/);
  });

  it('GIVEN thousands of random strings THEN search never throws anything but a UserError and never repeats a paper', () => {
    const pieces = fc.constantFrom('lung', '肺', 'year:', 'year:2016', 'venue:', 'since:20', 'task:分割', 'region:', ':', '"', 'mammo', 'segmantation', '\u200b', '\u202e', '(a+)+$', 'ＭＲＩ', '，', '-', ' ', 'foo:bar', 'U-net:', 'a'.repeat(30));
    const query = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.array(pieces, { maxLength: 8 }).map((p) => p.join(' ')),
      fc.array(fc.oneof(pieces, fc.string({ maxLength: 5 })), { maxLength: 6 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(query, fc.integer({ min: 0, max: 60 }), (q, limit) => {
        const r = tryQuery(q, limit);
        if (!r) return;
        const ids = r.hits.map((h) => h.paper.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBeLessThanOrEqual(limit);
        expect(r.total).toBeGreaterThanOrEqual(ids.length);
      }),
      { numRuns: 3000, seed: 20261127 },
    );
  });
});
