import type { Platform } from '../../../adapter.js';
import type { Db } from '../../../store/db.js';

export type Follow = { id: number; platform: Platform; channel: string; query: string };

/** A channel's followed topics, in the order they were added (the numbers `following` shows). */
export function followsOf(db: Db, platform: Platform, channel: string): Follow[] {
  return db.prepare('SELECT id, platform, channel, query FROM follows WHERE platform = ? AND channel = ? ORDER BY id').all(platform, channel) as Follow[];
}

/** False when the channel already follows this query. */
export function addFollow(db: Db, platform: Platform, channel: string, query: string, by: string, now: string): boolean {
  return db.prepare('INSERT INTO follows (platform, channel, query, created_by, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(platform, channel, query, by, now).changes > 0;
}

export function removeFollow(db: Db, id: number): void {
  db.prepare('DELETE FROM follows WHERE id = ?').run(id);
}
