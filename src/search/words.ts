import { Charset, Index } from 'flexsearch';
import { boundedDistance } from './fuzzy.js';

/**
 * The words the index holds (and the vocabulary's one-word synonyms), for reading a word the user
 * did not finish (`mammo`) or misspelled (`segmantation`). Prefixes come from a flexsearch Index
 * with forward tokenization (its documented prefix search); typos from a scan of the words of
 * about the same length, which stays small. Words come and go with the papers that hold them.
 */
export class WordDictionary {
  private readonly prefixIndex = new Index({ tokenize: 'forward', encoder: Charset.Exact });
  private readonly idOf = new Map<string, number>();
  private readonly wordOf: (string | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private readonly byLength = new Map<number, Set<string>>();

  add(word: string): void {
    if (this.idOf.has(word) || word.length === 0) return;
    const id = this.freeIds.pop() ?? this.wordOf.length;
    this.idOf.set(word, id);
    this.wordOf[id] = word;
    this.prefixIndex.add(id, word);
    let bucket = this.byLength.get(word.length);
    if (!bucket) this.byLength.set(word.length, (bucket = new Set()));
    bucket.add(word);
  }

  delete(word: string): void {
    const id = this.idOf.get(word);
    if (id === undefined) return;
    this.idOf.delete(word);
    this.wordOf[id] = undefined;
    this.freeIds.push(id);
    this.prefixIndex.remove(id);
    this.byLength.get(word.length)?.delete(word);
  }

  has(word: string): boolean {
    return this.idOf.has(word);
  }

  /** Up to `limit` words that start with `prefix`, the prefix itself excluded. */
  withPrefix(prefix: string, limit: number): string[] {
    const ids = this.prefixIndex.search(prefix, { limit: limit + 1 }) as number[];
    const out: string[] = [];
    for (const id of ids) {
      const word = this.wordOf[id];
      if (word !== undefined && word !== prefix && word.startsWith(prefix)) out.push(word);
    }
    return out.sort().slice(0, limit);
  }

  /** Words within `budget` edits, nearest first (only the nearest distance is kept). */
  nearest(word: string, budget: number): string[] {
    let best = budget + 1;
    let out: string[] = [];
    for (let len = word.length - budget; len <= word.length + budget; len++) {
      for (const candidate of this.byLength.get(len) ?? []) {
        const d = boundedDistance(word, candidate, Math.min(best, budget));
        if (d < best) {
          best = d;
          out = [candidate];
        } else if (d === best && d <= budget) out.push(candidate);
      }
    }
    return out.sort().slice(0, 8);
  }

  /** Every word within `budget` edits, with its distance. */
  near(word: string, budget: number): { word: string; distance: number }[] {
    const out: { word: string; distance: number }[] = [];
    for (let len = word.length - budget; len <= word.length + budget; len++) {
      for (const candidate of this.byLength.get(len) ?? []) {
        const distance = boundedDistance(word, candidate, budget);
        if (distance <= budget && candidate !== word) out.push({ word: candidate, distance });
      }
    }
    return out;
  }
}
