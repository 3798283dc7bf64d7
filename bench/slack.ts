// Loopback load test of the Slack adapter in HTTP mode: signed `/paper` searches at a steady rate
// against the real Bolt app, measuring the time until Slack would have its ack (which carries the reply).
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createSlackAdapter } from '../adapters/slack/index.js';
import { createPaperbot } from '../src/app.js';
import { loadSettings } from '../adapters/settings.js';
import { createLogger } from '../src/log.js';
import { FakeSlack, signedHeaders, slashCommandBody } from '../test/fakes/slack.js';
import { atSteadyRate, Failures, GOAL_P99_MS, loadShape, metGoal, summarize, type LoadOptions, type LoadResult } from './load.js';
import { tempDbPath } from '../test/helpers/temp-db.js';

const SECRET = 'bench-signing-secret-0123456789';
export const SEARCH_QUERIES = ['segmentation', 'gan mri', '肺结节', 'lung ct', 'u-net', 'detection year:2018', 'breast', 'share segmentation'];

export type SlackBenchResult = LoadResult & { requests: number };

export async function run(options: LoadOptions = {}): Promise<SlackBenchResult> {
  // JIT and first-use costs (Bolt's lazy modules, the search index) are measured separately, not in the figures.
  const { rate, seconds, total, warmup } = loadShape(options);
  const fake = await FakeSlack.start();
  const db = tempDbPath();
  const config = loadSettings({
    SLACK_BOT_TOKEN: 'xoxb-bench-token-0123456789',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_PORT: '0',
    PAPERBOT_DB: db.dbPath,
  });
  const log = createLogger('error');
  const paperbot = await createPaperbot({ config, log });
  const adapter = createSlackAdapter({ config: config.slack!, bot: paperbot.bot, log, host: '127.0.0.1' });
  await adapter.start();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const failures = new Failures();
  const fail = (why: string) => failures.add(why);

  const send = (i: number, record: boolean) =>
    new Promise<void>((resolve) => {
      const body = slashCommandBody({ text: SEARCH_QUERIES[i % SEARCH_QUERIES.length], responseUrl: fake.responseUrl(`bench-${i}`), userId: `U${i % 50}` });
      const started = performance.now();
      const req = request(
        { host: '127.0.0.1', port: adapter.port, path: '/slack/events', method: 'POST', agent, headers: { ...signedHeaders(SECRET, body), 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const elapsed = performance.now() - started;
            if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
            else if (!carriesReply(Buffer.concat(chunks).toString('utf8'))) fail('ack without a reply');
            else if (record) latencies.push(elapsed);
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        fail(e.message);
        resolve();
      });
      req.end(body);
    });

  const steady = async (count: number, record: boolean) => {
    const t0 = performance.now();
    await Promise.all(await atSteadyRate(count, rate, (i) => send(i, record)));
    return (performance.now() - t0) / 1000;
  };
  await steady(warmup, false);
  const warmupErrors = failures.total;
  // CPU per request and event-loop stalls tell our own cost apart from a machine shared with others.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const elapsedS = await steady(total, true);
  const cpu = process.cpuUsage(cpuBefore);
  loop.disable();

  agent.destroy();
  await adapter.stop();
  await fake.close();
  paperbot.close();
  db.cleanup();

  const result: SlackBenchResult = { requests: total, ...summarize(latencies, failures, total, elapsedS) };
  const errors = result.errors;
  if (warmupErrors) console.log(`  (${warmupErrors} of the errors happened during the ${warmup}-request warm-up)`);
  console.log(`slack HTTP mode: ${total} signed /paper requests at ${rate}/s for ${seconds} s after a ${warmup}-request warm-up (achieved ${result.achievedRate.toFixed(0)}/s)`);
  console.log(`  time to ack (carrying the reply): p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, max ${result.max.toFixed(2)} ms`);
  console.log(
    `  process CPU (server, client and fake Slack together): ${((cpu.user + cpu.system) / 1000 / total).toFixed(2)} ms per request; event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
  );
  console.log(`  errors: ${errors}${errors ? ` (${failures.describe(', ')})` : ''}`);
  console.log(`  goal p99 <= ${GOAL_P99_MS} ms with zero errors: ${metGoal(result) ? 'met' : 'NOT met'}`);
  return result;
}

function carriesReply(raw: string): boolean {
  try {
    const ack = JSON.parse(raw);
    return Array.isArray(ack.blocks) && ack.blocks.length > 0 && typeof ack.text === 'string' && ack.text.length > 0 && /^(ephemeral|in_channel)$/.test(ack.response_type);
  } catch {
    return false;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run();
}
