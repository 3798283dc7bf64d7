import type { Db } from '../store/db.js';
import { decodeIndex, encodeIndex, indexFormat, searchOver, type IndexedSearch } from '../search/index.js';
import type { CatalogStore, CatalogVersion } from './store.js';
import type { Vocabulary } from './vocabulary.js';

/** A search index kept between runs: restored at start-up instead of rebuilt from every record. */
export interface IndexCache {
  /** The stored index and the catalog version it is current to, when it can be trusted; null otherwise. */
  load(): { search: IndexedSearch; version: CatalogVersion } | null;
  /**
   * Keeps the index, current to `version` (read with the records it was built from). Best effort: a
   * cache that cannot be written costs the next start some time, nothing else.
   */
  save(search: IndexedSearch, version: CatalogVersion): void;
}

/**
 * Below this many papers a rebuild takes a few milliseconds: no snapshot is kept (the bundled list
 * alone never writes one).
 */
const MIN_CACHED_PAPERS = 5000;

/**
 * The snapshot lives in the state database itself, in a table of its own holding one row: a backup or
 * a restore carries it together with the records it was built from, so it can never describe another
 * copy of the catalog. It is a cache, not state: created on first save, and dropping the table only
 * costs one rebuild. A snapshot is restored only when
 *  - it was made by this code with this vocabulary (`indexFormat`),
 *  - the bundled list is the one it was made with (seeding a new list shows and hides records
 *    without a new `seq`),
 *  - its `seq` is not ahead of the catalog's;
 * then the records written after its `seq` (by this or any other process) are applied on top, as a
 * running bot does (LiveCatalog.refresh).
 */
export function sqliteIndexCache(db: Db, store: CatalogStore, vocabulary: Vocabulary, minPapers = MIN_CACHED_PAPERS): IndexCache {
  const exists = () => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalog_index_snapshot'").get() !== undefined;
  return {
    load() {
      const format = indexFormat(vocabulary);
      if (format === null || !db.open || !exists()) return null;
      // One read transaction: the row and the catalog version it is compared with are of one moment.
      // The bytes are read only for a snapshot that can be used.
      const found = db.transaction(() => {
        const row = db.prepare('SELECT format, seq, bundled FROM catalog_index_snapshot WHERE id = 1').get() as { format: string; seq: number; bundled: string } | undefined;
        if (!row) return null;
        const now = store.version();
        if (row.format !== format || row.bundled !== now.bundled || row.seq > now.seq) return null;
        const data = db.prepare('SELECT data FROM catalog_index_snapshot WHERE id = 1').pluck().get() as Buffer;
        return { data, version: { seq: row.seq, bundled: row.bundled } };
      })();
      const index = found ? decodeIndex(found.data, vocabulary) : null;
      return found && index ? { search: searchOver(index), version: found.version } : null;
    },

    save(search, { seq, bundled }) {
      const format = indexFormat(vocabulary);
      if (format === null || !db.open || search.size < minPapers) return;
      try {
        const data = encodeIndex(search.index);
        db.exec(`CREATE TABLE IF NOT EXISTS catalog_index_snapshot (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          format TEXT NOT NULL,
          seq INTEGER NOT NULL,
          bundled TEXT NOT NULL,
          data BLOB NOT NULL
        )`);
        db.prepare(
          `INSERT INTO catalog_index_snapshot (id, format, seq, bundled, data) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET format = excluded.format, seq = excluded.seq, bundled = excluded.bundled, data = excluded.data`,
        ).run(format, seq, bundled, data);
      } catch {
        // Another process holds the write lock, the disk is full, or the index is too large to
        // serialise: the next start rebuilds instead.
      }
    },
  };
}
