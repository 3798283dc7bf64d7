import type { IndexedSearch } from '../search/index.js';
import type { PaperSearch, SearchOptions, SearchResult } from '../search/types.js';
import type { IndexCache } from './index-cache.js';
import type { Paper } from './paper.js';
import type { CatalogStore } from './store.js';

/** Builds the search index over the stored records once, at start-up; after that it only changes paper by paper. */
export type BuildSearch = (papers: Paper[]) => IndexedSearch;

/** A restored index that needed more changes than this to catch up is saved again, so the next start needs few. */
const RESAVE_AFTER_CHANGES = 1000;

/**
 * The catalog every adapter searches: the records of the store, kept current without a rebuild.
 * Before each use it asks the store what changed since it last looked (one indexed query), so a paper
 * added by this process, by a second bot or by `paperbot add` on the same database is found by the
 * next query, and a removed one is gone.
 *
 * At start-up the index comes from the cache when it holds one it can trust (index-cache.ts), brought
 * up to date with the same changes; otherwise it is built from every record and saved for next time.
 */
export class LiveCatalog implements PaperSearch {
  private readonly engine: IndexedSearch;
  private list: Paper[] | null = null;
  private seq: number;

  constructor(
    private readonly store: CatalogStore,
    build: BuildSearch,
    cache?: IndexCache,
  ) {
    const restored = cache ? this.restore(cache) : null;
    if (restored) {
      this.engine = restored.search;
      this.seq = restored.seq;
      return;
    }
    const { version, papers } = store.allAt();
    this.seq = version.seq;
    this.engine = build(papers);
    cache?.save(this.engine, version);
  }

  /**
   * The cached index with every change since it was saved applied, or null. As a last check it must
   * hold exactly as many papers as the store shows (read with the changes, in one transaction).
   */
  private restore(cache: IndexCache): { search: IndexedSearch; seq: number } | null {
    const loaded = cache.load();
    if (!loaded) return null;
    const { search, version } = loaded;
    const changes = this.store.changesAndCount(version.seq);
    for (const paper of changes.upserts) search.upsert(paper);
    for (const id of changes.removed) search.remove(id);
    if (search.size !== changes.shown) return null;
    if (changes.upserts.length + changes.removed.length > RESAVE_AFTER_CHANGES) cache.save(search, { seq: changes.seq, bundled: version.bundled });
    return { search, seq: changes.seq };
  }

  /** Every shown record, current. */
  papers(): Paper[] {
    this.refresh();
    this.list ??= [...this.engine.papers()];
    return this.list;
  }

  get size(): number {
    this.refresh();
    return this.engine.size;
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
    this.list = null;
    this.engine.upsert(paper);
  }

  remove(id: string): boolean {
    if (!this.engine.remove(id)) return false;
    this.list = null;
    return true;
  }

  search(query: string, options?: SearchOptions): SearchResult {
    this.refresh();
    return this.engine.search(query, options);
  }

  get(id: string): Paper | null {
    this.refresh();
    return this.engine.get(id);
  }

  resolve(text: string): Paper | null {
    this.refresh();
    return this.engine.resolve(text);
  }

  knows(word: string): boolean {
    this.refresh();
    return this.engine.knows(word);
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
