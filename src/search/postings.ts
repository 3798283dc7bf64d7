import type { FieldMask, TermSink } from './documents.js';

/**
 * The papers holding one term, sorted by slot: parallel typed arrays (slot, BM25F weight, fields).
 * A build sizes each list for what it will hold (`PostingsBuilder`) and appends in slot order; a
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

  /** How many papers the list has room for before it must grow. */
  get capacity(): number {
    return this.slots.length;
  }

  resize(capacity: number): void {
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

/** Entries a `PostingsBuilder` holds before it adds them to their lists. */
const BLOCK = 1 << 16;

/**
 * A bulk build's postings: the papers' terms gathered a block at a time, then appended to their
 * lists. Each list is sized for the count the papers read so far project over the whole build,
 * with its spare room, so a list is rarely copied to grow, and at the end only a list sized well
 * beyond what it holds is cut back. The memory a build allocates outside the JS heap stays close
 * to what the index keeps: allocating much more there makes V8 run a full collection, which costs
 * as much as the whole heap (the catalog's papers included).
 */
export class PostingsBuilder implements TermSink {
  private slots = new Int32Array(BLOCK);
  private terms = new Int32Array(BLOCK);
  private weights = new Float32Array(BLOCK);
  private fields = new Uint16Array(BLOCK);
  private length = 0;
  /** Per term number, its entries in this block. */
  private counts = new Int32Array(1024);
  /** The term numbers of this block, in the order they were first met. */
  private readonly blockTerms: number[] = [];
  private readonly lists: (PostingList | undefined)[] = [];
  private papersRead = 0;
  /** The slot of the paper being read. */
  slot = 0;

  /**
   * `papers`: how many the build will read, for projecting. `nameOf` names a term number; `onNewTerm`
   * hears of each term the postings did not hold yet, in the order the terms were first met.
   */
  constructor(
    private readonly postings: Postings,
    private readonly papers: number,
    private readonly nameOf: (id: number) => string,
    private readonly onNewTerm?: (term: string) => void,
  ) {}

  paperTerms(ids: Int32Array, weights: Float64Array, fields: Uint16Array, count: number): void {
    if (this.length + count > this.slots.length) {
      this.flush();
      // A paper with more terms than a block holds gets a bigger block.
      if (count > this.slots.length) [this.slots, this.terms, this.weights, this.fields] = [new Int32Array(count), new Int32Array(count), new Float32Array(count), new Uint16Array(count)];
    }
    for (let i = 0; i < count; i++) {
      const id = ids[i] ?? 0;
      const at = this.length++;
      this.slots[at] = this.slot;
      this.terms[at] = id;
      this.weights[at] = weights[i] ?? 0;
      this.fields[at] = fields[i] ?? 0;
      if (id >= this.counts.length) {
        const counts = new Int32Array(Math.max(id + 1, this.counts.length * 2));
        counts.set(this.counts);
        this.counts = counts;
      }
      const before = this.counts[id] ?? 0;
      this.counts[id] = before + 1;
      if (before === 0) this.blockTerms.push(id);
    }
    this.papersRead++;
  }

  /** Adds what is gathered, and cuts back the lists sized well beyond what they hold. */
  finish(): void {
    this.flush();
    for (const list of this.lists) if (list && list.capacity > list.length + 2 * spareRoom(list.length)) list.resize(list.length + spareRoom(list.length));
  }

  private flush(): void {
    const scale = this.papers / Math.max(1, this.papersRead);
    for (const id of this.blockTerms) {
      const needed = (this.lists[id]?.length ?? 0) + (this.counts[id] ?? 0);
      const projected = Math.max(needed, Math.ceil(needed * scale));
      const capacity = projected + spareRoom(projected);
      let list = this.lists[id];
      if (!list) this.lists[id] = list = this.postings.listFor(this.nameOf(id), capacity, this.onNewTerm);
      if (list.capacity < needed) list.resize(capacity);
      this.counts[id] = 0;
    }
    this.blockTerms.length = 0;
    for (let i = 0; i < this.length; i++) this.lists[this.terms[i] ?? 0]?.insert(this.slots[i] ?? 0, this.weights[i] ?? 0, this.fields[i] ?? 0);
    this.length = 0;
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

  /** The list of a term, made with room for `capacity` papers if the term is new. */
  listFor(term: string, capacity: number, onNewTerm?: (term: string) => void): PostingList {
    let list = this.lists.get(term);
    if (!list) {
      this.lists.set(term, (list = new PostingList(capacity)));
      onNewTerm?.(term);
    }
    return list;
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
