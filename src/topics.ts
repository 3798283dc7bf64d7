import type { Platform } from './adapter.js';
import type { SqlQueries } from './store/sql/types.js';

/**
 * The topics a channel follows: written by the `follow` capability (which owns the `follows` table
 * and its migration), read by the `digest` capability. Below both, so neither imports the other.
 */
export type FollowedTopic = { id: number; platform: Platform; workspaceId: string; channel: string; query: string };

/** A channel of one tenant, as the delivery layer names it. */
type Channel = { platform: Platform; workspaceId: string; channel: string };

/** A channel's followed topics, in the order they were added (the numbers `following` shows). */
export function followedTopics(q: SqlQueries, ref: Channel): Promise<FollowedTopic[]> {
  return q.all<FollowedTopic>(
    'SELECT id, platform, workspace_id AS "workspaceId", channel, query FROM follows WHERE platform = ? AND workspace_id = ? AND channel = ? ORDER BY id',
    [ref.platform, ref.workspaceId, ref.channel],
  );
}
