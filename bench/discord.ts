// Loopback load test of the Discord adapter: `/paper` interactions dispatched through the fake
// gateway at a steady rate to the real discord.js client, measuring the time from dispatch until the
// interaction callback reaches the fake REST server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDiscordAdapter } from '../adapters/discord/index.js';
import { createPaperbot } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { FakeDiscord } from '../test/fakes/discord.js';
import { autocomplete, slashCommand, type SentInteraction } from '../test/fakes/discord-interactions.js';

const QUERIES = ['segmentation', 'gan mri', '肺结节', 'lung ct', 'u-net', 'detection year:2018', 'breast', 'share segmentation', 'help'];
const TYPED = ['seg', 'lung', 'u-n', 'sh', ''];
const GOAL_P99_MS = 25;

export type DiscordBenchOptions = { rate?: number; seconds?: number; warmupSeconds?: number };
export type DiscordBenchResult = { interactions: number; errors: number; p50: number; p99: number; max: number; achievedRate: number };

export async function run(options: DiscordBenchOptions = {}): Promise<DiscordBenchResult> {
  const rate = options.rate ?? 200;
  const seconds = options.seconds ?? 10;
  const total = rate * seconds;
  // First-use costs (schema compilation in the fake, the search index, JIT) stay out of the figures.
  const warmup = rate * (options.warmupSeconds ?? 1);
  const fake = await new FakeDiscord().listen();
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-bench-discord-'));
  const config = loadConfig({ DISCORD_TOKEN: fake.token, DISCORD_APP_ID: fake.appId, DISCORD_API_URL: fake.apiUrl, PAPERBOT_DB: join(dir, 'state.db') });
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
  const failures = new Map<string, number>();
  const fail = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);
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

  // Open loop: interaction i is due at i / rate seconds, whatever happened to the earlier ones.
  const steady = async (count: number, record: boolean) => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      send(i, record);
    }
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
  rmSync(dir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const errors = [...failures.values()].reduce((a, b) => a + b, 0);
  const result: DiscordBenchResult = {
    interactions: answered - before,
    errors,
    p50: round(pick(0.5)),
    p99: round(pick(0.99)),
    max: round(latencies.at(-1) ?? NaN),
    achievedRate: round(total / elapsed),
  };
  console.log(`discord: ${total} interactions (4 of 5 /paper commands, 1 of 5 autocompletes) at ${rate}/s for ${seconds} s through the fake gateway`);
  console.log(`  dispatch → callback at the fake REST: p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms (goal p99 ≤ ${GOAL_P99_MS} ms)`);
  console.log(`  answered ${result.interactions}, errors ${errors}${errors ? ` (${[...failures].map(([k, v]) => `${k}: ${v}`).join('; ')})` : ''}, sent at ${result.achievedRate}/s overall`);
  console.log(`  ${result.p99 <= GOAL_P99_MS && errors === 0 ? 'PASS' : 'MISS'}`);
  return result;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
