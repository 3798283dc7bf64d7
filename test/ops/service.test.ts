import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { FakeSlack } from '../fakes/slack.js';
import { SlowProxy } from './slow-proxy.js';

const ROOT = new URL('../..', import.meta.url).pathname;
/** The paperbot command from the sources, as a supervisor would run it (the build runs the same code). */
const PAPERBOT = [join(ROOT, 'bin/run-ts.js'), join(ROOT, 'adapters/cli/main.ts')];
const BOT_TOKEN = 'xoxb-service-test-0001';
const APP_TOKEN = 'xapp-service-test-0001';

type Running = { child: ChildProcess; stderr: () => string; exited: Promise<number | null> };
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [...PAPERBOT, 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, stderr: () => stderr, exited };
}

async function until(what: string, check: () => Promise<boolean> | boolean, bot?: Running): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    if (await check()) return;
    if (bot && (bot.child.exitCode !== null || bot.child.signalCode !== null)) {
      throw new Error(`paperbot exited (${bot.child.exitCode ?? bot.child.signalCode}) while waiting for ${what}:\n${bot.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A bot on both fakes, Slack's Web API behind a proxy that holds chat.postMessage answers for `holdMs`. */
async function botOnFakes(holdMs: number) {
  const slack = await FakeSlack.start();
  cleanups.push(() => slack.close());
  const discord = await new FakeDiscord().listen();
  cleanups.push(() => discord.close());
  const proxy = await SlowProxy.start(Number(new URL(slack.apiUrl).port), (path) => path.includes('chat.postMessage'), holdMs);
  cleanups.push(() => proxy.close());
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-service-'));
  const dbPath = join(dir, 'state.db');
  const port = await freePort();
  const bot = run({
    PAPERBOT_DB: dbPath,
    PAPERBOT_HTTP_PORT: String(port),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_API_URL: `http://127.0.0.1:${proxy.port}/api/`,
    DISCORD_TOKEN: discord.token,
    DISCORD_APP_ID: discord.appId,
    DISCORD_API_URL: discord.apiUrl,
  });
  const base = `http://127.0.0.1:${port}`;
  await until('/readyz to answer 200', () => fetch(`${base}/readyz`).then((r) => r.status === 200, () => false), bot);
  await slack.waitForSocket();
  return { slack, discord, proxy, bot, base, dbPath };
}

/** Each invocation has its own trigger_id, as in Slack: a repeated one is a redelivery and is not run again. */
let triggers = 0;
function slashCommand(slack: FakeSlack, text: string) {
  triggers += 1;
  return slack.sendEnvelope(
    'slash_commands',
    { team_id: 'T0LAB', channel_id: 'C0PAPERS', user_id: 'U0ALICE', user_name: 'alice', command: '/paper', text, api_app_id: 'A0PAPER', response_url: slack.responseUrl(), trigger_id: `1.2.${triggers}` },
    30_000,
  );
}

describe('paperbot as a service (a real child process)', () => {
  it('GIVEN both platforms connected THEN it is ready, names its database, and SIGTERM lets the post in flight finish, releases its lease, closes the database and exits 0', async () => {
    const { slack, proxy, bot, base, dbPath } = await botOnFakes(1500);
    expect(bot.stderr()).toContain(`database: ${dbPath}`);
    const ready = await (await fetch(`${base}/readyz`)).json();
    expect(ready).toEqual({ ok: true, checks: { database: 'ok', slack: 'ok', discord: 'ok' } });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^paperbot_catalog_papers 55$/m);

    await slashCommand(slack, 'spotlight on monday 09:00 UTC');
    const db = new Database(dbPath, { readonly: true });
    cleanups.push(() => db.close());
    expect(db.prepare("SELECT count(*) FROM meta WHERE key LIKE 'running:%'").pluck().get()).toBe(1);

    void slashCommand(slack, 'spotlight now').catch(() => {});
    await until('the post to reach Slack', () => proxy.held === 1, bot);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    // The post in flight was finished and recorded, not abandoned.
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(db.prepare("SELECT status FROM delivery_claims WHERE kind = 'spotlight' AND channel = 'C0PAPERS'").pluck().all()).toEqual(['posted']);
    expect(db.prepare("SELECT count(*) FROM meta WHERE key LIKE 'running:%'").pluck().get()).toBe(0);
    expect(bot.stderr()).toMatch(/SIGTERM: stopping/);
    expect(bot.stderr()).toMatch(/stopped cleanly/);
    const metricsAfter = await fetch(`${base}/healthz`).then(() => 'answered', () => 'closed');
    expect(metricsAfter).toBe('closed');
  });

  it('GIVEN a stop waiting on a post THEN a second signal exits at once, without waiting for it', async () => {
    const { slack, proxy, bot } = await botOnFakes(60_000);
    await slashCommand(slack, 'spotlight on monday 09:00 UTC');
    void slashCommand(slack, 'spotlight now').catch(() => {});
    await until('the post to reach Slack', () => proxy.held === 1, bot);
    bot.child.kill('SIGTERM');
    await until('the stop to begin', () => /SIGTERM: stopping/.test(bot.stderr()), bot);
    bot.child.kill('SIGINT');
    expect(await bot.exited).toBe(130);
    expect(bot.stderr()).not.toMatch(/stopped cleanly/);
  });
});

describe('health and metrics in Slack HTTP mode', () => {
  it('GIVEN Slack in HTTP mode and no PAPERBOT_HTTP_PORT THEN /healthz, /readyz and /metrics answer on SLACK_PORT beside /slack/events', async () => {
    const slack = await FakeSlack.start();
    cleanups.push(() => slack.close());
    const port = await freePort();
    const bot = run({
      PAPERBOT_DB: join(mkdtempSync(join(tmpdir(), 'paperbot-service-')), 'state.db'),
      LOG_FORMAT: 'json',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'signing-secret-for-tests',
      SLACK_PORT: String(port),
      SLACK_API_URL: slack.apiUrl,
    });
    const base = `http://127.0.0.1:${port}`;
    await until('/readyz on SLACK_PORT', () => fetch(`${base}/readyz`).then((r) => r.status === 200, () => false), bot);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ok: true, checks: { database: 'ok', slack: 'ok' } });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^paperbot_catalog_papers 55$/m);
    // Requests without Slack's signature still get nothing from /slack/events.
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: 'command=/paper&text=x' })).status).toBe(401);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    // LOG_FORMAT=json: every line is one JSON object, the signing secret nowhere.
    const lines = bot.stderr().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: 'info', msg: expect.stringMatching(/^database: /) }));
    expect(bot.stderr()).not.toContain('signing-secret-for-tests');
  });
});

describe('a start that cannot succeed exits non-zero with one line naming the setting', () => {
  const failure = async (env: Record<string, string>) => {
    const bot = run({ LOG_LEVEL: 'warn', PAPERBOT_DB: join(mkdtempSync(join(tmpdir(), 'paperbot-fail-')), 'state.db'), ...env });
    const code = await bot.exited;
    const lines = bot.stderr().trim().split('\n');
    return { code, lines };
  };

  it('GIVEN PAPERBOT_HTTP_PORT in use THEN it says so', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    cleanups.push(() => new Promise((r) => taken.close(r)));
    const port = (taken.address() as { port: number }).port;
    const { code, lines } = await failure({ PAPERBOT_HTTP_PORT: String(port) });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`PAPERBOT_HTTP_PORT=${port}: the port is already in use`))]);
  });

  it('GIVEN PAPERBOT_DB is a folder THEN it says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperbot-fail-'));
    const { code, lines } = await failure({ PAPERBOT_DB: dir });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/PAPERBOT_DB=.* is a folder, not a database file/)]);
  });

  it('GIVEN a Slack token Slack refuses THEN it names SLACK_BOT_TOKEN', async () => {
    const slack = await FakeSlack.start();
    cleanups.push(() => slack.close());
    slack.failNext('auth.test', 'invalid_auth');
    const { code, lines } = await failure({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: slack.apiUrl });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/Slack refused SLACK_BOT_TOKEN/)]);
    expect(lines[0]).not.toContain(BOT_TOKEN);
  });

  it('GIVEN Slack or Discord unreachable THEN it names the platform and the URL setting', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/api/`;
    const slack = await failure({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: closed });
    expect(slack.code).toBe(1);
    expect(slack.lines).toEqual([expect.stringMatching(/could not reach Slack.*SLACK_API_URL/)]);
    const discord = await failure({ DISCORD_TOKEN: 'fake-bot-token.abcdef.ghijklmnop', DISCORD_APP_ID: '111111111111111111', DISCORD_API_URL: closed });
    expect(discord.code).toBe(1);
    expect(discord.lines).toEqual([expect.stringMatching(/could not reach Discord.*DISCORD_API_URL/)]);
  });
});
