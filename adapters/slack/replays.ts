import type { Logger } from '../../src/log.js';
import type { SqlQueries } from '../../src/store/sql/types.js';
import { within } from '../../src/within.js';
import { REPLAY_MEMORY_MS, ReplayMemory } from './request-guard.js';

/** Whether a request is seen for the first time inside the replay window. */
export type Replays = { remember(key: string): Promise<boolean> };

/** Expired keys are swept at most this often, by whichever replica passes by. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The requests already answered, in the database: Slack sends a request again when its ack was late
 * (and a load balancer may hand the repeat to another replica), so the memory that recognises it
 * must be shared. The key is claimed with one INSERT … ON CONFLICT: of two replicas that receive the
 * same request at once, exactly one inserts (or renews an expired key) and runs it. When the
 * database cannot answer, the request is judged by this process's memory rather than refused: a
 * repeat that reached another replica may then run twice, which is better than a lost command.
 */
/** How long a request waits for the database's word on whether it was seen before; well inside Slack's 3 s. */
const REPLAY_CLAIM_TIMEOUT_MS = 1000;

export class SqlReplays implements Replays {
  private readonly fallback: ReplayMemory;
  private nextSweep = 0;
  private failing = false;

  constructor(
    private readonly sql: SqlQueries,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.fallback = new ReplayMemory(now);
  }

  async remember(key: string): Promise<boolean> {
    const t = this.now();
    const nowIso = new Date(t).toISOString();
    try {
      // Bounded: Slack wants its acknowledgement within 3 s, and a database that hangs (rather than
      // refuses) must not hold every request at the door. The claim may still land later; this
      // process remembers the request meanwhile.
      const claimed = await within(
        this.sql.run(
          `INSERT INTO slack_requests_seen (request_key, expires_at) VALUES (?, ?)
         ON CONFLICT (request_key) DO UPDATE SET expires_at = excluded.expires_at WHERE slack_requests_seen.expires_at <= ?`,
          [key, new Date(t + REPLAY_MEMORY_MS).toISOString(), nowIso],
        ),
        REPLAY_CLAIM_TIMEOUT_MS,
        'recording the request',
      );
      if (this.failing) this.log.info('slack: the database answers again; repeated requests are recognised across replicas');
      this.failing = false;
      if (t >= this.nextSweep) {
        this.nextSweep = t + SWEEP_INTERVAL_MS;
        void this.sql.run('DELETE FROM slack_requests_seen WHERE expires_at <= ?', [nowIso]).catch(() => {});
      }
      this.fallback.remember(key);
      return claimed > 0;
    } catch (error) {
      if (!this.failing) this.log.warn(`slack: cannot record requests in the database (${error instanceof Error ? error.message : String(error)}); recognising repeats in this process only until it answers`);
      this.failing = true;
      return this.fallback.remember(key);
    }
  }
}
