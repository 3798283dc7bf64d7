import type { MessageRef, Platform } from '../../adapter.js';
import type { Lang } from '../../i18n/index.js';
import type { SqlDatabase, SqlQueries, SqlTransaction } from '../../store/sql/types.js';
import { pickWinner, type OptionTally } from './tally.js';

/** A reading group is a channel of one tenant: platform, workspace (Slack team, Discord server), channel. */
export type Group = { platform: Platform; workspaceId: string; channelId: string };

/** The group a command speaks for: the channel it was typed in. */
export const groupOf = ({ invocation }: { invocation: Pick<Group, 'platform' | 'channelId'> & { workspaceId?: string } }): Group => ({
  platform: invocation.platform,
  workspaceId: invocation.workspaceId ?? '',
  channelId: invocation.channelId,
});

export function sameGroup(a: Group, b: Group): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.channelId === b.channelId;
}

export type Poll = Group & {
  id: number;
  openedBy: string;
  openedByName: string | null;
  openedAt: string;
  lang: Lang;
  topic: string;
  closedAt: string | null;
  closedBy: string | null;
  /** Position of the winning option, when the poll closed with votes. */
  winnerN: number | null;
  messageRef: MessageRef | null;
};

export type ChosenPaper = { paperId: string; pollId: number | null; chosenAt: string };
export type ReadEntry = { paperId: string; readOn: string; markedAt: string; markedBy: string };

type PollRow = {
  id: number;
  platform: Platform;
  workspace_id: string;
  channel_id: string;
  opened_by: string;
  opened_by_name: string | null;
  opened_at: string;
  lang: string;
  topic: string;
  closed_at: string | null;
  closed_by: string | null;
  winner_n: number | null;
  message_ref: string | null;
};

type TallyRow = { n: number; paperId: string; votes: number; firstAt: string | null; firstSeq: number | null };

const GROUP = 'platform = ? AND workspace_id = ? AND channel_id = ?';
const groupKey = (g: Group) => [g.platform, g.workspaceId, g.channelId] as const;

const stores = new WeakMap<SqlDatabase, ReadingStore>();
/** The groups this process has seen adopted (see `adopt`), per database. */
const adoptedGroups = new WeakMap<SqlDatabase, Set<string>>();

/** The reading store over the database's store interface (SQLite or PostgreSQL). */
export function readingStore(sql: SqlDatabase): ReadingStore {
  let store = stores.get(sql);
  if (!store) {
    store = new ReadingStore(sql, sql, null);
    stores.set(sql, store);
  }
  return store;
}

/**
 * Every read and write of reading-group state, asynchronous, on SQLite or PostgreSQL. Methods that
 * change several rows run inside `transaction`, on a store bound to that transaction.
 *
 * How "once" holds across replicas (two processes, or two machines on one PostgreSQL):
 * - A vote is counted once: votes are unique per (poll, option, user), written with
 *   `ON CONFLICT DO NOTHING`, so a repeated click, or the same click delivered to two replicas,
 *   adds one row. A click toggles (add or take back), a read-then-write on a row that may not exist
 *   yet, so there is no row to lock: the voter's toggles on a poll are serialised by an advisory
 *   lock on (poll, user), and the second of two quick clicks sees the first and takes it back.
 * - A poll is closed once: closing is a claim, `UPDATE … SET closed_at WHERE id = ? AND closed_at
 *   IS NULL RETURNING`. On PostgreSQL the second of two concurrent closers waits for the first's row
 *   lock, then re-checks `closed_at IS NULL` against the committed row, finds it closed, updates
 *   nothing and returns null: it picks no winner and announces nothing.
 * - No vote slips in beside the close: a vote first reads its poll `FOR SHARE`. Votes share that
 *   lock (they never wait for each other), but the closing UPDATE waits until every vote holding it
 *   has committed, and a vote arriving after the close waits for the close to commit and then reads
 *   the poll closed. So the tally taken after the claim, in the same transaction, is exactly the
 *   votes that count. SKIP LOCKED would be wrong here: a vote must wait for the close, not pass it by.
 * - One open poll per channel: a partial unique index, and opening takes an advisory lock on the
 *   group (there is no row to lock before the first poll), so the second of two `suggest`s waits,
 *   then sees the first's poll and asks before replacing it instead of failing on the index.
 * On SQLite every write transaction holds the file's one write lock (BEGIN IMMEDIATE), which gives
 * the same orders; the row and advisory locks are then no-ops.
 */
export class ReadingStore {
  constructor(
    private readonly q: SqlQueries,
    private readonly sql: SqlDatabase,
    private readonly tx: SqlTransaction | null,
  ) {}

  /** Runs `fn` in one transaction, with a store bound to it; committed when it resolves. */
  transaction<T>(fn: (store: ReadingStore) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => fn(new ReadingStore(tx, this.sql, tx)));
  }

  private inTransaction(): SqlTransaction {
    if (!this.tx) throw new Error('reading store: this step must run inside store.transaction');
    return this.tx;
  }

  /** Opening a poll in the group waits for anyone else opening one there (see the class comment). */
  async lockGroup(group: Group): Promise<void> {
    await this.inTransaction().lock(groupLock(group));
  }

  /**
   * Groups recorded before the adapters said which workspace a channel belongs to are in workspace
   * ''. The first command from the channel that names its workspace takes them over: closed polls
   * always, the open poll and the chosen paper unless the workspace has its own, read papers it has
   * not. Once per group and process; afterwards a set lookup.
   */
  async adopt(group: Group): Promise<void> {
    if (!group.workspaceId) return;
    let seen = adoptedGroups.get(this.sql);
    if (!seen) {
      seen = new Set();
      adoptedGroups.set(this.sql, seen);
    }
    const key = JSON.stringify(groupKey(group));
    if (seen.has(key)) return;
    const legacy = [group.workspaceId, group.platform, group.channelId, ...groupKey(group)];
    await this.sql.transaction(async (tx) => {
      await tx.lock(groupLock(group));
      await tx.run(
        `UPDATE reading_polls SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND channel_id = ?
         AND (closed_at IS NOT NULL OR NOT EXISTS (SELECT 1 FROM reading_polls o WHERE o.platform = ? AND o.workspace_id = ? AND o.channel_id = ? AND o.closed_at IS NULL))`,
        legacy,
      );
      await tx.run(
        `UPDATE reading_next SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND channel_id = ?
         AND NOT EXISTS (SELECT 1 FROM reading_next n WHERE n.platform = ? AND n.workspace_id = ? AND n.channel_id = ?)`,
        legacy,
      );
      await tx.run(
        `UPDATE reading_reads SET workspace_id = ? WHERE platform = ? AND workspace_id = '' AND channel_id = ?
         AND paper_id NOT IN (SELECT r.paper_id FROM reading_reads r WHERE r.platform = ? AND r.workspace_id = ? AND r.channel_id = ?)`,
        legacy,
      );
    });
    seen.add(key);
  }

  /**
   * Whether the poll is open, read under a share lock that a closing transaction must wait for; then
   * the voter's own toggles on it are serialised. Null when there is no such poll.
   */
  async lockForVote(pollId: number, userId: string): Promise<'open' | 'closed' | null> {
    const tx = this.inTransaction();
    const row = await tx.one<{ closed_at: string | null }>(`SELECT closed_at FROM reading_polls WHERE id = ?${this.sql.dialect.forShare}`, [pollId]);
    if (!row) return null;
    if (row.closed_at !== null) return 'closed';
    await tx.lock(`reading:vote:${pollId}:${userId}`);
    return 'open';
  }

  async openPoll(group: Group): Promise<Poll | null> {
    return toPoll(await this.q.one<PollRow>(`SELECT * FROM reading_polls WHERE ${GROUP} AND closed_at IS NULL`, groupKey(group)));
  }

  async poll(id: number): Promise<Poll | null> {
    return toPoll(await this.q.one<PollRow>('SELECT * FROM reading_polls WHERE id = ?', [id]));
  }

  async createPoll(fields: {
    group: Group;
    openedBy: string;
    openedByName?: string;
    openedAt: string;
    lang: Lang;
    topic: string;
    paperIds: string[];
  }): Promise<number> {
    const created = await this.q.one<{ id: number }>(
      `INSERT INTO reading_polls (platform, workspace_id, channel_id, opened_by, opened_by_name, opened_at, lang, topic)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [...groupKey(fields.group), fields.openedBy, fields.openedByName ?? null, fields.openedAt, fields.lang, fields.topic],
    );
    if (!created) throw new Error('reading store: the new poll has no id');
    for (const [i, paperId] of fields.paperIds.entries()) {
      await this.q.run('INSERT INTO reading_poll_options (poll_id, n, paper_id) VALUES (?, ?, ?)', [created.id, i + 1, paperId]);
    }
    return created.id;
  }

  async setMessageRef(pollId: number, ref: MessageRef): Promise<void> {
    await this.q.run('UPDATE reading_polls SET message_ref = ? WHERE id = ?', [JSON.stringify(ref), pollId]);
  }

  /** Options in order with their votes; `firstVote` orders ties (earliest vote received wins). */
  async tally(pollId: number): Promise<OptionTally[]> {
    const rows = await this.q.all<TallyRow>(
      `SELECT o.n, o.paper_id AS "paperId",
         (SELECT CAST(COUNT(*) AS INTEGER) FROM reading_votes v WHERE v.poll_id = o.poll_id AND v.n = o.n) AS votes,
         (SELECT v.voted_at FROM reading_votes v WHERE v.poll_id = o.poll_id AND v.n = o.n ORDER BY v.voted_at, v.id LIMIT 1) AS "firstAt",
         (SELECT v.id FROM reading_votes v WHERE v.poll_id = o.poll_id AND v.n = o.n ORDER BY v.voted_at, v.id LIMIT 1) AS "firstSeq"
       FROM reading_poll_options o WHERE o.poll_id = ? ORDER BY o.n`,
      [pollId],
    );
    return rows.map((r) => ({
      n: r.n,
      paperId: r.paperId,
      votes: r.votes,
      firstVote: r.firstAt !== null && r.firstSeq !== null ? { at: r.firstAt, seq: r.firstSeq } : null,
    }));
  }

  /** People with at least one standing vote. */
  async voterCount(pollId: number): Promise<number> {
    const row = await this.q.one<{ voters: number }>('SELECT CAST(COUNT(DISTINCT user_id) AS INTEGER) AS voters FROM reading_votes WHERE poll_id = ?', [pollId]);
    return row?.voters ?? 0;
  }

  async optionCount(pollId: number): Promise<number> {
    const row = await this.q.one<{ size: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS size FROM reading_poll_options WHERE poll_id = ?', [pollId]);
    return row?.size ?? 0;
  }

  /** Adds the user's vote for option `n`, or takes it back if they had one (after lockForVote). */
  async toggleVote(pollId: number, n: number, userId: string, at: string): Promise<'added' | 'removed'> {
    if ((await this.q.run('DELETE FROM reading_votes WHERE poll_id = ? AND n = ? AND user_id = ?', [pollId, n, userId])) > 0) return 'removed';
    await this.q.run('INSERT INTO reading_votes (poll_id, n, user_id, voted_at) VALUES (?, ?, ?, ?) ON CONFLICT (poll_id, n, user_id) DO NOTHING', [
      pollId,
      n,
      userId,
      at,
    ]);
    return 'added';
  }

  /**
   * Closes the poll and makes its winner the group's next paper: the claim first, then the tally
   * (see the class comment for why in this order). Returns null when the poll was already closed
   * (by someone else, perhaps another replica, a moment before).
   */
  async closePoll(pollId: number, closedBy: string, at: string): Promise<{ winner: OptionTally | null } | null> {
    const claimed = toPoll(
      await this.q.one<PollRow>('UPDATE reading_polls SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL RETURNING *', [at, closedBy, pollId]),
    );
    if (!claimed) return null;
    const winner = pickWinner(await this.tally(pollId));
    if (winner) {
      await this.q.run('UPDATE reading_polls SET winner_n = ? WHERE id = ?', [winner.n, pollId]);
      await this.q.run(
        `INSERT INTO reading_next (platform, workspace_id, channel_id, paper_id, poll_id, chosen_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (platform, workspace_id, channel_id) DO UPDATE SET paper_id = excluded.paper_id, poll_id = excluded.poll_id, chosen_at = excluded.chosen_at`,
        [...groupKey(claimed), winner.paperId, pollId, at],
      );
    }
    return { winner };
  }

  async chosen(group: Group): Promise<ChosenPaper | null> {
    return this.q.one<ChosenPaper>(`SELECT paper_id AS "paperId", poll_id AS "pollId", chosen_at AS "chosenAt" FROM reading_next WHERE ${GROUP}`, groupKey(group));
  }

  /** Forgets the chosen paper once it has been read. */
  async clearChosen(group: Group, paperId: string): Promise<void> {
    await this.q.run(`DELETE FROM reading_next WHERE ${GROUP} AND paper_id = ?`, [...groupKey(group), paperId]);
  }

  /** Newest first. */
  async reads(group: Group): Promise<ReadEntry[]> {
    return this.q.all<ReadEntry>(`SELECT ${READ_COLUMNS} FROM reading_reads WHERE ${GROUP} ORDER BY read_on DESC, marked_at DESC, paper_id`, groupKey(group));
  }

  async readEntry(group: Group, paperId: string): Promise<ReadEntry | null> {
    return this.q.one<ReadEntry>(`SELECT ${READ_COLUMNS} FROM reading_reads WHERE ${GROUP} AND paper_id = ?`, [...groupKey(group), paperId]);
  }

  /** False when the paper was already marked read. */
  async markRead(group: Group, paperId: string, readOn: string, markedAt: string, markedBy: string): Promise<boolean> {
    const added = await this.q.run(
      `INSERT INTO reading_reads (platform, workspace_id, channel_id, paper_id, read_on, marked_at, marked_by) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
      [...groupKey(group), paperId, readOn, markedAt, markedBy],
    );
    return added > 0;
  }

  /** False when the paper was not marked read. */
  async unmarkRead(group: Group, paperId: string): Promise<boolean> {
    return (await this.q.run(`DELETE FROM reading_reads WHERE ${GROUP} AND paper_id = ?`, [...groupKey(group), paperId])) > 0;
  }

  /**
   * For each paper ever offered to the group: how many polls ago it was last offered (0 = the most
   * recent poll).
   */
  async offeredPollsAgo(group: Group): Promise<Map<string, number>> {
    const order = new Map<number, number>();
    for (const [i, r] of (await this.pollIds(group)).entries()) order.set(r.id, i);
    const offers = await this.q.all<{ paperId: string; pollId: number }>(
      `SELECT o.paper_id AS "paperId", p.id AS "pollId" FROM reading_poll_options o JOIN reading_polls p ON p.id = o.poll_id
       WHERE p.platform = ? AND p.workspace_id = ? AND p.channel_id = ? ORDER BY p.id DESC`,
      groupKey(group),
    );
    const out = new Map<string, number>();
    for (const r of offers) {
      if (!out.has(r.paperId)) out.set(r.paperId, order.get(r.pollId) ?? 0);
    }
    return out;
  }

  async pollCount(group: Group): Promise<number> {
    return (await this.pollIds(group)).length;
  }

  private pollIds(group: Group): Promise<{ id: number }[]> {
    return this.q.all<{ id: number }>(`SELECT id FROM reading_polls WHERE ${GROUP} ORDER BY id DESC`, groupKey(group));
  }
}

const groupLock = (group: Group) => `reading:group:${JSON.stringify(groupKey(group))}`;

const READ_COLUMNS = 'paper_id AS "paperId", read_on AS "readOn", marked_at AS "markedAt", marked_by AS "markedBy"';

function toPoll(row: PollRow | null): Poll | null {
  if (!row) return null;
  return {
    id: row.id,
    platform: row.platform,
    workspaceId: row.workspace_id,
    channelId: row.channel_id,
    openedBy: row.opened_by,
    openedByName: row.opened_by_name,
    openedAt: row.opened_at,
    lang: row.lang === 'zh' ? 'zh' : 'en',
    topic: row.topic,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    winnerN: row.winner_n,
    // A ref stored before tenants has no workspace: the poll's own is the one whose token made it.
    messageRef: row.message_ref ? { ...(JSON.parse(row.message_ref) as MessageRef), workspaceId: row.workspace_id } : null,
  };
}
