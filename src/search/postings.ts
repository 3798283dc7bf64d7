import type { FieldMask } from './documents.js';

/**
 * The papers holding one term, sorted by slot: parallel typed arrays (slot, BM25F weight, fields)
 * that grow by doubling. Papers are added in slot order while the index is built, so that is an
 * append; a paper added or changed later is put in place by binary search.
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

  /**
   * Drops most of the spare capacity left by doubling, after a bulk build, but keeps an eighth: trimmed
   * to the byte, the first paper added afterwards would copy every list it touches (a common
   * concept's holds most of the catalog) to grow it.
   */
  trim(): void {
    const capacity = this.length + Math.max(2, this.length >>> 3);
    if (this.slots.length > capacity) this.resize(capacity);
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

  trim(): void {
    for (const list of this.lists.values()) list.trim();
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
   * leaves (`trim`): as a view of the snapshot's buffer, the first paper added to it would copy it
   * whole, and a common concept's list holds most of the catalog. Short lists stay views.
   */
  importLists(state: PostingsState, onNewTerm?: (term: string) => void): void {
    let at = 0;
    state.terms.forEach((term, i) => {
      const n = state.lengths[i] ?? 0;
      const [slots, weights, fields] = [state.slots.subarray(at, at + n), state.weights.subarray(at, at + n), state.fields.subarray(at, at + n)];
      let list: PostingList;
      if (n >= OWN_ARRAYS_FROM) {
        list = new PostingList(n + Math.max(2, n >>> 3));
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
