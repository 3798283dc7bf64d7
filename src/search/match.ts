import { tokenize } from '../catalog/tokens.js';
import type { PaperIndex, Unit } from './paper-index.js';

/** BM25 term-frequency saturation: a second field holding the word adds less than the first. */
const K1 = 1.2;

/** A query read into units: what it asks for, what every result must satisfy, what none may hold. */
export type MatchQuery = {
  /** The query's words: a paper holding all of them ranks first; one holding some may fill the page. */
  words: Unit[];
  /** Filters and the words of quoted phrases: every result satisfies all of them. */
  required: Unit[];
  /** `-word`, `NOT word`: no result holds any of them, in any field. */
  excluded: Unit[];
  /** Quoted phrases, as token keys: each must occur as written in the title or abstract. */
  phrases: string[];
  /** A paper whose whole title or id the query is: first, whatever the words say. */
  exact?: number;
  /** The query's words as a token key, when they are three or more: a paper whose title holds them in order comes next. */
  titlePhrase?: string;
};

export type Ranked = {
  slot: number;
  score: number;
  /** Bits of the word units this paper does not hold (0: it holds every word). */
  missing: number;
};

export type MatchResult = {
  /** The best papers: every word first, then (to fill `want`) the best partial matches. */
  ranked: Ranked[];
  /** How many papers hold every word. */
  full: number;
  /** How many papers hold some but not all of the words. */
  partial: number;
};

/**
 * Scores a query over the posting lists of its terms only (term at a time), never over every
 * paper: per word unit, a paper's score is the best of its lookups (the word itself, a synonym, a
 * related concept at a lower factor), `idf × saturated BM25F weight`; units add up. Then the best
 * `want` by: holds every word, score, newer year, catalog order.
 */
export function match(index: PaperIndex, query: MatchQuery, want: number): MatchResult {
  const n = index.slotCount;
  const scratch = new Scratch(n);

  const excluded = new Uint8Array(n);
  for (const unit of query.excluded) {
    for (const lookup of unit.lookups) {
      if (!lookup.exact) continue;
      const list = index.postingList(lookup.term);
      if (!list) continue;
      for (let k = 0; k < list.length; k++) if (list.fields[k] & lookup.fields) excluded[list.slots[k]] = 1;
    }
  }

  const required = new Uint8Array(query.required.length > 0 ? n : 0);
  let requiredTouched: Int32Array = new Int32Array(0);
  query.required.forEach((unit, i) => {
    const found = scratch.unit(index, unit);
    const out: number[] = [];
    for (let k = 0; k < found.length; k++) {
      const slot = found[k];
      // A requirement is met by the thing itself, never by a related concept.
      if (required[slot] !== i || !scratch.unitExact[slot]) continue;
      required[slot] = i + 1;
      scratch.score[slot] += scratch.unitScore[slot];
      if (i === query.required.length - 1) out.push(slot);
    }
    if (i === query.required.length - 1) requiredTouched = Int32Array.from(out);
  });
  const meetsRequired = (slot: number) => query.required.length === 0 || required[slot] === query.required.length;

  const touched: number[] = [];
  const seen = new Uint8Array(n);
  const missingAll = query.words.length >= 32 ? 0xffffffff : (1 << query.words.length) - 1;
  query.words.forEach((unit, i) => {
    const found = scratch.unit(index, unit);
    for (let k = 0; k < found.length; k++) {
      const slot = found[k];
      if (!meetsRequired(slot) || excluded[slot]) continue;
      if (!seen[slot]) (seen[slot] = 1, touched.push(slot));
      scratch.score[slot] += scratch.unitScore[slot];
      if (scratch.unitExact[slot]) scratch.held[slot] |= 1 << i;
    }
  });

  let candidates: ArrayLike<number>;
  if (query.words.length > 0) candidates = touched;
  else if (query.required.length > 0) candidates = requiredTouched;
  else candidates = allSlots(index);

  const phraseOk = phraseChecker(index, query.phrases);
  const inTitle = query.titlePhrase ? ` ${query.titlePhrase} ` : null;
  const top = new TopK(want, index, scratch.score);
  if (query.exact !== undefined && index.paperAt(query.exact) && !excluded[query.exact]) top.offer(query.exact, Tier.Exact);
  let full = 0;
  let partial = 0;
  let exactSeen = false;
  for (let k = 0; k < candidates.length; k++) {
    const slot = candidates[k];
    if (excluded[slot] || !meetsRequired(slot) || !index.paperAt(slot)) continue;
    if (query.phrases.length > 0 && !phraseOk(slot)) continue;
    const missing = missingAll & ~scratch.held[slot];
    if (missing === 0) full++;
    else partial++;
    if (slot === query.exact) {
      exactSeen = true;
      continue;
    }
    const tier = missing !== 0 ? Tier.Partial : inTitle && ` ${index.titleKeyOf(slot)} `.includes(inTitle) ? Tier.TitlePhrase : Tier.Full;
    top.offer(slot, tier);
  }
  if (query.exact !== undefined && !exactSeen && top.has(query.exact)) full++;
  return { ranked: top.result().map((slot) => ({ slot, score: scratch.score[slot], missing: missingAll & ~scratch.held[slot] })), full, partial };
}

/** Per-query score arrays, one slot per paper: allocated per query, so searches never share state. */
class Scratch {
  readonly score: Float32Array;
  readonly held: Uint32Array;
  readonly unitScore: Float32Array;
  readonly unitExact: Uint8Array;
  private readonly related: Float32Array;
  private readonly stamp: Int32Array;
  private current = 0;

  constructor(n: number) {
    this.score = new Float32Array(n);
    this.held = new Uint32Array(n);
    this.unitScore = new Float32Array(n);
    this.unitExact = new Uint8Array(n);
    this.related = new Float32Array(n);
    this.stamp = new Int32Array(n);
  }

  /**
   * The papers one unit reaches, each with its score in `unitScore` and whether it holds the word
   * itself in `unitExact`. The word (or a synonym or reading of it) counts by its best lookup; a
   * paper reached only through related concepts counts by their sum, so the closer it is (a liver
   * lesion to "liver tumour": liver and lesion) the higher it ranks.
   */
  unit(index: PaperIndex, unit: Unit): Int32Array {
    const mark = ++this.current;
    const out: number[] = [];
    const { stamp, unitScore, unitExact, related } = this;
    for (const lookup of unit.lookups) {
      const list = index.postingList(lookup.term);
      if (!list) continue;
      const scale = lookup.factor * index.idf(lookup.term) * (K1 + 1);
      const exact = lookup.exact;
      const { slots, weights, fields } = list;
      for (let k = 0; k < list.length; k++) {
        if ((fields[k] & lookup.fields) === 0) continue;
        const slot = slots[k];
        const tf = weights[k];
        const s = (scale * tf) / (tf + K1);
        if (stamp[slot] !== mark) {
          stamp[slot] = mark;
          unitScore[slot] = 0;
          unitExact[slot] = 0;
          related[slot] = 0;
          out.push(slot);
        }
        if (exact) {
          if (s > unitScore[slot]) unitScore[slot] = s;
          unitExact[slot] = 1;
        } else related[slot] += s;
      }
    }
    for (const slot of out) if (!unitExact[slot]) unitScore[slot] = related[slot];
    return Int32Array.from(out);
  }
}

function allSlots(index: PaperIndex): number[] {
  const out: number[] = [];
  for (let slot = 0; slot < index.slotCount; slot++) if (index.paperAt(slot)) out.push(slot);
  return out;
}

/** Whether each quoted phrase occurs as written (same words, same order) in the title or the abstract. */
function phraseChecker(index: PaperIndex, phrases: string[]): (slot: number) => boolean {
  const padded = phrases.map((p) => ` ${p} `);
  return (slot) => {
    const title = ` ${index.titleKeyOf(slot)} `;
    let abstract: string | null = null;
    return padded.every((p) => {
      if (title.includes(p)) return true;
      abstract ??= ` ${tokenize(index.paperAt(slot)?.abstract ?? '').join(' ')} `;
      return abstract.includes(p);
    });
  };
}

/** What puts a paper ahead before its score does. */
const enum Tier {
  Partial = 0,
  Full = 1,
  TitlePhrase = 2,
  Exact = 3,
}

/** The best `k` offered slots, kept sorted: by tier, then score, newer, catalog order. */
class TopK {
  private readonly slots: number[] = [];
  private readonly tiers: Tier[] = [];

  constructor(
    private readonly k: number,
    private readonly index: PaperIndex,
    private readonly score: Float32Array,
  ) {}

  offer(slot: number, tier: Tier): void {
    if (this.k <= 0) return;
    const n = this.slots.length;
    if (n === this.k && !this.before(slot, tier, n - 1)) return;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(slot, tier, mid)) hi = mid;
      else lo = mid + 1;
    }
    this.slots.splice(lo, 0, slot);
    this.tiers.splice(lo, 0, tier);
    if (this.slots.length > this.k) (this.slots.pop(), this.tiers.pop());
  }

  private before(slot: number, tier: Tier, at: number): boolean {
    const other = this.slots[at];
    if (tier !== this.tiers[at]) return tier > this.tiers[at];
    const ds = this.score[slot] - this.score[other];
    if (Math.abs(ds) > 1e-6) return ds > 0;
    const dy = (this.index.paperAt(slot)?.year ?? 0) - (this.index.paperAt(other)?.year ?? 0);
    if (dy !== 0) return dy > 0;
    return slot < other;
  }

  has(slot: number): boolean {
    return this.slots.includes(slot);
  }

  result(): number[] {
    return this.slots;
  }
}
