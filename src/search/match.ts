import { tokenize } from '../catalog/tokens.js';
import { mustExist } from '../errors.js';
import type { PaperIndex, Unit } from './paper-index.js';
import type { PostingList } from './postings.js';

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

type Ranked = {
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
 * Scores a query over the posting lists of its terms only, never over every paper, in two steps.
 *
 * 1. Papers holding every word and requirement: the smallest unit's postings are the candidates,
 *    and each further unit is looked up in its (sorted) posting lists by galloping search, so a
 *    rare word next to a common one costs the rare word's postings. A unit scores its best
 *    lookup, `idf × saturated BM25F weight`; units add up.
 * 2. Only when fewer than `want` papers hold every word: the papers holding some, accumulated
 *    term at a time over the words' postings (a related concept counts by closeness there).
 *
 * Then the best `want`: exact title, title phrase, every word, some words; within a tier by
 * score, then newer year, then catalog order.
 */
export function match(index: PaperIndex, query: MatchQuery, want: number): MatchResult {
  const full = holdingEverything(index, query);
  const top = new TopK(want, index);
  const exactAlive = query.exact !== undefined && index.paperAt(query.exact) !== null && !new Exclusion(index, query).has(query.exact);
  if (exactAlive) top.offer(query.exact!, Tier.Exact, Infinity);
  const inTitle = query.titlePhrase ? ` ${query.titlePhrase} ` : null;
  let exactSeen = false;
  for (let k = 0; k < full.slots.length; k++) {
    const slot = full.slots[k];
    if (slot === undefined) continue;
    if (slot === query.exact) {
      exactSeen = true;
      continue;
    }
    const tier = inTitle && ` ${index.titleKeyOf(slot)} `.includes(inTitle) ? Tier.TitlePhrase : Tier.Full;
    top.offer(slot, tier, full.scores[k] ?? 0);
  }
  let count = full.slots.length + (exactAlive && !exactSeen ? 1 : 0);
  let partial = 0;
  if (count < want && query.words.length > 0) partial = holdingSome(index, query, top);
  // The exact paper's own score, looked up in the sorted full matches (not a map of every one of them).
  const scoreOf = (slot: number) => {
    const at = seek(full.slots, 0, full.slots.length, slot);
    return at < full.slots.length && full.slots[at] === slot ? (full.scores[at] ?? 0) : 0;
  };
  return {
    ranked: top.result().map(({ slot, score, missing }) => ({ slot, score: slot === query.exact && score === Infinity ? scoreOf(slot) : score, missing })),
    full: count,
    partial,
  };
}

/** Step 1: the papers holding every word and requirement, none excluded, every phrase as written; with their scores. */
function holdingEverything(index: PaperIndex, query: MatchQuery): { slots: Int32Array; scores: Float64Array } {
  const units = [...query.required, ...query.words].map((unit) => exactLists(index, unit));
  let slots: Int32Array;
  let scores: Float64Array;
  if (units.length === 0) {
    const all: number[] = [];
    for (let slot = 0; slot < index.slotCount; slot++) if (index.paperAt(slot)) all.push(slot);
    slots = Int32Array.from(all);
    scores = new Float64Array(slots.length);
  } else {
    units.sort((a, b) => a.size - b.size);
    ({ slots, scores } = unionOf(mustExist(units[0], 'the rarest word of the query')));
    for (let u = 1; u < units.length && slots.length > 0; u++) ({ slots, scores } = narrow(slots, scores, mustExist(units[u], `word ${u + 1} of the query`)));
  }
  const phraseOk = phraseChecker(index, query.phrases);
  const excluded = new Exclusion(index, query);
  if (!excluded.any && query.phrases.length === 0) return { slots, scores };
  // Compacted in place: the arrays are this query's own.
  let kept = 0;
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k];
    if (slot === undefined || excluded.has(slot)) continue;
    if (query.phrases.length > 0 && !phraseOk(slot)) continue;
    slots[kept] = slot;
    scores[kept++] = scores[k] ?? 0;
  }
  return { slots: slots.subarray(0, kept), scores: scores.subarray(0, kept) };
}

/** A unit's exact lookups: the posting lists that hold the word itself, with their weight and where they count. */
type ListLookup = { list: PostingList; fields: number; scale: number };
type UnitLists = { lookups: ListLookup[]; size: number };

function exactLists(index: PaperIndex, unit: Unit): UnitLists {
  const lookups: ListLookup[] = [];
  let size = 0;
  for (const lookup of unit.lookups) {
    if (!lookup.exact) continue;
    const list = index.postingList(lookup.term);
    if (!list) continue;
    lookups.push({ list, fields: lookup.fields, scale: lookup.factor * index.idf(lookup.term) * (K1 + 1) });
    size += list.length;
  }
  return { lookups, size };
}

const saturate = (scale: number, tf: number) => (scale * tf) / (tf + K1);

/** Every paper one unit reaches, sorted, each with its best lookup's score. */
function unionOf(unit: UnitLists): { slots: Int32Array; scores: Float64Array } {
  const [only] = unit.lookups;
  if (only !== undefined && unit.lookups.length === 1) {
    const { list, fields, scale } = only;
    const slots = new Int32Array(list.length);
    const scores = new Float64Array(list.length);
    let n = 0;
    for (let k = 0; k < list.length; k++) {
      const slot = list.slots[k];
      const weight = list.weights[k];
      if (slot === undefined || weight === undefined || ((list.fields[k] ?? 0) & fields) === 0) continue;
      slots[n] = slot;
      scores[n++] = saturate(scale, weight);
    }
    return { slots: slots.subarray(0, n), scores: scores.subarray(0, n) };
  }
  const best = new Map<number, number>();
  for (const { list, fields, scale } of unit.lookups) {
    for (let k = 0; k < list.length; k++) {
      const slot = list.slots[k];
      const weight = list.weights[k];
      if (slot === undefined || weight === undefined || ((list.fields[k] ?? 0) & fields) === 0) continue;
      const s = saturate(scale, weight);
      const had = best.get(slot);
      if (had === undefined || s > had) best.set(slot, s);
    }
  }
  const slots = Int32Array.from(best.keys()).sort();
  return { slots, scores: Float64Array.from(slots, (slot) => best.get(slot)!) };
}

/** The candidates (sorted) that the unit also reaches, their scores increased by its best lookup. */
function narrow(slots: Int32Array, scores: Float64Array, unit: UnitLists): { slots: Int32Array; scores: Float64Array } {
  const outSlots: number[] = [];
  const outScores: number[] = [];
  const cursors = unit.lookups.map(() => 0);
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k];
    const score = scores[k];
    if (slot === undefined || score === undefined) continue;
    let best = -1;
    for (let l = 0; l < unit.lookups.length; l++) {
      const lookup = unit.lookups[l];
      if (lookup === undefined) continue;
      const { list, fields, scale } = lookup;
      const at: number = (cursors[l] = seek(list.slots, cursors[l] ?? 0, list.length, slot));
      const weight = list.weights[at];
      if (at < list.length && list.slots[at] === slot && ((list.fields[at] ?? 0) & fields) !== 0 && weight !== undefined) best = Math.max(best, saturate(scale, weight));
    }
    if (best < 0) continue;
    outSlots.push(slot);
    outScores.push(score + best);
  }
  return { slots: Int32Array.from(outSlots), scores: Float64Array.from(outScores) };
}

/** The first index at or after `from` whose slot is ≥ `slot` (galloping, then binary search). */
function seek(sorted: Int32Array, from: number, length: number, slot: number): number {
  if (from >= length || (sorted[from] ?? slot) >= slot) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < length && (sorted[hi] ?? slot) < slot) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > length) hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? slot) < slot) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What the query excludes (`-word`, `NOT word`), in any field, as posting lists with a cursor each:
 * papers are asked about in increasing slot order, so each check moves the cursors forward.
 */
class Exclusion {
  private readonly lists: { list: PostingList; fields: number; cursor: number }[] = [];

  constructor(index: PaperIndex, query: MatchQuery) {
    for (const unit of query.excluded) {
      for (const lookup of unit.lookups) {
        const list = lookup.exact ? index.postingList(lookup.term) : undefined;
        if (list) this.lists.push({ list, fields: lookup.fields, cursor: 0 });
      }
    }
  }

  /** Whether the query excludes anything the index holds. */
  get any(): boolean {
    return this.lists.length > 0;
  }

  has(slot: number): boolean {
    for (const l of this.lists) {
      // Out of order (the exact paper, partial matches): start over from the front.
      if (l.cursor > 0 && l.cursor <= l.list.length && (l.list.slots[l.cursor - 1] ?? -1) >= slot) l.cursor = 0;
      const at = (l.cursor = seek(l.list.slots, l.cursor, l.list.length, slot));
      if (at < l.list.length && l.list.slots[at] === slot && ((l.list.fields[at] ?? 0) & l.fields) !== 0) return true;
    }
    return false;
  }
}

/**
 * A related concept whose postings hold more than this share of the papers says nothing about a
 * paper (every CNN paper is a neural-network paper): it is left out of the partial matches.
 */
const RELATED_MAX_SHARE = 0.05;
const RELATED_MIN_LIMIT = 500;

/**
 * Step 2: the papers holding some of the words (and every requirement, nothing excluded), offered
 * to `top` after the full matches; returns how many there are.
 */
function holdingSome(index: PaperIndex, query: MatchQuery, top: TopK): number {
  const n = index.slotCount;
  const scratch = new Scratch(n);
  const relatedLimit = Math.max(RELATED_MIN_LIMIT, index.size * RELATED_MAX_SHARE);
  const meetsRequired = requirementFilter(index, query, scratch);
  const touched: number[] = [];
  const seen = new Uint8Array(n);
  const missingAll = query.words.length >= 32 ? 0xffffffff : (1 << query.words.length) - 1;
  query.words.forEach((unit, i) => {
    const found = scratch.unit(index, unit, relatedLimit);
    for (let k = 0; k < found.length; k++) {
      const slot = found[k];
      if (slot === undefined || !meetsRequired(slot)) continue;
      if (!seen[slot]) (seen[slot] = 1, touched.push(slot));
      scratch.score[slot] = (scratch.score[slot] ?? 0) + (scratch.unitScore[slot] ?? 0);
      if (scratch.unitExact[slot]) scratch.held[slot] = (scratch.held[slot] ?? 0) | (1 << i);
    }
  });
  const phraseOk = phraseChecker(index, query.phrases);
  const excluded = new Exclusion(index, query);
  touched.sort((a, b) => a - b);
  let partial = 0;
  for (const slot of touched) {
    const missing = missingAll & ~(scratch.held[slot] ?? 0);
    if (missing === 0 || slot === query.exact || !index.paperAt(slot)) continue;
    if (excluded.has(slot) || (query.phrases.length > 0 && !phraseOk(slot))) continue;
    partial++;
    top.offer(slot, Tier.Partial, scratch.score[slot] ?? 0, missing);
  }
  return partial;
}

/** Which papers meet every requirement (filters, phrase words): met by the thing itself, never a related concept. */
function requirementFilter(index: PaperIndex, query: MatchQuery, scratch: Scratch): (slot: number) => boolean {
  if (query.required.length === 0) return () => true;
  const met = new Uint8Array(index.slotCount);
  query.required.forEach((unit, i) => {
    const found = scratch.unit(index, unit, 0);
    for (let k = 0; k < found.length; k++) {
      const slot = found[k];
      if (slot !== undefined && met[slot] === i && scratch.unitExact[slot]) met[slot] = i + 1;
    }
  });
  return (slot) => met[slot] === query.required.length;
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
  unit(index: PaperIndex, unit: Unit, relatedLimit: number): Int32Array {
    const mark = ++this.current;
    const out: number[] = [];
    const { stamp, unitScore, unitExact, related } = this;
    for (const lookup of unit.lookups) {
      const list = index.postingList(lookup.term);
      if (!list || (!lookup.exact && list.length > relatedLimit)) continue;
      const scale = lookup.factor * index.idf(lookup.term) * (K1 + 1);
      const exact = lookup.exact;
      const { slots, weights, fields } = list;
      for (let k = 0; k < list.length; k++) {
        const slot = slots[k];
        const tf = weights[k];
        if (slot === undefined || tf === undefined || ((fields[k] ?? 0) & lookup.fields) === 0) continue;
        const s = (scale * tf) / (tf + K1);
        if (stamp[slot] !== mark) {
          stamp[slot] = mark;
          unitScore[slot] = 0;
          unitExact[slot] = 0;
          related[slot] = 0;
          out.push(slot);
        }
        if (exact) {
          if (s > (unitScore[slot] ?? 0)) unitScore[slot] = s;
          unitExact[slot] = 1;
        } else related[slot] = (related[slot] ?? 0) + s;
      }
    }
    for (const slot of out) if (!unitExact[slot]) unitScore[slot] = related[slot] ?? 0;
    return Int32Array.from(out);
  }
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
  private readonly entries: { slot: number; tier: Tier; score: number; missing: number }[] = [];

  constructor(
    private readonly k: number,
    private readonly index: PaperIndex,
  ) {}

  offer(slot: number, tier: Tier, score: number, missing = 0): void {
    if (this.k <= 0) return;
    const list = this.entries;
    // Most offers of a broad query lose to the last kept entry: checked before anything is allocated.
    const last = list.at(-1);
    if (list.length === this.k && last !== undefined) {
      if (tier < last.tier || (tier === last.tier && score < last.score - 1e-9)) return;
    }
    const entry = { slot, tier, score, missing };
    if (list.length === this.k && last !== undefined && !this.before(entry, last)) return;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const pivot = list[mid];
      if (pivot !== undefined && this.before(entry, pivot)) hi = mid;
      else lo = mid + 1;
    }
    list.splice(lo, 0, entry);
    if (list.length > this.k) list.pop();
  }

  private before(a: { slot: number; tier: Tier; score: number }, b: { slot: number; tier: Tier; score: number }): boolean {
    if (a.tier !== b.tier) return a.tier > b.tier;
    const ds = a.score - b.score;
    if (Math.abs(ds) > 1e-9) return ds > 0;
    const dy = (this.index.paperAt(a.slot)?.year ?? 0) - (this.index.paperAt(b.slot)?.year ?? 0);
    if (dy !== 0) return dy > 0;
    return a.slot < b.slot;
  }

  result(): { slot: number; score: number; missing: number }[] {
    return this.entries;
  }
}
