import type { PaperSearch, SearchOptions, SearchResult } from '../search/types.js';
import type { Paper } from './paper.js';
import type { CatalogStore } from './store.js';

/** Builds the search index over the stored records once, at start-up; after that it only changes paper by paper. */
export type BuildSearch = (papers: Paper[]) => PaperSearch;

/**
 * The catalog every adapter searches: the records of the store, kept current without a rebuild.
 * Before each use it asks the store what changed since it last looked (one indexed query), so a paper
 * added by this process, by a second bot or by `paperbot add` on the same database is found by the
 * next query, and a removed one is gone.
 */
export class LiveCatalog implements PaperSearch {
  private readonly records = new Map<string, Paper>();
  private readonly engine: PaperSearch;
  private list: Paper[] | null = null;
  private seq: number;

  constructor(
    private readonly store: CatalogStore,
    build: BuildSearch,
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
    this.refresh();
    return this.records.size;
  }

  /** Takes in what the store changed since the last look. Cheap when nothing changed. */
  refresh(): void {
    if (!this.store.open || this.store.lastSeq() === this.seq) return;
    const changes = this.store.changesSince(this.seq);
    this.seq = changes.seq;
    for (const paper of changes.upserts) this.upsert(paper);
    for (const id of changes.removed) this.remove(id);
  }

  /** A record written by this process: in the index at once. */
  upsert(paper: Paper): void {
    this.records.set(paper.id, paper);
    this.list = null;
    this.engine.upsert(paper);
  }

  remove(id: string): boolean {
    if (!this.records.delete(id)) return false;
    this.list = null;
    return this.engine.remove(id);
  }

  search(query: string, options?: SearchOptions): SearchResult {
    this.refresh();
    return this.engine.search(query, options);
  }

  get(id: string): Paper | null {
    this.refresh();
    return this.engine.get(id);
  }

  complete(prefix: string, limit: number): Paper[] {
    this.refresh();
    return this.engine.complete(prefix, limit);
  }

  related(paper: Paper, limit: number): Paper[] {
    this.refresh();
    return this.engine.related(paper, limit);
  }
}
