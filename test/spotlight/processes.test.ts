import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { SpotlightPost } from '../../src/capabilities/spotlight/index.js';
import { postsOf } from '../../src/capabilities/spotlight/store.js';
import { spotlightBot, tempDbPath, channelRef } from './harness.js';

/**
 * Real concurrency and real crashes: separate node processes on one SQLite file, and kill -9.
 * Nothing here waits on a timer: each step waits for a line the child prints or writes.
 */

const CHILD = 'test/spotlight/child/tick-child.ts';
const PAPERS = 6;
const MONDAY = '2026-11-30T09:00:00.000Z';
const children: ChildProcess[] = [];

type Line = { event: 'attempt' | 'delivered'; pid: number; channel: string; key?: string; paper?: string; slot?: string; messageId?: string };

function start(args: string[]): { child: ChildProcess; lines: string[]; waitFor(text: string): Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/run-ts.js', CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
    for (const w of [...waiters]) if (lines.includes(w.text)) w.resolve();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (lines.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then((code) => reject(new Error(`child exited (${code}) before "${text}": ${stderr.slice(-2000)}`)));
      }),
  };
}

/** Resolves once the record file holds a line matching the predicate (the child wrote it). */
async function waitForRecord(file: string, match: (l: Line) => boolean, child: ChildProcess): Promise<void> {
  for (;;) {
    if (records(file).some(match)) return;
    if (child.exitCode !== null) throw new Error('child exited before writing the expected record');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function records(file: string): Line[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function subscribedDb(channels: string[]) {
  const tmp = tempDbPath();
  const bot = await spotlightBot({ dbPath: tmp.dbPath, clock: new ManualClock('2026-11-27T12:00:00Z'), papers: (await import('./harness.js')).syntheticPapers(PAPERS) });
  for (const channel of channels) {
    const r = await bot.say('slack', channel, 'spotlight on monday 09:00 UTC');
    expect(r.kind).toBe('spotlight-on');
  }
  bot.close();
  return { ...tmp, record: join(tmp.dbPath, '..', 'platform.jsonl') };
}

describe('two processes on one database', () => {
  it('GIVEN two processes ticking the same slot at the same moment THEN each channel gets exactly one post', async () => {
    const channels = ['C1', 'C2', 'C3', 'C4'];
    const { dbPath, record, cleanup } = await subscribedDb(channels);
    const now = '2026-11-30T09:00:30Z';
    const a = start([dbPath, record, 'once-no-dedupe', String(PAPERS), now]);
    const b = start([dbPath, record, 'once-no-dedupe', String(PAPERS), now]);
    await Promise.all([a.waitFor('ready'), b.waitFor('ready')]);
    a.child.stdin!.write('go\n');
    b.child.stdin!.write('go\n');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);

    const delivered = records(record).filter((l) => l.event === 'delivered');
    expect(delivered.map((d) => d.channel).sort()).toEqual(channels);
    const reported = [a, b].flatMap((p) => JSON.parse(p.lines[p.lines.length - 1]) as SpotlightPost[]);
    expect(reported.map((p) => p.channel).sort()).toEqual(channels);
    expect(reported.every((p) => p.slot === MONDAY)).toBe(true);
    cleanup();
  }, 60_000);
});

describe('kill -9 in the middle of posting', () => {
  it('GIVEN a process killed after the platform got the post but before it answered THEN the restart retries with the same key and paper, and the channel sees one post', async () => {
    const { dbPath, record, cleanup } = await subscribedDb(['C1']);
    const victim = start([dbPath, record, 'hang', String(PAPERS), '2026-11-30T09:00:30Z']);
    await waitForRecord(record, (l) => l.event === 'delivered', victim.child);
    victim.child.kill('SIGKILL');
    await victim.exited;

    // Restarted in the same minute: the dead process's lease still holds, so nothing is posted twice.
    const early = start([dbPath, record, 'once', String(PAPERS), '2026-11-30T09:01:00Z']);
    await early.waitFor('ready');
    early.child.stdin!.write('go\n');
    expect(await early.exited).toBe(0);
    expect(JSON.parse(early.lines[early.lines.length - 1])).toEqual([]);

    // After the lease: retried with the same idempotency key; the platform answers with the first message.
    const later = start([dbPath, record, 'once', String(PAPERS), '2026-11-30T09:15:00Z']);
    await later.waitFor('ready');
    later.child.stdin!.write('go\n');
    expect(await later.exited).toBe(0);
    const posts = JSON.parse(later.lines[later.lines.length - 1]) as SpotlightPost[];

    const lines = records(record);
    const attempts = lines.filter((l) => l.event === 'attempt');
    const delivered = lines.filter((l) => l.event === 'delivered');
    expect(delivered).toHaveLength(1);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].key).toBe(attempts[0].key);
    expect(attempts[1].paper).toBe(attempts[0].paper);
    expect(posts).toHaveLength(1);
    expect(posts[0].messageId).toBe(delivered[0].messageId);
    expect(posts[0].paper.id).toBe(delivered[0].paper);

    const bot = await spotlightBot({ dbPath, papers: (await import('./harness.js')).syntheticPapers(PAPERS) });
    const rows = (await postsOf(bot.paperbot.services.sql, channelRef('slack', 'C1')));
    expect(rows.map((r) => [r.slot, r.status, r.paperId, r.messageId])).toEqual([[MONDAY, 'posted', delivered[0].paper, delivered[0].messageId]]);
    bot.close();
    cleanup();
  }, 60_000);

  it('GIVEN a process killed at arbitrary moments while posting week after week THEN after restarts every week is posted once and no paper repeats within a round', async () => {
    const { dbPath, record, cleanup } = await subscribedDb(['C1']);
    const weeks = 2 * PAPERS + 2;
    const slotOf = (w: number) => Date.parse(MONDAY) + w * 7 * 86_400_000;
    let fromWeek = 0;
    // Kill after the 3rd and the 8th delivery, wherever the process happens to be by then.
    for (const killAt of [3, 8]) {
      const p = start([dbPath, record, 'weeks', String(PAPERS), new Date(slotOf(fromWeek)).toISOString(), String(weeks - fromWeek)]);
      await waitForRecord(record, () => records(record).filter((l) => l.event === 'delivered').length >= killAt, p.child);
      p.child.kill('SIGKILL');
      await p.exited;
      expect(p.lines).not.toContain('done');
      const lastAttempt = records(record).filter((l) => l.event === 'attempt').pop()!;
      fromWeek = Math.round((Date.parse(lastAttempt.slot!) - Date.parse(MONDAY)) / (7 * 86_400_000));
    }
    const last = start([dbPath, record, 'weeks', String(PAPERS), new Date(slotOf(fromWeek)).toISOString(), String(weeks - fromWeek)]);
    await last.waitFor('done');
    expect(await last.exited).toBe(0);

    const delivered = records(record).filter((l) => l.event === 'delivered');
    const bySlot = new Map<string, Line[]>();
    for (const d of delivered) bySlot.set(d.slot!, [...(bySlot.get(d.slot!) ?? []), d]);
    expect(bySlot.size).toBe(weeks);
    for (const [, ds] of bySlot) expect(ds).toHaveLength(1);
    // A retry after a kill carries the key and the paper of the first attempt.
    const attemptsByKey = new Map<string, Set<string>>();
    for (const a of records(record).filter((l) => l.event === 'attempt')) {
      attemptsByKey.set(a.key!, (attemptsByKey.get(a.key!) ?? new Set()).add(a.paper!));
    }
    expect(attemptsByKey.size).toBe(weeks);
    for (const [, paperIds] of attemptsByKey) expect(paperIds.size).toBe(1);
    const papers = [...bySlot.keys()].sort().map((s) => bySlot.get(s)![0].paper!);
    for (let from = 0; from + PAPERS <= papers.length; from += PAPERS) {
      expect(new Set(papers.slice(from, from + PAPERS)).size).toBe(PAPERS);
    }

    const bot = await spotlightBot({ dbPath, papers: (await import('./harness.js')).syntheticPapers(PAPERS) });
    const rows = (await postsOf(bot.paperbot.services.sql, channelRef('slack', 'C1')));
    expect(rows).toHaveLength(weeks);
    expect(rows.every((r) => r.status === 'posted')).toBe(true);
    expect(rows.map((r) => r.paperId)).toEqual(papers);
    bot.close();
    cleanup();
  }, 120_000);
});
