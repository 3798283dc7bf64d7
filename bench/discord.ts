// Loopback load test of the Discord adapter: `/paper` interactions dispatched through the fake
// gateway at a steady rate to the real discord.js client, measuring the time from dispatch until the
// interaction callback reaches the fake REST server.
import { pathToFileURL } from 'node:url';
import { createDiscordAdapter } from '../adapters/discord/index.js';
import { createPaperbot } from '../src/app.js';
import { loadSettings } from '../adapters/settings.js';
import { createLogger } from '../src/log.js';
import { FakeDiscord } from '../test/fakes/discord.js';
import { autocomplete, slashCommand, type SentInteraction } from '../test/fakes/discord-interactions.js';
import { atSteadyRate, Failures, GOAL_P99_MS, loadShape, metGoal, summarize, type LoadOptions, type LoadResult } from './load.js';
import { tempDbPath } from '../test/helpers/temp-db.js';

const QUERIES = ['segmentation', 'gan mri', '肺结节', 'lung ct', 'u-net', 'detection year:2018', 'breast', 'share segmentation', 'help'];
const TYPED = ['seg', 'lung', 'u-n', 'sh', ''];

export type DiscordBenchResult = LoadResult & { interactions: number };

export async function run(options: LoadOptions = {}): Promise<DiscordBenchResult> {
  // First-use costs (schema compilation in the fake, the search index, JIT) stay out of the figures.
  const { rate, seconds, total, warmup } = loadShape(options);
  const fake = await new FakeDiscord().listen();
  const db = tempDbPath();
  const config = loadSettings({ DISCORD_TOKEN: fake.token, DISCORD_APP_ID: fake.appId, DISCORD_API_URL: fake.apiUrl, PAPERBOT_DB: db.dbPath });
  let loggedErrors = 0;
  const log = createLogger('error', [fake.token], (line) => {
    loggedErrors++;
    if (loggedErrors <= 3) console.error(line);
  });
  const paperbot = await createPaperbot({ config, log });
  const adapter = createDiscordAdapter({ config: config.discord!, bot: paperbot.bot, log });
  await adapter.start();

  const started = new Map<string, { at: bigint; record: boolean }>();
  const latencies: number[] = [];
  const failures = new Failures();
  const fail = (why: string) => failures.add(why);
  let answered = 0;
  let allAnswered: () => void = () => {};
  fake.onRequest = (request) => {
    const m = /^\/api\/v10\/interactions\/(\d+)\//.exec(request.path);
    if (!m) return;
    const start = started.get(m[1]);
    if (!start) return;
    started.delete(m[1]);
    const type = (request.body as { type?: number }).type;
    // A deferral (5 or 6) means the answer itself was not ready in time: counted as an error here.
    if (type !== 4 && type !== 8) fail(`callback type ${type}`);
    else if (start.record) latencies.push(Number(request.at - start.at) / 1e6);
    answered++;
    if (started.size === 0) allAnswered();
  };

  const send = (i: number, record: boolean) => {
    const at = process.hrtime.bigint();
    const sent: SentInteraction =
      i % 5 === 4 ? autocomplete(fake, TYPED[i % TYPED.length], { userId: String(900_000_000_000_000_000n + BigInt(i % 50)) }) : slashCommand(fake, QUERIES[i % QUERIES.length]);
    started.set(sent.id, { at, record });
  };

  const steady = async (count: number, record: boolean) => {
    const t0 = performance.now();
    await atSteadyRate(count, rate, (i) => send(i, record));
    const done = new Promise<void>((resolve) => (allAnswered = resolve));
    await Promise.race([started.size === 0 ? Promise.resolve() : done, new Promise((r) => setTimeout(r, 5000))]);
    return (performance.now() - t0) / 1000;
  };

  await steady(warmup, false);
  const before = answered;
  const elapsed = await steady(total, true);
  for (let i = 0; i < started.size; i++) fail('no callback within 5 s');
  const violations = fake.violations.length;
  if (violations) fail(`${violations} payloads broke Discord's schema`);
  if (loggedErrors) fail(`${loggedErrors} errors logged`);

  await adapter.stop();
  await fake.close();
  paperbot.close();
  db.cleanup();

  const result: DiscordBenchResult = { interactions: answered - before, ...summarize(latencies, failures, total, elapsed) };
  const errors = result.errors;
  console.log(`discord: ${total} interactions (4 of 5 /paper commands, 1 of 5 autocompletes) at ${rate}/s for ${seconds} s through the fake gateway`);
  console.log(`  dispatch → callback at the fake REST: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, max ${result.max.toFixed(2)} ms (goal p99 ≤ ${GOAL_P99_MS} ms)`);
  console.log(`  answered ${result.interactions}, errors ${errors}${errors ? ` (${failures.describe('; ')})` : ''}, sent at ${result.achievedRate.toFixed(2)}/s overall`);
  console.log(`  ${metGoal(result) ? 'PASS' : 'MISS'}`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
