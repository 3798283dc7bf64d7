import { decodeIndex, encodeIndex, indexFormat, searchOver, type IndexedSearch } from '../search/index.js';
import type { SqlDatabase } from '../store/sql/types.js';
import { BUNDLED_FINGERPRINT, LAST_SEQ, type CatalogVersion } from './store.js';
import type { Vocabulary } from './vocabulary.js';

/** A search index kept between runs: restored at start-up instead of rebuilt from every record. */
export interface IndexCache {
  /** The stored index and the catalog version it is current to, when it can be trusted; null otherwise. */
  load(): Promise<{ search: IndexedSearch; version: CatalogVersion } | null>;
  /**
   * Keeps the index, current to `version` (read with the records it was built from). Best effort: a
   * cache that cannot be written costs the next start some time, nothing else.
   */
  save(search: IndexedSearch, version: CatalogVersion): Promise<void>;
}

/**
 * Below this many papers a rebuild takes a few milliseconds: no snapshot is kept (the bundled list
 * alone never writes one).
 */
const MIN_CACHED_PAPERS = 5000;

/**
 * The snapshot lives in the database that holds the records (the SQLite file, or PostgreSQL shared by
 * every replica), in a table of one row (migration 80): it can never describe another copy of the
 * catalog, and a replica starting on PostgreSQL restores the snapshot another replica saved. It is a
 * cache, not state: backups leave it out, and losing it costs one rebuild. A snapshot is restored only when
 *  - it was made by this code with this vocabulary (`indexFormat`),
 *  - the bundled list is the one it was made with,
 *  - its `seq` is not ahead of the catalog's;
 * then the records written after its `seq` (by this or any other process) are applied on top, as a
 * running bot does (LiveCatalog.sync), and the count of shown records checked.
 */
export function storedIndexCache(sql: SqlDatabase, vocabulary: Vocabulary, minPapers = MIN_CACHED_PAPERS): IndexCache {
  return {
    async load() {
      const format = indexFormat(vocabulary);
      if (format === null || sql.closed) return null;
      // One statement: the row and the catalog version it is compared with are of one moment, and
      // the bytes are read only for a snapshot that can be used.
      const row = await sql.one<{ seq: number; bundled: string; data: Buffer | null }>(
        `SELECT s.seq, s.bundled, CASE WHEN s.format = ? AND s.bundled = coalesce(${BUNDLED_FINGERPRINT}, '')
                AND s.seq <= ${LAST_SEQ} THEN s.data END AS data
         FROM catalog_index_snapshot s WHERE s.id = 1`,
        [format],
      );
      if (!row?.data) return null;
      const index = decodeIndex(row.data, vocabulary);
      return index ? { search: searchOver(index), version: { seq: Number(row.seq), bundled: row.bundled } } : null;
    },

    async save(search, { seq, bundled }) {
      const format = indexFormat(vocabulary);
      if (format === null || sql.closed || search.size < minPapers) return;
      try {
        await sql.run(
          `INSERT INTO catalog_index_snapshot (id, format, seq, bundled, data) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET format = excluded.format, seq = excluded.seq, bundled = excluded.bundled, data = excluded.data`,
          [format, seq, bundled, encodeIndex(search.index)],
        );
      } catch {
        // The database is busy or gone, the disk is full, or the index is too large to serialise:
        // the next start rebuilds instead.
      }
    },
  };
}
