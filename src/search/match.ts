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
 * 1. Papers holding every word and requirement, one paper at a time: the smallest unit's postings
 *    are the candidates, and each further unit is looked up in its (sorted) posting lists by
 *    galloping search, so a rare word next to a common one costs the rare word's postings. A unit
 *    scores its best lookup, `idf × saturated BM25F weight`; units add up. Each match goes straight
 *    to the top-k: nothing the size of the matches is built.
 * 2. Only when fewer than `want` papers hold every word: the papers holding some, accumulated
 *    term at a time over the words' postings (a related concept counts by closeness there) in
 *    arrays kept with the index, so a query allocates nothing per paper.
 *
 * Then the best `want`: exact title, title phrase, every word, some words; within a tier by
 * score, then newer year, then catalog order.
 */
export function match(index: PaperIndex, query: MatchQuery, want: number): MatchResult {
  const top = new TopK(want, index);
  const exactAlive = query.exact !== undefined && index.isLive(query.exact) && !new Exclusion(index, query).has(query.exact);
  if (exactAlive) top.offer(query.exact!, Tier.Exact, Infinity);
  const inTitle = query.titlePhrase ? phraseIn(query.titlePhrase) : null;
  let exactScore: number | null = null;
  let count = 0;
  holdingEverything(index, query, (slot, score) => {
    count++;
    if (slot === query.exact) {
      exactScore = score;
      return;
    }
    if (want > 0) top.offer(slot, inTitle && inTitle(index.titleKeyOf(slot)) ? Tier.TitlePhrase : Tier.Full, score);
  });
  if (exactAlive && exactScore === null) count++;
  let partial = 0;
  if (count < want && query.words.length > 0) partial = holdingSome(index, query, top);
  return {
    ranked: top.result().map(({ slot, score, missing }) => ({ slot, score: slot === query.exact && score === Infinity ? (exactScore ?? 0) : score, missing })),
    full: count,
    partial,
  };
}

/**
 * Step 1: every paper holding every word and requirement, none excluded, every phrase as written,
 * handed to `found` with its score in increasing slot order.
 */
function holdingEverything(index: PaperIndex, query: MatchQuery, found: (slot: number, score: number) => void): void {
  const phraseOk = phraseChecker(index, query.phrases);
  const excluded = new Exclusion(index, query);
  const accept = (slot: number, score: number) => {
    if (excluded.any && excluded.has(slot)) return;
    if (query.phrases.length > 0 && !phraseOk(slot)) return;
    found(slot, score);
  };
  const units = [...query.required, ...query.words].map((unit) => exactLists(index, unit));
  if (units.length === 0) {
    // The whole list (nothing but exclusions, or words that restrict nothing): exclusions are marked
    // once instead of sought paper by paper.
    const isExcluded = scratchFor(index).markExcluded(excludedLists(index, query));
    for (let slot = 0; slot < index.slotCount; slot++) {
      if (!index.isLive(slot) || isExcluded(slot)) continue;
      if (query.phrases.length > 0 && !phraseOk(slot)) continue;
      found(slot, 0);
    }
    return;
  }
  units.sort((a, b) => a.size - b.size);
  const lead = mustExist(units[0], 'the rarest word of the query');
  const rest = units.slice(1);
  const cursors = rest.map((u) => new Int32Array(u.lookups.length));
  const candidate = (slot: number, leadScore: number) => {
    let score = leadScore;
    for (let u = 0; u < rest.length; u++) {
      const best = bestAt(mustExist(rest[u], 'a word of the query'), mustExist(cursors[u], 'its cursors'), slot);
      if (best < 0) return;
      score += best;
    }
    accept(slot, score);
  };
  const [only] = lead.lookups;
  if (only !== undefined && lead.lookups.length === 1) {
    const { list, fields, scale } = only;
    for (let k = 0; k < list.length; k++) {
      const slot = list.slots[k];
      const weight = list.weights[k];
      if (slot === undefined || weight === undefined || ((list.fields[k] ?? 0) & fields) === 0) continue;
      candidate(slot, saturate(scale, weight));
    }
    return;
  }
  const { slots, scores } = unionOf(index, lead);
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k];
    if (slot !== undefined) candidate(slot, scores[slot] ?? 0);
  }
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

/**
 * Every paper a unit of several lookups reaches, sorted, with its best lookup's score in `scores`
 * (indexed by slot): the index's scratch arrays, valid until the next query.
 */
function unionOf(index: PaperIndex, unit: UnitLists): { slots: Int32Array; scores: Float64Array } {
  const scratch = scratchFor(index);
  const mark = scratch.nextMark();
  const { stamp, best, out } = scratch;
  let n = 0;
  for (const { list, fields, scale } of unit.lookups) {
    for (let k = 0; k < list.length; k++) {
      const slot = list.slots[k];
      const weight = list.weights[k];
      if (slot === undefined || weight === undefined || ((list.fields[k] ?? 0) & fields) === 0) continue;
      const s = saturate(scale, weight);
      if (stamp[slot] !== mark) {
        stamp[slot] = mark;
        best[slot] = s;
        out[n++] = slot;
      } else if (s > (best[slot] ?? 0)) best[slot] = s;
    }
  }
  return { slots: out.subarray(0, n).sort(), scores: best };
}

/** The unit's best score for this slot, or -1 when it does not hold it; cursors only move forward. */
function bestAt(unit: UnitLists, cursors: Int32Array, slot: number): number {
  let best = -1;
  for (let l = 0; l < unit.lookups.length; l++) {
    const lookup = unit.lookups[l];
    if (lookup === undefined) continue;
    const { list, fields, scale } = lookup;
    const at = seek(list.slots, cursors[l] ?? 0, list.length, slot);
    cursors[l] = at;
    const weight = list.weights[at];
    if (at < list.length && list.slots[at] === slot && ((list.fields[at] ?? 0) & fields) !== 0 && weight !== undefined) best = Math.max(best, saturate(scale, weight));
  }
  return best;
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

/** The posting lists of what the query excludes (`-word`, `NOT word`): exact lookups, in any field. */
function excludedLists(index: PaperIndex, query: MatchQuery): { list: PostingList; fields: number }[] {
  const out: { list: PostingList; fields: number }[] = [];
  for (const unit of query.excluded) {
    for (const lookup of unit.lookups) {
      const list = lookup.exact ? index.postingList(lookup.term) : undefined;
      if (list) out.push({ list, fields: lookup.fields });
    }
  }
  return out;
}

/**
 * What the query excludes, as posting lists with a cursor each: papers are asked about in
 * increasing slot order, so each check moves the cursors forward.
 */
class Exclusion {
  private readonly lists: { list: PostingList; fields: number; cursor: number }[];

  constructor(index: PaperIndex, query: MatchQuery) {
    this.lists = excludedLists(index, query).map((l) => ({ ...l, cursor: 0 }));
  }

  /** Whether the query excludes anything the index holds. */
  get any(): boolean {
    return this.lists.length > 0;
  }

  has(slot: number): boolean {
    for (const l of this.lists) {
      // Out of order (the exact paper): start over from the front.
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
 * to `top` after the full matches; returns how many there are. The papers are visited in the
 * order the postings give them: every check here is by slot, so none needs them sorted.
 */
function holdingSome(index: PaperIndex, query: MatchQuery, top: TopK): number {
  const scratch = scratchFor(index);
  const relatedLimit = Math.max(RELATED_MIN_LIMIT, index.size * RELATED_MAX_SHARE);
  const meetsRequired = requirementFilter(index, query, scratch);
  const { score, held, unitScore, unitExact, touched, seen } = scratch;
  const seenMark = scratch.nextMark();
  let touchedCount = 0;
  const missingAll = query.words.length >= 32 ? 0xffffffff : (1 << query.words.length) - 1;
  query.words.forEach((unit, i) => {
    const n = scratch.unit(index, unit, relatedLimit);
    const found = scratch.out;
    for (let k = 0; k < n; k++) {
      const slot = found[k];
      if (slot === undefined || !meetsRequired(slot)) continue;
      if (seen[slot] !== seenMark) {
        seen[slot] = seenMark;
        score[slot] = 0;
        held[slot] = 0;
        touched[touchedCount++] = slot;
      }
      score[slot] = (score[slot] ?? 0) + (unitScore[slot] ?? 0);
      if (unitExact[slot]) held[slot] = (held[slot] ?? 0) | (1 << i);
    }
  });
  const phraseOk = phraseChecker(index, query.phrases);
  const excluded = scratch.markExcluded(excludedLists(index, query));
  let partial = 0;
  for (let k = 0; k < touchedCount; k++) {
    const slot = touched[k];
    if (slot === undefined) continue;
    const missing = missingAll & ~(held[slot] ?? 0);
    if (missing === 0 || slot === query.exact || !index.isLive(slot)) continue;
    if (excluded(slot) || (query.phrases.length > 0 && !phraseOk(slot))) continue;
    partial++;
    top.offer(slot, Tier.Partial, score[slot] ?? 0, missing);
  }
  return partial;
}

/** Which papers meet every requirement (filters, phrase words): met by the thing itself, never a related concept. */
function requirementFilter(index: PaperIndex, query: MatchQuery, scratch: Scratch): (slot: number) => boolean {
  if (query.required.length === 0) return () => true;
  const met = scratch.met;
  met.fill(0);
  query.required.forEach((unit, i) => {
    const n = scratch.unit(index, unit, 0);
    const found = scratch.out;
    for (let k = 0; k < n; k++) {
      const slot = found[k];
      if (slot !== undefined && met[slot] === i && scratch.unitExact[slot]) met[slot] = i + 1;
    }
  });
  return (slot) => met[slot] === query.required.length;
}

/**
 * Per-paper working arrays of the matcher, one set per index, sized to its slots and reused by
 * every query: matching is synchronous, so two queries never use them at once. Entries are valid
 * where their stamp holds the current mark, so nothing is cleared between queries.
 */
class Scratch {
  readonly size: number;
  readonly score: Float32Array;
  readonly held: Uint32Array;
  readonly unitScore: Float32Array;
  readonly unitExact: Uint8Array;
  readonly met: Uint8Array;
  /** Slots listed by the last `unit` (or union). */
  readonly out: Int32Array;
  readonly touched: Int32Array;
  readonly seen: Int32Array;
  readonly best: Float64Array;
  readonly stamp: Int32Array;
  private readonly related: Float32Array;
  private readonly excluded: Int32Array;
  private mark = 0;

  constructor(n: number) {
    this.size = n;
    this.score = new Float32Array(n);
    this.held = new Uint32Array(n);
    this.unitScore = new Float32Array(n);
    this.unitExact = new Uint8Array(n);
    this.met = new Uint8Array(n);
    this.out = new Int32Array(n);
    this.touched = new Int32Array(n);
    this.seen = new Int32Array(n);
    this.best = new Float64Array(n);
    this.stamp = new Int32Array(n);
    this.related = new Float32Array(n);
    this.excluded = new Int32Array(n);
  }

  /** A mark no stamp holds yet. */
  nextMark(): number {
    if (this.mark >= 0x3fffffff) {
      this.mark = 0;
      this.stamp.fill(0);
      this.seen.fill(0);
      this.excluded.fill(0);
    }
    return ++this.mark;
  }

  /** Marks every paper the lists hold (in the fields they count in); returns the check. */
  markExcluded(lists: { list: PostingList; fields: number }[]): (slot: number) => boolean {
    if (lists.length === 0) return () => false;
    const mark = this.nextMark();
    const excluded = this.excluded;
    for (const { list, fields } of lists) {
      for (let k = 0; k < list.length; k++) {
        const slot = list.slots[k];
        if (slot !== undefined && ((list.fields[k] ?? 0) & fields) !== 0) excluded[slot] = mark;
      }
    }
    return (slot) => excluded[slot] === mark;
  }

  /**
   * The papers one unit reaches, listed in `out` (the count is returned), each with its score in
   * `unitScore` and whether it holds the word itself in `unitExact`. The word (or a synonym or
   * reading of it) counts by its best lookup; a paper reached only through related concepts counts
   * by their sum, so the closer it is (a liver lesion to "liver tumour": liver and lesion) the higher it ranks.
   */
  unit(index: PaperIndex, unit: Unit, relatedLimit: number): number {
    const mark = this.nextMark();
    const { stamp, unitScore, unitExact, related, out } = this;
    let n = 0;
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
          out[n++] = slot;
        }
        if (exact) {
          if (s > (unitScore[slot] ?? 0)) unitScore[slot] = s;
          unitExact[slot] = 1;
        } else related[slot] = (related[slot] ?? 0) + s;
      }
    }
    for (let k = 0; k < n; k++) {
      const slot = out[k];
      if (slot !== undefined && !unitExact[slot]) unitScore[slot] = related[slot] ?? 0;
    }
    return n;
  }
}

const scratches = new WeakMap<PaperIndex, Scratch>();

/** The index's scratch arrays, grown (with room for the papers added next) when it has outgrown them. */
function scratchFor(index: PaperIndex): Scratch {
  let scratch = scratches.get(index);
  if (!scratch || scratch.size < index.slotCount) {
    scratch = new Scratch(index.slotCount + (index.slotCount >>> 3) + 64);
    scratches.set(index, scratch);
  }
  return scratch;
}

/** A check that a token key holds `phrase` (a token key too) as whole tokens, without building a string per paper. */
function phraseIn(phrase: string): (key: string) => boolean {
  const head = `${phrase} `;
  const tail = ` ${phrase}`;
  const inner = ` ${phrase} `;
  return (key) => key === phrase || key.startsWith(head) || key.endsWith(tail) || key.includes(inner);
}

/** A paper's abstract as a token key ('' when it has none: most papers of the bundled list). */
function abstractKey(index: PaperIndex, slot: number): string {
  const abstract = index.paperAt(slot)?.abstract;
  return abstract ? tokenize(abstract).join(' ') : '';
}

/** Whether each quoted phrase occurs as written (same words, same order) in the title or the abstract. */
function phraseChecker(index: PaperIndex, phrases: string[]): (slot: number) => boolean {
  const checks = phrases.map(phraseIn);
  return (slot) => {
    const title = index.titleKeyOf(slot);
    let abstract: string | null = null;
    return checks.every((holds) => {
      if (holds(title)) return true;
      abstract ??= abstractKey(index, slot);
      return abstract !== '' && holds(abstract);
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
    if (list.length === this.k && last !== undefined && !this.beats(slot, tier, score, last)) return;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const pivot = list[mid];
      if (pivot !== undefined && this.beats(slot, tier, score, pivot)) hi = mid;
      else lo = mid + 1;
    }
    list.splice(lo, 0, { slot, tier, score, missing });
    if (list.length > this.k) list.pop();
  }

  private beats(slot: number, tier: Tier, score: number, b: { slot: number; tier: Tier; score: number }): boolean {
    if (tier !== b.tier) return tier > b.tier;
    const ds = score - b.score;
    if (Math.abs(ds) > 1e-9) return ds > 0;
    const dy = this.index.yearAt(slot) - this.index.yearAt(b.slot);
    if (dy !== 0) return dy > 0;
    return slot < b.slot;
  }

  result(): { slot: number; score: number; missing: number }[] {
    return this.entries;
  }
}
