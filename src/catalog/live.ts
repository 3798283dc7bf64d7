import type { PaperSearch, SearchOptions, SearchResult } from '../search/types.js';
import type { Paper } from './paper.js';
import type { CatalogStore } from './store.js';

/**
 * The search engine as the catalog needs it: it can take one record in or out without a rebuild.
 * The search module provides `upsert`/`remove` on its index; an engine without them is rebuilt on
 * the next query after a change (fine at the bundled list's size, and what the benchmark compares).
 */
export type BuildSearch = (papers: Paper[]) => PaperSearch & Partial<IncrementalIndex>;
export interface IncrementalIndex {
  upsert(paper: Paper): void;
  remove(id: string): void;
}

/**
 * The catalog every adapter searches: the records of the store, kept current. Before each use it asks
 * the store for what changed since it last looked (one indexed query), so a paper added by this
 * process, by a second bot or by `paperbot add` on the same database is found by the next query.
 */
export class LiveCatalog implements PaperSearch {
  private readonly records = new Map<string, Paper>();
  private engine: (PaperSearch & Partial<IncrementalIndex>) | null = null;
  private list: Paper[] | null = null;
  private seq: number;

  constructor(
    private readonly store: CatalogStore,
    private readonly build: BuildSearch,
  ) {
    this.seq = store.lastSeq();
    for (const paper of store.all()) this.records.set(paper.id, paper);
    this.engine = build(this.papers());
  }

  /** Every shown record, current. */
  papers(): Paper[] {
    this.refresh();
    this.list ??= [...this.records.values()];
    return this.list;
  }

  get size(): number {
    return this.records.size;
  }

  /** Takes in what the store changed since the last look. Cheap when nothing changed. */
  refresh(): void {
    if (this.store.lastSeq() === this.seq) return;
    const changes = this.store.changesSince(this.seq);
    this.seq = changes.seq;
    for (const paper of changes.upserts) this.put(paper);
    for (const id of changes.removed) this.drop(id);
  }

  /** A record this process just wrote: in the index at once. */
  put(paper: Paper): void {
    this.records.set(paper.id, paper);
    this.list = null;
    if (this.engine?.upsert) this.engine.upsert(paper);
    else this.engine = null;
  }

  drop(id: string): void {
    if (!this.records.delete(id)) return;
    this.list = null;
    if (this.engine?.remove) this.engine.remove(id);
    else this.engine = null;
  }

  private current(): PaperSearch {
    this.refresh();
    this.engine ??= this.build(this.papers());
    return this.engine;
  }

  search(query: string, options?: SearchOptions): SearchResult {
    return this.current().search(query, options);
  }

  get(id: string): Paper | null {
    return this.current().get(id);
  }

  complete(prefix: string, limit: number): Paper[] {
    return this.current().complete(prefix, limit);
  }

  related(paper: Paper, limit: number): Paper[] {
    return this.current().related(paper, limit);
  }
}
