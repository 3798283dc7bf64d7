// Two paperbot replicas (real `paperbot start` processes from dist/) on one PostgreSQL and one
// PAPERBOT_DB file, against the fake Slack in HTTP mode: 1,000 channels whose spotlight falls in the
// same minute must each be posted exactly once, and how long the two take to drain them; then how
// many `/paper` searches per second one replica and the two together answer.
// State that is still SQLite-only (the spotlight's, until its conversion) is shared through the one
// PAPERBOT_DB file, so the figures hold on either side of that change.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { FakeSlack } from '../test/fakes/slack.js';
import { startTestPostgres } from '../test/helpers/postgres-server.js';
import { minuteAfter, Replica, slashCommand, spotlightWordsFor } from '../test/helpers/replicas.js';
import { Failures, quantile } from './load.js';
import { SEARCH_QUERIES } from './slack.js';

const CHANNELS = 1000;
/** How many commands are in flight at once while seeding and while measuring searches. */
const CONCURRENCY = 32;
/** The seeding must be over before the slot; the slot is the first minute boundary this far ahead. */
const SEED_LEAD_MS = 60_000;
const SEARCH_SECONDS = 10;
const APOLOGY = /something went wrong|出错/i;

export type ReplicasBenchResult = {
  channels: number;
  missing: number;
  doubled: number;
  drainSeconds: number;
  byReplica: Record<string, number>;
  searchesPerSecond: { one: number; two: number };
};

export async function run(options: { channels?: number; searchSeconds?: number } = {}): Promise<ReplicasBenchResult> {
  const channels = options.channels ?? CHANNELS;
  const searchSeconds = options.searchSeconds ?? SEARCH_SECONDS;
  const postgres = await startTestPostgres();
  const fake = await FakeSlack.start({ scopes: ['commands', 'chat:write', 'channels:history'] });
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-replicas-'));
  const env = { PAPERBOT_DB: join(dir, 'state.db'), DATABASE_URL: postgres.url, SLACK_API_URL: fake.apiUrl };
  const replicas: Replica[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    // One after the other: both would migrate the same empty database at once otherwise.
    for (const name of ['a', 'b']) replicas.push(await Replica.start({ name, env, from: 'dist' }));
    const drain = await spotlightDrain(replicas, fake, channels, agent);
    drain.claimsOn = (await claimsOnPostgres(postgres.url)) ? 'PostgreSQL' : 'the shared PAPERBOT_DB file';
    const one = await searches([replicas[0]], fake, searchSeconds, agent);
    const two = await searches(replicas, fake, searchSeconds, agent);
    report(drain, one, two, channels);
    return { channels, ...drain, searchesPerSecond: { one: one.perSecond, two: two.perSecond } };
  } finally {
    agent.destroy();
    await Promise.all(replicas.map((r) => r.kill('SIGTERM')));
    await fake.close();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Drain = { missing: number; doubled: number; drainSeconds: number; seedSeconds: number; byReplica: Record<string, number>; claimsOn?: string };

/** Whether the delivery claims live on PostgreSQL yet (they stay in the SQLite file until the spotlight's conversion). */
async function claimsOnPostgres(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ found: boolean }>("SELECT to_regclass('public.delivery_claims') IS NOT NULL AS found")).rows[0].found;
  } finally {
    await client.end();
  }
}

async function spotlightDrain(replicas: Replica[], fake: FakeSlack, channels: number, agent: Agent): Promise<Drain> {
  const slot = minuteAfter(SEED_LEAD_MS);
  const words = spotlightWordsFor(slot);
  const ids = Array.from({ length: channels }, (_, i) => `CSP${String(i).padStart(5, '0')}`);
  // Turned on through the bot itself, half on each replica, as the channels' admins would.
  const seedStarted = performance.now();
  let resets = 0;
  await inParallel(ids, CONCURRENCY, async (channelId, i) => {
    // Turning a channel on twice is harmless: a connection the server closed under us is tried again.
    for (let attempt = 1; ; attempt++) {
      const answer = await slashCommand(replicas[i % replicas.length], fake, `spotlight on ${words}`, { channelId, userId: 'U0ADMIN', agent }).catch((error: Error) => {
        if (attempt >= 3) throw error;
        resets++;
        return null;
      });
      if (!answer) continue;
      if (!/spotlight is on/i.test(answer.text)) throw new Error(`spotlight on in ${channelId} answered ${answer.status}: ${answer.text}`);
      return;
    }
  });
  if (resets) console.log(`  (${resets} connection(s) reset while turning channels on, tried again)`);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  if (Date.now() >= slot) throw new Error(`seeding ${channels} channels took ${seedSeconds.toFixed(1)} s, past the slot; raise SEED_LEAD_MS`);

  // Both replicas wake for the slot's minute on their own (node-cron); nothing here tells them to.
  const posted = () => ids.filter((id) => fake.messagesIn(id).length > 0).length;
  let lastPostAt = 0;
  let seen = 0;
  await replicas[0].until(`every channel posted`, () => {
    const now = posted();
    if (now > seen) {
      seen = now;
      lastPostAt = Date.now();
    }
    return now === channels;
  }, 25);
  // Both rounds over: each replica reports its round's posts when the round ends, so the sum
  // reaching what the fake holds means no round is still going (and could still post a second time).
  const total = () => ids.reduce((n, id) => n + fake.messagesIn(id).length, 0);
  await replicas[0].until('both rounds to report', async () => (await sumCounters(replicas, 'paperbot_spotlight_slots_total', 'outcome="posted"')) >= total(), 100);

  const byReplica: Record<string, number> = {};
  for (const r of replicas) {
    byReplica[r.name] = fake.callsTo('chat.postMessage').filter((c) => c.authorization === `Bearer ${r.botToken}` && ids.includes(String(c.body.channel))).length;
  }
  return {
    missing: ids.filter((id) => fake.messagesIn(id).length === 0).length,
    doubled: ids.filter((id) => fake.messagesIn(id).length > 1).length,
    drainSeconds: (lastPostAt - slot) / 1000,
    seedSeconds,
    byReplica,
  };
}

async function sumCounters(replicas: Replica[], name: string, labels: string): Promise<number> {
  let sum = 0;
  for (const r of replicas) sum += await r.counter(name, labels);
  return sum;
}

type SearchRun = {
  perSecond: number;
  answered: number;
  failed: Failures;
  p50: number;
  p99: number;
  /** CPU per answered search: in the replicas, and in this process (the client and the fake Slack). */
  replicaCpuMs: number;
  clientCpuMs: number;
};

/**
 * Closed loop: CONCURRENCY searches always in flight for `seconds`, spread evenly over `replicas`
 * (a load balancer's round robin). Counts the answers that carry results; anything else is a failure.
 */
async function searches(replicas: Replica[], fake: FakeSlack, seconds: number, agent: Agent): Promise<SearchRun> {
  let next = 0;
  const latencies: number[] = [];
  const failed = new Failures();
  const runFor = async (ms: number, record: boolean) => {
    const end = performance.now() + ms;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          const i = next++;
          const started = performance.now();
          const answer = await slashCommand(replicas[i % replicas.length], fake, SEARCH_QUERIES[i % SEARCH_QUERIES.length], { userId: `U${i % 50}`, agent }).catch(
            (error: Error) => ({ status: 0, text: error.message, via: 'none' as const }),
          );
          if (!record) continue;
          if (answer.status !== 200) failed.add(answer.status ? `HTTP ${answer.status}` : answer.text);
          else if (answer.via !== 'ack') failed.add('answered after the ack');
          else if (!answer.text || APOLOGY.test(answer.text)) failed.add('no results');
          else latencies.push(performance.now() - started);
        }
      }),
    );
  };
  // The first searches pay for JIT and first use; they are not measured.
  await runFor(1000, false);
  // On a shared machine the rate alone does not say whose CPU ran out: the CPU spent says.
  const replicaCpu = await sumCounters(replicas, 'process_cpu_seconds_total', '');
  const clientCpu = process.cpuUsage();
  const started = performance.now();
  await runFor(seconds * 1000, true);
  const elapsed = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientCpu);
  const replicaCpuMs = ((await sumCounters(replicas, 'process_cpu_seconds_total', '')) - replicaCpu) * 1000;
  latencies.sort((a, b) => a - b);
  const answered = latencies.length;
  return {
    perSecond: answered / elapsed,
    answered,
    failed,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    replicaCpuMs: replicaCpuMs / answered,
    clientCpuMs: (client.user + client.system) / 1000 / answered,
  };
}

/** Runs `work` over `items` with at most `limit` at a time; the first failure fails the whole. */
async function inParallel<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

function report(drain: Drain, one: SearchRun, two: SearchRun, channels: number): void {
  const exactlyOnce = drain.missing === 0 && drain.doubled === 0;
  console.log(`two replicas (dist/, Slack HTTP mode) on one PostgreSQL and one PAPERBOT_DB; ${channels} channels turned on in ${drain.seedSeconds.toFixed(1)} s, all with their slot in the same minute`);
  console.log(`  posted exactly once: ${channels - drain.missing - drain.doubled} of ${channels} (missing ${drain.missing}, more than once ${drain.doubled}; goal: every channel once): ${exactlyOnce ? 'met' : 'NOT met'}`);
  console.log(`  drained ${drain.drainSeconds.toFixed(1)} s after the slot; posts by replica: ${Object.entries(drain.byReplica).map(([n, c]) => `${n} ${c}`).join(', ')}; the claims on ${drain.claimsOn}`);
  const line = (label: string, r: SearchRun) =>
    `  /paper searches, ${CONCURRENCY} in flight, ${label}: ${r.perSecond.toFixed(0)}/s (p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.failed.total} failed${r.failed.total ? ` (${r.failed.describe(', ')})` : ''}; CPU per search ${r.replicaCpuMs.toFixed(2)} ms in the replicas, ${r.clientCpuMs.toFixed(2)} ms in the client and fake)`;
  console.log(line('one replica ', one));
  console.log(line('two replicas', two));
  console.log(`  two replicas sustain ${(two.perSecond / one.perSecond).toFixed(2)}× one (no figure in the issue; the bench client and the fake Slack share the same cores)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run();
}
