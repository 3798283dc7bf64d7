import type { MessageRef, Platform } from '../../adapter.js';
import type { Lang } from '../../i18n/index.js';
import type { Db } from '../../store/db.js';
import { pickWinner, type OptionTally } from './tally.js';

/** A reading group is a channel. */
export type Group = { platform: Platform; channelId: string };

/** The group a command speaks for: the channel it was typed in. */
export const groupOf = ({ invocation }: { invocation: Group }): Group => ({ platform: invocation.platform, channelId: invocation.channelId });

export type Poll = {
  id: number;
  platform: Platform;
  channelId: string;
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
  platform: string;
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

const stores = new WeakMap<Db, ReadingStore>();

/** One store per database, so statements are prepared once. */
export function readingStore(db: Db): ReadingStore {
  let store = stores.get(db);
  if (!store) {
    store = new ReadingStore(db);
    stores.set(db, store);
  }
  return store;
}

/**
 * Every read and write of reading-group state. Methods that change several rows are meant to run
 * inside `transaction`, which takes SQLite's write lock first (IMMEDIATE) so that two processes on
 * one file serialise instead of failing half-way.
 */
export class ReadingStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      openPoll: db.prepare('SELECT * FROM reading_polls WHERE platform = ? AND channel_id = ? AND closed_at IS NULL'),
      poll: db.prepare('SELECT * FROM reading_polls WHERE id = ?'),
      insertPoll: db.prepare(
        `INSERT INTO reading_polls (platform, channel_id, opened_by, opened_by_name, opened_at, lang, topic)
         VALUES (@platform, @channelId, @openedBy, @openedByName, @openedAt, @lang, @topic)`,
      ),
      insertOption: db.prepare('INSERT INTO reading_poll_options (poll_id, n, paper_id) VALUES (?, ?, ?)'),
      setRef: db.prepare('UPDATE reading_polls SET message_ref = ? WHERE id = ?'),
      tally: db.prepare(
        `SELECT o.n, o.paper_id AS paperId,
           (SELECT COUNT(*) FROM reading_votes v WHERE v.poll_id = o.poll_id AND v.n = o.n) AS votes,
           (SELECT v.voted_at FROM reading_votes v WHERE v.poll_id = o.poll_id AND v.n = o.n ORDER BY v.voted_at, v.id LIMIT 1) AS firstAt,
           (SELECT v.id FROM reading_votes v WHERE v.poll_id = o.poll_id AND v.n = o.n ORDER BY v.voted_at, v.id LIMIT 1) AS firstSeq
         FROM reading_poll_options o WHERE o.poll_id = ? ORDER BY o.n`,
      ),
      voters: db.prepare('SELECT COUNT(DISTINCT user_id) AS voters FROM reading_votes WHERE poll_id = ?'),
      optionCount: db.prepare('SELECT COUNT(*) AS size FROM reading_poll_options WHERE poll_id = ?'),
      deleteVote: db.prepare('DELETE FROM reading_votes WHERE poll_id = ? AND n = ? AND user_id = ?'),
      insertVote: db.prepare('INSERT INTO reading_votes (poll_id, n, user_id, voted_at) VALUES (?, ?, ?, ?)'),
      close: db.prepare('UPDATE reading_polls SET closed_at = ?, closed_by = ?, winner_n = ? WHERE id = ? AND closed_at IS NULL'),
      chosen: db.prepare('SELECT paper_id AS paperId, poll_id AS pollId, chosen_at AS chosenAt FROM reading_next WHERE platform = ? AND channel_id = ?'),
      setChosen: db.prepare(
        `INSERT INTO reading_next (platform, channel_id, paper_id, poll_id, chosen_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, channel_id) DO UPDATE SET paper_id = excluded.paper_id, poll_id = excluded.poll_id, chosen_at = excluded.chosen_at`,
      ),
      clearChosen: db.prepare('DELETE FROM reading_next WHERE platform = ? AND channel_id = ? AND paper_id = ?'),
      reads: db.prepare(
        `SELECT paper_id AS paperId, read_on AS readOn, marked_at AS markedAt, marked_by AS markedBy FROM reading_reads
         WHERE platform = ? AND channel_id = ? ORDER BY read_on DESC, marked_at DESC, paper_id`,
      ),
      read: db.prepare(
        `SELECT paper_id AS paperId, read_on AS readOn, marked_at AS markedAt, marked_by AS markedBy FROM reading_reads
         WHERE platform = ? AND channel_id = ? AND paper_id = ?`,
      ),
      markRead: db.prepare(
        `INSERT INTO reading_reads (platform, channel_id, paper_id, read_on, marked_at, marked_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      ),
      unmarkRead: db.prepare('DELETE FROM reading_reads WHERE platform = ? AND channel_id = ? AND paper_id = ?'),
      offers: db.prepare(
        `SELECT o.paper_id AS paperId, p.id AS pollId FROM reading_poll_options o JOIN reading_polls p ON p.id = o.poll_id
         WHERE p.platform = ? AND p.channel_id = ? ORDER BY p.id DESC`,
      ),
      pollIds: db.prepare('SELECT id FROM reading_polls WHERE platform = ? AND channel_id = ? ORDER BY id DESC'),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  openPoll(group: Group): Poll | null {
    return toPoll(this.s.openPoll.get(group.platform, group.channelId) as PollRow | undefined);
  }

  poll(id: number): Poll | null {
    return toPoll(this.s.poll.get(id) as PollRow | undefined);
  }

  createPoll(fields: {
    group: Group;
    openedBy: string;
    openedByName?: string;
    openedAt: string;
    lang: Lang;
    topic: string;
    paperIds: string[];
  }): number {
    const { lastInsertRowid } = this.s.insertPoll.run({
      platform: fields.group.platform,
      channelId: fields.group.channelId,
      openedBy: fields.openedBy,
      openedByName: fields.openedByName ?? null,
      openedAt: fields.openedAt,
      lang: fields.lang,
      topic: fields.topic,
    });
    const pollId = Number(lastInsertRowid);
    for (const [i, paperId] of fields.paperIds.entries()) this.s.insertOption.run(pollId, i + 1, paperId);
    return pollId;
  }

  setMessageRef(pollId: number, ref: MessageRef): void {
    this.s.setRef.run(JSON.stringify(ref), pollId);
  }

  /** Options in order with their votes; `firstVote` orders ties (earliest vote received wins). */
  tally(pollId: number): OptionTally[] {
    const rows = this.s.tally.all(pollId) as { n: number; paperId: string; votes: number; firstAt: string | null; firstSeq: number | null }[];
    return rows.map((r) => ({
      n: r.n,
      paperId: r.paperId,
      votes: r.votes,
      firstVote: r.firstAt !== null && r.firstSeq !== null ? { at: r.firstAt, seq: r.firstSeq } : null,
    }));
  }

  /** People with at least one standing vote. */
  voterCount(pollId: number): number {
    return (this.s.voters.get(pollId) as { voters: number }).voters;
  }

  optionCount(pollId: number): number {
    return (this.s.optionCount.get(pollId) as { size: number }).size;
  }

  /** Adds the user's vote for option `n`, or takes it back if they had one. */
  toggleVote(pollId: number, n: number, userId: string, at: string): 'added' | 'removed' {
    if (this.s.deleteVote.run(pollId, n, userId).changes > 0) return 'removed';
    this.s.insertVote.run(pollId, n, userId, at);
    return 'added';
  }

  /**
   * Closes the poll and makes its winner the group's next paper. Returns null when the poll was
   * already closed (by someone else, perhaps another process, a moment before).
   */
  closePoll(pollId: number, closedBy: string, at: string): { winner: OptionTally | null } | null {
    const poll = this.poll(pollId);
    if (!poll || poll.closedAt) return null;
    const winner = pickWinner(this.tally(pollId));
    if (this.s.close.run(at, closedBy, winner?.n ?? null, pollId).changes === 0) return null;
    if (winner) this.s.setChosen.run(poll.platform, poll.channelId, winner.paperId, pollId, at);
    return { winner };
  }

  chosen(group: Group): ChosenPaper | null {
    return (this.s.chosen.get(group.platform, group.channelId) as ChosenPaper | undefined) ?? null;
  }

  /** Forgets the chosen paper once it has been read. */
  clearChosen(group: Group, paperId: string): void {
    this.s.clearChosen.run(group.platform, group.channelId, paperId);
  }

  /** Newest first. */
  reads(group: Group): ReadEntry[] {
    return this.s.reads.all(group.platform, group.channelId) as ReadEntry[];
  }

  readEntry(group: Group, paperId: string): ReadEntry | null {
    return (this.s.read.get(group.platform, group.channelId, paperId) as ReadEntry | undefined) ?? null;
  }

  /** False when the paper was already marked read. */
  markRead(group: Group, paperId: string, readOn: string, markedAt: string, markedBy: string): boolean {
    return this.s.markRead.run(group.platform, group.channelId, paperId, readOn, markedAt, markedBy).changes > 0;
  }

  /** False when the paper was not marked read. */
  unmarkRead(group: Group, paperId: string): boolean {
    return this.s.unmarkRead.run(group.platform, group.channelId, paperId).changes > 0;
  }

  /**
   * For each paper ever offered to the group: how many polls ago it was last offered (0 = the most
   * recent poll).
   */
  offeredPollsAgo(group: Group): Map<string, number> {
    const order = new Map<number, number>();
    for (const [i, r] of (this.s.pollIds.all(group.platform, group.channelId) as { id: number }[]).entries()) order.set(r.id, i);
    const out = new Map<string, number>();
    for (const r of this.s.offers.all(group.platform, group.channelId) as { paperId: string; pollId: number }[]) {
      if (!out.has(r.paperId)) out.set(r.paperId, order.get(r.pollId) ?? 0);
    }
    return out;
  }

  pollCount(group: Group): number {
    return (this.s.pollIds.all(group.platform, group.channelId) as unknown[]).length;
  }
}

function toPoll(row: PollRow | undefined): Poll | null {
  if (!row) return null;
  return {
    id: row.id,
    platform: row.platform as Platform,
    channelId: row.channel_id,
    openedBy: row.opened_by,
    openedByName: row.opened_by_name,
    openedAt: row.opened_at,
    lang: row.lang === 'zh' ? 'zh' : 'en',
    topic: row.topic,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    winnerN: row.winner_n,
    messageRef: row.message_ref ? (JSON.parse(row.message_ref) as MessageRef) : null,
  };
}
