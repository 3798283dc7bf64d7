import { adoptOnce, channelKey, channelParams, type ChannelRef } from '../../delivery/index.js';
import type { SqlDatabase, SqlQueries } from '../../store/sql/types.js';

/** Writes of the followed topics; reading them is below the capabilities (src/topics.ts), where the digest reads them too. */
export { followedTopics as followsOf } from '../../topics.js';

/** False when the channel already follows this query. */
export async function addFollow(q: SqlQueries, ref: ChannelRef, query: string, by: string, now: string): Promise<boolean> {
  const added = await q.run('INSERT INTO follows (platform, workspace_id, channel, query, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
    ...channelParams(ref),
    query,
    by,
    now,
  ]);
  return added > 0;
}

/** Removes the topic, only from the channel it belongs to. */
export async function removeFollow(q: SqlQueries, ref: ChannelRef, id: number): Promise<void> {
  await q.run(`DELETE FROM follows WHERE id = ? AND ${channelKey()}`, [id, ...channelParams(ref)]);
}

/** The topics recorded for the channel before its workspace was known (see `adoptOnce`). */
export async function adopt(sql: SqlDatabase, ref: ChannelRef): Promise<void> {
  await adoptOnce(sql, 'follow', ref, async (tx, params) => {
    await tx.run(
      `UPDATE follows SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND channel = ?
       AND query NOT IN (SELECT o.query FROM follows o WHERE ${channelKey('o')})`,
      params,
    );
  });
}
