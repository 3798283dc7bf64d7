import type { Platform } from '../../adapter.js';
import type { Db } from '../../store/db.js';

/** Writes of the followed topics; reading them is below the capabilities (src/topics.ts), where the digest reads them too. */
export { followedTopics as followsOf } from '../../topics.js';

/** False when the channel already follows this query. */
export function addFollow(db: Db, platform: Platform, channel: string, query: string, by: string, now: string): boolean {
  return db.prepare('INSERT INTO follows (platform, channel, query, created_by, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(platform, channel, query, by, now).changes > 0;
}

export function removeFollow(db: Db, id: number): void {
  db.prepare('DELETE FROM follows WHERE id = ?').run(id);
}
