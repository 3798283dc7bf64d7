import { spawn, type ChildProcess } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedHeaders, slashCommandBody, type FakeSlack } from '../fakes/slack.js';

/**
 * paperbot replicas as real child processes (`paperbot start`), each its own Slack app server in
 * HTTP mode on a port of its own, all on one database and one fake Slack: what an operator runs
 * behind a load balancer. Used by the replica fault tests (test/replicas/) and `npm run bench -- replicas`.
 */

const ROOT = new URL('../..', import.meta.url).pathname;
const REPLICA_SIGNING_SECRET = 'replica-signing-secret-0123456789';
const LISTENING = /slack: listening for HTTP requests on port (\d+)/;

export type ReplicaOptions = {
  /** A name for messages (and the bot token's tail, so the fake Slack can tell replicas' calls apart). */
  name: string;
  /** PAPERBOT_DB, DATABASE_URL, SLACK_API_URL and anything else for this replica. */
  env: Record<string, string>;
  /** `dist`: the build, as `npm start` runs it (bin/paperbot.js); `sources`: the TypeScript through tsx, so a test needs no build. */
  from: 'dist' | 'sources';
};

type Waiter = { pattern: RegExp; resolve(line: string): void; reject(error: Error): void };

export class Replica {
  private output = '';
  private readonly waiters = new Set<Waiter>();
  readonly exited: Promise<number | string | null>;
  port = 0;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly botToken: string,
  ) {
    let pending = '';
    const take = (chunk: Buffer) => {
      this.output += chunk.toString();
      pending += chunk.toString();
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        for (const w of [...this.waiters]) {
          if (!w.pattern.test(line)) continue;
          this.waiters.delete(w);
          w.resolve(line);
        }
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        for (const w of this.waiters) w.reject(new Error(`replica ${name} exited (${code ?? signal}) before a line matching ${w.pattern}:\n${this.tail()}`));
        this.waiters.clear();
        resolve(code ?? signal);
      }),
    );
  }

  /** Starts `paperbot start` and resolves once /readyz says ready (the database answers, Slack's server listens). */
  static async start(options: ReplicaOptions): Promise<Replica> {
    const entry = options.from === 'dist' ? [join(ROOT, 'bin/paperbot.js')] : [join(ROOT, 'bin/run-ts.js'), join(ROOT, 'adapters/cli/main.ts')];
    const botToken = `xoxb-replica-${options.name}-0123456789`;
    const child = spawn(process.execPath, [...entry, 'start'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmpdir(),
        LOG_LEVEL: 'info',
        SLACK_BOT_TOKEN: botToken,
        SLACK_SIGNING_SECRET: REPLICA_SIGNING_SECRET,
        SLACK_PORT: '0',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const replica = new Replica(options.name, child, botToken);
    try {
      const line = await replica.waitForLine(LISTENING);
      replica.port = Number(LISTENING.exec(line)?.[1]);
      await replica.until('/readyz to answer 200', async () => (await replica.get('/readyz').catch(() => null))?.status === 200);
    } catch (error) {
      await replica.kill();
      throw error;
    }
    return replica;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process has logged so far. */
  get logs(): string {
    return this.output;
  }

  tail(chars = 3000): string {
    return this.output.slice(-chars);
  }

  /** Resolves with the first line logged from now on that matches; rejects when the process exits first. */
  waitForLine(pattern: RegExp): Promise<string> {
    if (!this.alive) return Promise.reject(new Error(`replica ${this.name} is not running:\n${this.tail()}`));
    return new Promise((resolve, reject) => this.waiters.add({ pattern, resolve, reject }));
  }

  /** Lines logged so far that match. */
  lines(pattern: RegExp): string[] {
    return this.output.split('\n').filter((l) => pattern.test(l));
  }

  /** Polls `check` until it holds; fails at once, with the log's tail, if the process dies meanwhile. */
  async until(what: string, check: () => Promise<boolean> | boolean, everyMs = 20): Promise<void> {
    for (;;) {
      if (await check()) return;
      if (!this.alive) throw new Error(`replica ${this.name} exited while waiting for ${what}:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`);
    return { status: res.status, body: await res.text() };
  }

  /** The sum of a counter's samples on /metrics whose labels include `labels` (e.g. `outcome="posted"`). */
  async counter(name: string, labels = ''): Promise<number> {
    const { body } = await this.get('/metrics');
    let sum = 0;
    for (const line of body.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (labels && !line.includes(labels)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  /** SIGKILL (or `signal`), then waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string | null> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }
}

/** What a `/paper` command got back: the ack's message, or the one that followed on response_url. */
export type SlashAnswer = { status: number; text: string; via: 'ack' | 'response_url' | 'none' };

let invocations = 0;

/**
 * `/paper <text>` as Slack sends it (signed, with a response_url on the fake), to one replica's
 * Slack server. A command slower than Slack's ack deadline is acknowledged empty and answered on
 * response_url: both are waited for.
 */
export async function slashCommand(
  replica: Pick<Replica, 'port'>,
  fake: FakeSlack,
  text: string,
  who: { userId?: string; channelId?: string; agent?: Agent } = {},
): Promise<SlashAnswer> {
  const id = `replica-${process.pid}-${++invocations}`;
  const body = slashCommandBody({ text, responseUrl: fake.responseUrl(id), userId: who.userId, channelId: who.channelId });
  const { status, raw } = await post(replica.port, body, who.agent);
  if (status !== 200) return { status, text: raw, via: 'none' };
  const ack = raw ? (JSON.parse(raw) as { text?: string }) : {};
  if (ack.text) return { status, text: ack.text, via: 'ack' };
  const [later] = await fake.waitForResponses(id, 1, 60_000);
  return { status, text: String(later.body.text ?? ''), via: 'response_url' };
}

/**
 * A kept-alive connection the server closed as idle just as the request went out fails with
 * ECONNRESET before the server read anything: that one is sent again on a new connection, as
 * Node's documentation advises (`reusedSocket`).
 */
async function post(port: number, body: string, agent?: Agent): Promise<{ status: number; raw: string }> {
  try {
    return await postOnce(port, body, agent);
  } catch (error) {
    if (!(error as { reusedSocket?: boolean }).reusedSocket || (error as { code?: string }).code !== 'ECONNRESET') throw error;
    return postOnce(port, body, agent);
  }
}

function postOnce(port: number, body: string, agent?: Agent): Promise<{ status: number; raw: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/slack/events',
        method: 'POST',
        agent,
        headers: { ...signedHeaders(REPLICA_SIGNING_SECRET, body), 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

/**
 * The weekday and time words of `spotlight on` for the UTC minute `at` (a minute boundary), e.g.
 * `tuesday 20:15 UTC`: a weekly slot that falls in that very minute.
 */
export function spotlightWordsFor(at: number): string {
  const d = new Date(at);
  const day = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][d.getUTCDay()];
  return `${day} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
}

/** The next minute boundary at least `leadMs` from now. */
export function minuteAfter(leadMs: number, now = Date.now()): number {
  return Math.ceil((now + leadMs) / 60_000) * 60_000;
}
