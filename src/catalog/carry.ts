import type { Db } from '../store/db.js';
import type { Logger } from '../log.js';
import type { Paper } from './paper.js';
import type { CatalogStore } from './store.js';

/** Papers added in one transaction while carrying. */
const CARRY_BATCH = 500;

type FileRecord = { record: string; origin: 'added' | 'imported'; addedBy: string | null; addedAt: string };

/**
 * Before the catalog moved to the store interface, a deployment on PostgreSQL kept each machine's
 * catalog in its SQLite file (PAPERBOT_DB), so the papers people added lived there. At the first
 * start after the upgrade each replica adds its file's papers to the shared catalog, as any add is
 * made (one paper, one record: a paper two machines held becomes one record), keeping when each
 * entered the catalog (so the next digest does not take them for new), hides the bundled papers a
 * channel manager removed there (a removal is a person's decision, which no other machine's file
 * outranks), and notes in the file that
 * it did, so it happens once. A file without a catalog (a deployment that began on PostgreSQL
 * after the move) has nothing to carry. Restoring an old backup's `<file>.sqlite` brings the note's
 * absence back with it, and so its papers at the next start.
 */
export async function carryFileCatalog(db: Db, store: CatalogStore, log: Logger): Promise<number> {
  const hasCatalog = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalog_papers'").get();
  if (!hasCatalog || db.prepare("SELECT 1 FROM meta WHERE key = 'catalog.carried'").get()) return 0;
  const rows = db
    .prepare(`SELECT record, origin, added_by AS addedBy, added_at AS addedAt FROM catalog_papers WHERE origin <> 'bundled' AND hidden = 0 ORDER BY rowid`)
    .all() as FileRecord[];
  const removed = db.prepare("SELECT id FROM catalog_papers WHERE origin = 'bundled' AND hidden = 1 ORDER BY rowid").pluck().all() as string[];
  if (rows.length > 0 || removed.length > 0) {
    // In batches, each its own transaction: the catalog's lock is held for one batch at a time, so
    // the other replicas' adds wait milliseconds, not the whole carry (well under their statement timeout).
    for (let start = 0; start < rows.length; start += CARRY_BATCH) {
      await store.writing(async (w) => {
        for (const row of rows.slice(start, start + CARRY_BATCH)) await w.add(JSON.parse(row.record) as Paper, row.origin, row.addedBy, [], row.addedAt);
      });
    }
    await store.writing(async (w) => {
      for (const id of removed) await w.hide(id);
    });
    log.info(`catalog: carried ${rows.length} paper(s) added and ${removed.length} bundled paper(s) removed on this machine (${db.name}) into the shared catalog on PostgreSQL`);
  }
  markCarried(db);
  return rows.length;
}

/**
 * Notes in the file that its catalog is in the shared one: after the carry, and after
 * `paperbot migrate-to-postgres`, which copied it whole (carrying it again would only merge every
 * paper into itself, under the catalog's lock).
 */
export function markCarried(db: Db): void {
  db.prepare("INSERT INTO meta (key, value) VALUES ('catalog.carried', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(new Date().toISOString());
}
