import type { FieldMask, TermSink } from './documents.js';

/**
 * The papers holding one term, sorted by slot: parallel typed arrays (slot, BM25F weight, fields).
 * A build makes each list at its final size (`Postings.addBuffered`) and appends in slot order; a
 * paper added or changed later is put in place by binary search, the arrays growing by doubling.
 */
export class PostingList {
  slots: Int32Array;
  weights: Float32Array;
  fields: Uint16Array;
  length = 0;

  constructor(capacity = 4) {
    this.slots = new Int32Array(capacity);
    this.weights = new Float32Array(capacity);
    this.fields = new Uint16Array(capacity);
  }

  /** A full list over arrays restored from a snapshot (views into its buffers: the first insert copies them out). */
  static over(slots: Int32Array, weights: Float32Array, fields: Uint16Array): PostingList {
    const list = new PostingList(0);
    list.slots = slots;
    list.weights = weights;
    list.fields = fields;
    list.length = slots.length;
    return list;
  }

  insert(slot: number, weight: number, fields: FieldMask): void {
    if (this.length === this.slots.length) this.resize(Math.max(4, this.length * 2));
    const n = this.length;
    let at = n;
    if (n > 0 && (this.slots[n - 1] ?? -1) >= slot) {
      at = this.find(slot);
      if (at < n && this.slots[at] === slot) {
        this.weights[at] = weight;
        this.fields[at] = fields;
        return;
      }
      this.slots.copyWithin(at + 1, at, n);
      this.weights.copyWithin(at + 1, at, n);
      this.fields.copyWithin(at + 1, at, n);
    }
    this.slots[at] = slot;
    this.weights[at] = weight;
    this.fields[at] = fields;
    this.length = n + 1;
  }

  remove(slot: number): void {
    const at = this.find(slot);
    if (at >= this.length || this.slots[at] !== slot) return;
    this.slots.copyWithin(at, at + 1, this.length);
    this.weights.copyWithin(at, at + 1, this.length);
    this.fields.copyWithin(at, at + 1, this.length);
    this.length--;
  }

  /** The fields this term was found in across all papers. */
  fieldUnion(): FieldMask {
    let mask = 0;
    for (let i = 0; i < this.length; i++) mask |= this.fields[i] ?? 0;
    return mask;
  }

  /** Where the slot's entry is, or -1. */
  positionOf(slot: number): number {
    const at = this.find(slot);
    return at < this.length && this.slots[at] === slot ? at : -1;
  }

  private find(slot: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.slots[mid] ?? slot) < slot) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private resize(capacity: number): void {
    const slots = new Int32Array(capacity);
    const weights = new Float32Array(capacity);
    const fields = new Uint16Array(capacity);
    slots.set(this.slots.subarray(0, this.length));
    weights.set(this.weights.subarray(0, this.length));
    fields.set(this.fields.subarray(0, this.length));
    this.slots = slots;
    this.weights = weights;
    this.fields = fields;
  }
}

/** Entries per chunk of a `PostingsBuffer`. */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/**
 * A bulk build's postings before they are laid out: every (paper, term) entry in the order the
 * papers were read, in fixed chunks that are never copied, and how many papers hold each term.
 * `Postings.addBuffered` then gives each list its final size at once, so no list grows by doubling.
 */
export class PostingsBuffer implements TermSink {
  private readonly chunks: { slots: Int32Array; terms: Int32Array; weights: Float32Array; fields: Uint16Array }[] = [];
  length = 0;
  /** Papers per term number. */
  counts = new Int32Array(1024);
  /** Term numbers in the order they were first met. */
  readonly order: number[] = [];
  /** The slot of the paper being read. */
  slot = 0;

  paperTerms(ids: Int32Array, weights: Float64Array, fields: Uint16Array, count: number): void {
    for (let i = 0; i < count; i++) this.add(ids[i] ?? 0, weights[i] ?? 0, fields[i] ?? 0);
  }

  private add(id: number, weight: number, fields: FieldMask): void {
    const at = this.length & (CHUNK - 1);
    if (at === 0) this.chunks.push({ slots: new Int32Array(CHUNK), terms: new Int32Array(CHUNK), weights: new Float32Array(CHUNK), fields: new Uint16Array(CHUNK) });
    const chunk = this.chunks[this.chunks.length - 1]!;
    chunk.slots[at] = this.slot;
    chunk.terms[at] = id;
    chunk.weights[at] = weight;
    chunk.fields[at] = fields;
    this.length++;
    if (id >= this.counts.length) {
      const counts = new Int32Array(Math.max(id + 1, this.counts.length * 2));
      counts.set(this.counts);
      this.counts = counts;
    }
    const before = this.counts[id] ?? 0;
    this.counts[id] = before + 1;
    if (before === 0) this.order.push(id);
  }

  /** Every entry, in the order they came. */
  forEach(visit: (slot: number, id: number, weight: number, fields: FieldMask) => void): void {
    for (let i = 0; i < this.length; i++) {
      const chunk = this.chunks[i >>> CHUNK_BITS]!;
      const at = i & (CHUNK - 1);
      visit(chunk.slots[at] ?? 0, chunk.terms[at] ?? 0, chunk.weights[at] ?? 0, chunk.fields[at] ?? 0);
    }
  }
}

/**
 * The room a list of `n` keeps for papers added later: an eighth, at least two. A list made to the
 * byte would be copied whole by the first paper added afterwards (a common concept's list holds
 * most of the catalog).
 */
const spareRoom = (n: number): number => Math.max(2, n >>> 3);

/** From this length on, a restored list is copied out of the snapshot's buffer (see importLists). */
const OWN_ARRAYS_FROM = 256;

/** Every posting list, one after another in flat arrays: `lengths[i]` entries belong to `terms[i]`. */
export type PostingsState = { terms: string[]; lengths: Int32Array; slots: Int32Array; weights: Float32Array; fields: Uint16Array };

/** Term → posting list; a term whose last paper goes is forgotten. */
export class Postings {
  private readonly lists = new Map<string, PostingList>();

  add(slot: number, term: string, weight: number, fields: FieldMask, onNewTerm?: (term: string) => void): void {
    let list = this.lists.get(term);
    if (!list) {
      this.lists.set(term, (list = new PostingList()));
      onNewTerm?.(term);
    }
    list.insert(slot, weight, fields);
  }

  /**
   * Adds what a bulk build buffered; `nameOf` names the term numbers. A new list is made at its
   * final size, with its spare room (`spareRoom`).
   */
  addBuffered(buffer: PostingsBuffer, nameOf: (id: number) => string, onNewTerm?: (term: string) => void): void {
    const byId: PostingList[] = [];
    for (const id of buffer.order) {
      const term = nameOf(id);
      let list = this.lists.get(term);
      if (!list) {
        const n = buffer.counts[id] ?? 0;
        this.lists.set(term, (list = new PostingList(n + spareRoom(n))));
        onNewTerm?.(term);
      }
      byId[id] = list;
    }
    buffer.forEach((slot, id, weight, fields) => byId[id]!.insert(slot, weight, fields));
  }

  remove(slot: number, terms: Iterable<string>, onGoneTerm?: (term: string) => void): void {
    for (const term of terms) {
      const list = this.lists.get(term);
      if (!list) continue;
      list.remove(slot);
      if (list.length === 0) {
        this.lists.delete(term);
        onGoneTerm?.(term);
      }
    }
  }

  get(term: string): PostingList | undefined {
    return this.lists.get(term);
  }

  /** How many papers hold the term. */
  count(term: string): number {
    return this.lists.get(term)?.length ?? 0;
  }

  terms(): IterableIterator<string> {
    return this.lists.keys();
  }

  /** The lists in the order their terms were first seen (a restore adds them back in that order). */
  exportLists(): PostingsState {
    const terms = [...this.lists.keys()];
    const lengths = new Int32Array(terms.length);
    let total = 0;
    terms.forEach((term, i) => {
      const n = this.lists.get(term)?.length ?? 0;
      lengths[i] = n;
      total += n;
    });
    const state = { terms, lengths, slots: new Int32Array(total), weights: new Float32Array(total), fields: new Uint16Array(total) };
    let at = 0;
    for (const list of this.lists.values()) {
      state.slots.set(list.slots.subarray(0, list.length), at);
      state.weights.set(list.weights.subarray(0, list.length), at);
      state.fields.set(list.fields.subarray(0, list.length), at);
      at += list.length;
    }
    return state;
  }

  /**
   * Takes back what `exportLists` gave. A long list gets its own arrays with the spare room a build
   * leaves (`spareRoom`): as a view of the snapshot's buffer, the first paper added to it would copy it
   * whole, and a common concept's list holds most of the catalog. Short lists stay views.
   */
  importLists(state: PostingsState, onNewTerm?: (term: string) => void): void {
    let at = 0;
    state.terms.forEach((term, i) => {
      const n = state.lengths[i] ?? 0;
      const [slots, weights, fields] = [state.slots.subarray(at, at + n), state.weights.subarray(at, at + n), state.fields.subarray(at, at + n)];
      let list: PostingList;
      if (n >= OWN_ARRAYS_FROM) {
        list = new PostingList(n + spareRoom(n));
        list.slots.set(slots);
        list.weights.set(weights);
        list.fields.set(fields);
        list.length = n;
      } else list = PostingList.over(slots, weights, fields);
      this.lists.set(term, list);
      onNewTerm?.(term);
      at += n;
    });
  }
}
