// Operations figures, from the build in dist/ as a service runs it: start-up to ready (a first start
// and a restart), the resident memory of an idle bot with Slack (Socket Mode) and Discord connected
// to the local fakes, and what one GET /metrics costs. `npm run build` first; `npm run bench -- ops`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FakeDiscord } from '../test/fakes/discord.js';
import { FakeSlack } from '../test/fakes/slack.js';
import { tempDbPath } from '../test/helpers/temp-db.js';
import { quantile } from './load.js';

const ROOT = new URL('..', import.meta.url).pathname;
const GOAL_READY_MS = 1000;
const GOAL_RSS_MB = 150;
const IDLE_MS = 5000;
const METRICS_CALLS = 200;

export type OpsBenchResult = {
  /** The restart's start-up, on the database the first start made. */
  readyMs: number;
  readyCpuMs: number;
  firstReadyMs: number;
  firstReadyCpuMs: number;
  rssMb: number;
  metricsP50Ms: number;
  metricsP99Ms: number;
  metricsBytes: number;
};

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * CPU the process has used (user + system) in ms, from /proc: start-up's work apart from the wait
 * for a core on a shared machine, which the wall-clock figure includes.
 */
function cpuMs(pid: number): number {
  // The fields after the command name (which may hold spaces), from the state on: utime and stime are 14th and 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Which code cache the build's bundle has now: made by the build, by an earlier run, or none. */
function codeCache(): string {
  const file = join(ROOT, 'dist/paperbot.cjs.cache');
  if (!existsSync(join(ROOT, 'dist/paperbot.cjs'))) return 'no bundle';
  if (!existsSync(file)) return 'no code cache';
  const madeBy = readFileSync(file).subarray(0, 80).toString('latin1').split('\n')[0]?.split(' ')[1];
  return `code cache made by ${madeBy === 'build' ? 'the build' : `\`${madeBy}\``}`;
}

type Started = { child: ChildProcess; exited: Promise<number | null>; readyMs: number; readyCpuMs: number; cache: string };

/** Starts the bot and waits for /readyz to answer 200. */
async function startBot(nodeArgs: string[], env: Record<string, string>, base: string): Promise<Started> {
  const cache = codeCache();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin/paperbot.js'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`paperbot exited with ${child.exitCode} before it was ready`);
      const ready = await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
      if (ready) break;
      if (performance.now() - started > 60_000) throw new Error('not ready within 60 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, exited, readyMs: performance.now() - started, readyCpuMs: cpuMs(child.pid!), cache };
}

async function stopBot(bot: Started): Promise<void> {
  bot.child.kill('SIGTERM');
  const code = await bot.exited;
  if (code !== 0) throw new Error(`paperbot stopped with ${code}`);
}

/**
 * `nodeArgs`: flags for the bot's node, e.g. `--cpu-prof` to see where start-up goes. The bot starts
 * twice on the same database: the first start creates it (migrations, the index built and stored),
 * the restart finds it as a service restarting does; memory and /metrics are measured on the second.
 */
export async function run({ nodeArgs = [] as string[], logLevel = 'warn' } = {}): Promise<OpsBenchResult> {
  if (!existsSync(join(ROOT, 'bin/paperbot.js'))) throw new Error('no bin/paperbot.js');
  const slack = await FakeSlack.start();
  const discord = await new FakeDiscord().listen();
  const db = tempDbPath();
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: ROOT,
    NODE_ENV: 'production',
    PAPERBOT_DB: db.dbPath,
    PAPERBOT_HTTP_PORT: String(port),
    LOG_LEVEL: logLevel,
    SLACK_BOT_TOKEN: 'xoxb-bench-token-0001',
    SLACK_APP_TOKEN: 'xapp-bench-token-0001',
    SLACK_API_URL: slack.apiUrl,
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiUrl,
  };
  const base = `http://127.0.0.1:${port}`;
  let bot: Started | undefined;
  try {
    const first = await startBot(nodeArgs, env, base);
    bot = first;
    await stopBot(first);
    bot = undefined;
    const restart = await startBot(nodeArgs, env, base);
    bot = restart;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const rss = rssMb(restart.child.pid!);

    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < METRICS_CALLS; i++) {
      const t0 = performance.now();
      const text = await (await fetch(`${base}/metrics`)).text();
      times.push(performance.now() - t0);
      bytes = text.length;
    }
    times.sort((a, b) => a - b);
    const { readyMs, readyCpuMs } = restart;
    const result: OpsBenchResult = {
      readyMs,
      readyCpuMs,
      firstReadyMs: first.readyMs,
      firstReadyCpuMs: first.readyCpuMs,
      rssMb: rss,
      metricsP50Ms: quantile(times, 0.5),
      metricsP99Ms: quantile(times, 0.99),
      metricsBytes: bytes,
    };
    const verdict = (ms: number) => `(goal ≤ ${GOAL_READY_MS} ms) ${ms <= GOAL_READY_MS ? 'PASS' : 'MISS'}`;
    console.log(`ops: node dist/ (bin/paperbot.js start), Slack Socket Mode and Discord gateway on the local fakes`);
    console.log(`  start-up to /readyz 200, first start (new database, ${first.cache}): ${first.readyMs.toFixed(0)} ms ${verdict(first.readyMs)}; CPU used by then ${first.readyCpuMs.toFixed(0)} ms`);
    console.log(`  start-up to /readyz 200, restart (same database, ${restart.cache}): ${readyMs.toFixed(0)} ms ${verdict(readyMs)}; CPU used by then ${readyCpuMs.toFixed(0)} ms`);
    console.log(`  load average (1 min) ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores: wall-clock figures grow with it`);
    console.log(`  resident memory after ${IDLE_MS / 1000} s idle: ${rss.toFixed(1)} MB (goal ≤ ${GOAL_RSS_MB} MB) ${rss <= GOAL_RSS_MB ? 'PASS' : 'MISS'}`);
    console.log(`  GET /metrics ×${METRICS_CALLS}: p50 ${result.metricsP50Ms.toFixed(2)} ms, p99 ${result.metricsP99Ms.toFixed(2)} ms, ${bytes} bytes`);
    return result;
  } finally {
    if (bot) await stopBot(bot);
    await slack.close();
    await discord.close();
    db.cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
