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
 * The catalog every adapter searches: the records of the store, in an in-memory index kept current
 * without a rebuild. Searching is synchronous and never waits for the database; catching up is not:
 * `sync()` asks the store for its last `seq` (one indexed query) and, when it moved, for what changed
 * since, so a paper added by this process, by another replica on the same PostgreSQL or by
 * `paperbot add` on the same file is found, and a removed one is gone. The dispatcher awaits a
 * bounded `sync()` before each command, as do the scheduled digest and spotlight and Discord's
 * autocomplete (CatalogService.catchUp); on PostgreSQL a notification from the writing replica
 * triggers one at once (changes.ts), so an idle replica is current before anyone asks.
 *
 * At start-up the index comes from the cache when it holds one it can trust (index-cache.ts), brought
 * up to date with the same changes; otherwise it is built from every record and saved for next time.
 */
export class LiveCatalog implements PaperSearch {
  private list: Paper[] | null = null;
  /** The sync waiting for the one in flight to end; joined by callers arriving meanwhile. */
  private queued: Promise<void> | null = null;
  private running: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: CatalogStore,
    private readonly engine: IndexedSearch,
    private seq: number,
  ) {}

  /** The live catalog over `store`: restored from `cache` when it can be, built from every record otherwise. */
  static async open(store: CatalogStore, build: BuildSearch, cache?: IndexCache): Promise<LiveCatalog> {
    const restored = cache ? await restore(store, cache) : null;
    if (restored) return new LiveCatalog(store, restored.search, restored.seq);
    const { version, papers } = await store.allAt();
    const engine = build(papers);
    await cache?.save(engine, version);
    return new LiveCatalog(store, engine, version.seq);
  }

  /** Every shown record, as of the last sync. */
  papers(): Paper[] {
    this.list ??= [...this.engine.papers()];
    return this.list;
  }

  get size(): number {
    return this.engine.size;
  }

  /**
   * Takes in what the store changed since the last look. Cheap when nothing changed (one query).
   * Calls arriving while one runs share the next one, which starts after it: whoever calls `sync()`
   * after a commit gets a look that began after that commit, without a query per caller.
   */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.running.then(() => {
      this.queued = null;
      return this.catchUp();
    });
    this.queued = next;
    this.running = next.catch(() => undefined);
    return next;
  }

  private async catchUp(): Promise<void> {
    if (!this.store.open || (await this.store.lastSeq()) === this.seq) return;
    const changes = await this.store.changesSince(this.seq);
    for (const paper of changes.upserts) this.upsert(paper);
    for (const id of changes.removed) this.remove(id);
    this.seq = Math.max(this.seq, changes.seq);
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
    return this.engine.search(query, options);
  }

  get(id: string): Paper | null {
    return this.engine.get(id);
  }

  resolve(text: string): Paper | null {
    return this.engine.resolve(text);
  }

  knows(word: string): boolean {
    return this.engine.knows(word);
  }

  complete(prefix: string, limit: number): Paper[] {
    return this.engine.complete(prefix, limit);
  }

  related(paper: Paper, limit: number): Paper[] {
    return this.engine.related(paper, limit);
  }
}

/**
 * The cached index with every change since it was saved applied, or null. As a last check it must
 * hold exactly as many papers as the store shows (read with the changes, in one statement).
 */
async function restore(store: CatalogStore, cache: IndexCache): Promise<{ search: IndexedSearch; seq: number } | null> {
  const loaded = await cache.load();
  if (!loaded) return null;
  const { search, version } = loaded;
  const changes = await store.changesAndCount(version.seq);
  for (const paper of changes.upserts) search.upsert(paper);
  for (const id of changes.removed) search.remove(id);
  if (search.size !== changes.shown) return null;
  if (changes.upserts.length + changes.removed.length > RESAVE_AFTER_CHANGES) await cache.save(search, { seq: changes.seq, bundled: version.bundled });
  return { search, seq: changes.seq };
}
