import type { Platform } from './adapter.js';
import type { Db } from './store/db.js';

/**
 * The topics a channel follows: written by the `follow` capability (which owns the `follows` table
 * and its migration), read by the `digest` capability. Below both, so neither imports the other.
 */
export type FollowedTopic = { id: number; platform: Platform; channel: string; query: string };

/** A channel's followed topics, in the order they were added (the numbers `following` shows). */
export function followedTopics(db: Db, platform: Platform, channel: string): FollowedTopic[] {
  return db.prepare('SELECT id, platform, channel, query FROM follows WHERE platform = ? AND channel = ? ORDER BY id').all(platform, channel) as FollowedTopic[];
}
