import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/slack.js';
import { postgresBinDir, startTestPostgres } from '../helpers/postgres-server.js';
import { Replica, slashCommand, type SlashAnswer } from '../helpers/replicas.js';

/**
 * Issue 15, "Speed and faults": PostgreSQL stops for a few seconds while two replicas (real
 * `paperbot start` processes) take votes in a reading poll (on PostgreSQL) and `/paper` searches.
 * The server has its own throw-away cluster here, since it is stopped and started again on the same
 * port and data. Nothing restarts the replicas: they must find the server again by themselves.
 */

const CHANNEL = 'C0READ';
/** The fault lasts at least this long, whatever the load managed meanwhile. */
const OUTAGE_MS = 3000;
const APOLOGY = /^Sorry, something went wrong/;
/** Bounds short enough for a test to outlast them with a hang (defaults: 10, 15 and 20 s). */
const SHORT_BOUNDS = { DATABASE_CONNECT_TIMEOUT_SECONDS: '2', DATABASE_STATEMENT_TIMEOUT_SECONDS: '2', DATABASE_QUERY_TIMEOUT_SECONDS: '3' };
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
});

type Outcome = 'added' | 'removed' | 'apology';

function outcomeOf(answer: SlashAnswer): Outcome {
  if (answer.status === 200 && /^Your vote for \d+\. .* counts/.test(answer.text)) return 'added';
  if (answer.status === 200 && /^Your vote for \d+\. .* is taken back/.test(answer.text)) return 'removed';
  if (answer.status === 200 && APOLOGY.test(answer.text)) return 'apology';
  throw new Error(`a vote answered neither a count nor a short apology: ${answer.status} ${answer.text}`);
}

/**
 * Its own PostgreSQL server (it is stopped and started again), the fake Slack, two replicas on both,
 * and a reading poll opened in CHANNEL. `vote` casts a voter's typed vote on one replica or the
 * other and remembers the voter's last answer that said what became of the vote.
 */
async function pollOnTwoReplicas(settings: Record<string, string> = {}) {
  const server = await startTestPostgres();
  cleanups.push(() => server.stop());
  const slack = await FakeSlack.start();
  cleanups.push(() => slack.close());
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-outage-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PAPERBOT_DB: join(dir, 'state.db'), DATABASE_URL: server.url, SLACK_API_URL: slack.apiUrl, ...settings };
  const replicas: Replica[] = [];
  for (const name of ['a', 'b']) {
    const replica = await Replica.start({ name, env, from: 'sources' });
    cleanups.push(() => replica.kill());
    replicas.push(replica);
  }
  const [a] = replicas;

  const opened = await slashCommand(a, slack, 'suggest 3', { channelId: CHANNEL, userId: 'U0ALICE' });
  const pollId = Number(/Poll #(\d+) is posted/.exec(opened.text)?.[1]);
  expect(pollId, opened.text).toBeGreaterThan(0);

  /** Each voter's last answer that said what happened to the vote (an apology says nothing). */
  const lastWord = new Map<string, { n: number; outcome: Exclude<Outcome, 'apology'> }>();
  const vote = async (user: string, i: number): Promise<Outcome> => {
    const n = (i % 3) + 1;
    const outcome = outcomeOf(await slashCommand(replicas[i % 2], slack, `vote ${n}`, { channelId: CHANNEL, userId: user }));
    if (outcome !== 'apology') lastWord.set(user, { n, outcome });
    return outcome;
  };
  const voters = (from: number, count: number) => Array.from({ length: count }, (_, k) => `U${String(from + k).padStart(3, '0')}`);
  const voteAll = (users: string[], offset: number) => Promise.all(users.map((user, k) => vote(user, offset + k)));

  /** The votes stored now, as (voter, n). */
  const stored = async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query<{ user_id: string; n: number }>('SELECT user_id, n FROM reading_votes WHERE poll_id = $1 ORDER BY user_id, n', [pollId])).rows;
    } finally {
      await client.end();
    }
  };
  /** The votes their voters were last told count. */
  const told = () =>
    [...lastWord]
      .filter(([, w]) => w.outcome === 'added')
      .map(([user_id, w]) => ({ user_id, n: w.n }))
      .sort((x, y) => x.user_id.localeCompare(y.user_id));
  return { server, slack, replicas, vote, voters, voteAll, stored, told, answered: (user: string) => lastWord.has(user) };
}

describe.skipIf(!postgresBinDir())('two replicas while PostgreSQL stops and comes back', () => {
  it('GIVEN votes and searches on two replicas while PostgreSQL is stopped for a few seconds THEN neither crashes, votes meanwhile get a short apology, searches are answered, the bot recovers by itself, and every vote the voters were told counts is counted once', async () => {
    const { server, slack, replicas, vote, voters, voteAll, stored, told, answered } = await pollOnTwoReplicas();
    const [a] = replicas;
    // Searches keep coming from before the stop until after the recovery, two at a time.
    const searches: { outage: boolean; answer: SlashAnswer }[] = [];
    let outage = false;
    let searching = true;
    const searchLoad = Promise.all(
      [0, 1].map(async (lane) => {
        for (let i = lane; searching; i += 2) {
          const during = outage;
          searches.push({ outage: during, answer: await slashCommand(replicas[i % 2], slack, i % 4 < 2 ? 'segmentation' : 'gan mri', { userId: `US${i % 7}` }) });
        }
      }),
    );

    expect(await voteAll(voters(0, 10), 0)).toEqual(Array(10).fill('added'));

    // The stop begins while votes are in flight: some may be cut in the middle of their transaction.
    const cut = voteAll(voters(10, 6), 10);
    await server.halt();
    outage = true;
    const [, duringOutage] = await Promise.all([
      new Promise((r) => setTimeout(r, OUTAGE_MS)),
      (async () => {
        const outcomes: Outcome[] = [];
        for (const [k, user] of voters(16, 14).entries()) outcomes.push(await vote(user, 16 + k));
        return outcomes;
      })(),
    ]);
    expect(duringOutage).toEqual(Array(14).fill('apology'));
    await server.resume();
    outage = false;
    await cut;

    // Nothing restarts the replicas: each voter told to try again does so until the vote is answered.
    for (const [k, user] of voters(10, 20).entries()) {
      if (answered(user)) continue;
      await a.until(`${user}'s vote to be answered after the server came back`, async () => (await vote(user, 10 + k)) !== 'apology', 100);
    }
    expect(await voteAll(voters(30, 10), 30)).toEqual(Array(10).fill('added'));
    searching = false;
    await searchLoad;

    for (const replica of replicas) {
      expect(replica.alive).toBe(true);
      expect((await replica.get('/readyz')).status).toBe(200);
    }
    // Every search was answered: with results, or during the outage at worst with the short apology.
    expect(searches.filter((s) => s.outage).length).toBeGreaterThan(0);
    expect(searches.filter((s) => s.answer.status !== 200 || !s.answer.text || (!s.outage && APOLOGY.test(s.answer.text)))).toEqual([]);

    // Exactly the votes their voters were last told count are stored, each once.
    expect(await stored()).toEqual(told());
    expect(told().length).toBeGreaterThanOrEqual(20);
  }, 300_000);

  it('GIVEN votes in flight on two replicas while PostgreSQL hangs for a few seconds (its processes stopped, connections open) THEN the votes wait, each is answered once the server goes on, and each is counted once', async () => {
    const { server, slack, replicas, voters, voteAll, stored, told } = await pollOnTwoReplicas();
    expect(await voteAll(voters(0, 6), 0)).toEqual(Array(6).fill('added'));

    const answeredLater = slack.responses.length;
    server.freeze();
    let thawed = false;
    cleanups.push(() => thawed || server.thaw());
    // Slack's ack cannot wait that long: these are acknowledged empty and answered on response_url.
    const waiting = voteAll(voters(6, 12), 6);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    server.thaw();
    thawed = true;
    expect(await waiting).toEqual(Array(12).fill('added'));
    // They did wait: every one of them past the ack, once.
    expect(slack.responses.length - answeredLater).toBe(12);
    expect(await voteAll(voters(18, 6), 18)).toEqual(Array(6).fill('added'));

    for (const replica of replicas) expect(replica.alive).toBe(true);
    expect(await stored()).toEqual(told());
    expect(told()).toHaveLength(24);
  }, 300_000);

  it('GIVEN short database bounds WHEN PostgreSQL hangs longer than them THEN each command meanwhile gets the short apology on response_url while the server is still stopped, nothing of those is stored, the next command after SIGCONT is counted, and each replica logs the outage once with a stack, a line per later failure, and when the database answered again', async () => {
    const { server, slack, replicas, voters, vote, voteAll, stored, told } = await pollOnTwoReplicas(SHORT_BOUNDS);
    expect(await voteAll(voters(0, 4), 0)).toEqual(Array(4).fill('added'));
    const logged = replicas.map((r) => r.logs.length);
    const answeredLater = slack.responses.length;

    server.freeze();
    let thawed = false;
    cleanups.push(() => thawed || server.thaw());
    // Each replica gets three votes one after the other, all answered while the server stays
    // stopped (it goes on only once they are), so none waits for it.
    const during = await Promise.all(
      replicas.map(async (_, r) => {
        const outcomes: Outcome[] = [];
        for (const k of [0, 2, 4]) outcomes.push(await vote(`UH${k + r}`, k + r));
        return outcomes;
      }),
    );
    server.thaw();
    thawed = true;
    expect(during).toEqual([Array(3).fill('apology'), Array(3).fill('apology')]);
    // Past Slack's ack deadline, each apology came on response_url.
    expect(slack.responses.length - answeredLater).toBe(6);

    // The server goes on: the next commands on both replicas are counted, without a restart.
    expect(await voteAll(voters(10, 6), 10)).toEqual(Array(6).fill('added'));
    for (const replica of replicas) expect(replica.alive).toBe(true);
    expect(await stored()).toEqual(told());
    expect(told()).toHaveLength(10);

    for (const [r, replica] of replicas.entries()) {
      await replica.until('the outage to be logged as over', () => /database answered again after/.test(replica.logs.slice(logged[r])));
      const log = replica.logs.slice(logged[r]);
      // One warning with a stack for the first failed command, a line for each later one, no error.
      expect(log.match(/WARN database not answering \(.*\); until it does, further failures are one line each: command failed: "vote \d"/g)).toHaveLength(1);
      expect(log).toMatch(/further failures are one line each: command failed: .*\nDatabaseUnavailable: .*\n\s+at /);
      expect(log.match(/WARN database still not answering \(failure \d+ of this outage\): command failed: "vote \d"/g)).toHaveLength(2);
      expect(log).not.toMatch(/ERROR command failed/);
      expect(log.match(/WARN database answered again after \d+\.\d s, \d+ failures? meanwhile/g)).toHaveLength(1);
    }
  }, 300_000);
});
