/**
 * A second paperbot process for the concurrency and kill -9 tests: real core, real SQLite file, a
 * "platform" that is a JSON-lines file shared by every process (so the parent sees each attempt and
 * each delivered post, whoever made it).
 *
 * node bin/run-ts.js test/spotlight/child/tick-child.ts <db> <record file> <mode> <papers> <now ISO> [weeks]
 *   mode: once          wait for "go" on stdin, tick once at <now>, print the posts as JSON
 *         once-no-dedupe  the same, with the platform not deduplicating by idempotency key
 *         hang          tick once; the platform records the delivery and never answers
 *         hang-before   tick once; the platform hangs before delivering
 *         weeks         tick weekly slots from <now> for [weeks] weeks (at +1 and +11 minutes)
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Adapter, ChannelTarget, MessageRef } from '../../../src/adapter.js';
import { createPaperbot } from '../../../src/app.js';
import { ManualClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config.js';
import type { Reply } from '../../../src/reply.js';
import { tick } from '../../../src/capabilities/spotlight/index.js';
import { syntheticPapers } from '../harness.js';

const [dbPath, recordFile, mode, paperCount, nowIso, weeksArg] = process.argv.slice(2);

type Line = { event: 'attempt' | 'delivered'; pid: number; channel: string; key?: string; paper?: string; slot?: unknown; messageId?: string };

class FilePlatform implements Adapter {
  readonly platform = 'slack' as const;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async update(): Promise<void> {}
  async post({ workspaceId, channelId }: ChannelTarget, reply: Reply, options?: { idempotencyKey?: string }): Promise<MessageRef> {
    const key = options?.idempotencyKey;
    const paper = reply.papers[0]?.id;
    const write = (line: Line) => appendFileSync(recordFile, JSON.stringify(line) + '\n');
    // In weeks mode the platform takes a few milliseconds, like a network, so a kill lands mid-post too.
    const latency = () => (mode === 'weeks' ? new Promise((r) => setTimeout(r, Math.random() * 8)) : Promise.resolve());
    await latency();
    write({ event: 'attempt', pid: process.pid, channel: channelId, key, paper, slot: reply.data?.slot });
    if (mode === 'hang-before') await new Promise(() => {});
    if (mode !== 'once-no-dedupe' && existsSync(recordFile)) {
      // Like Discord's enforced nonce: a repeated key gets the message it already made.
      const earlier = readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line)
        .find((l) => l.event === 'delivered' && l.key === key && l.channel === channelId);
      if (earlier) return { platform: 'slack', workspaceId, channelId, messageId: earlier.messageId! };
    }
    const messageId = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    write({ event: 'delivered', pid: process.pid, channel: channelId, key, paper, slot: reply.data?.slot, messageId });
    await latency();
    if (mode === 'hang') await new Promise(() => {});
    return { platform: 'slack', workspaceId, channelId, messageId };
  }
}

const clock = new ManualClock(nowIso);
const paperbot = await createPaperbot({
  config: loadConfig({ PAPERBOT_DB: dbPath, LOG_LEVEL: 'silent' }),
  clock,
  catalog: { papers: syntheticPapers(Number(paperCount)) },
});
paperbot.services.outbox.register(new FilePlatform());

if (mode === 'weeks') {
  const start = Date.parse(nowIso);
  process.stdout.write('ready\n');
  for (let w = 0; w < Number(weeksArg); w++) {
    for (const offset of [60_000, 11 * 60_000]) {
      clock.set(start + w * 7 * 86_400_000 + offset);
      await tick(paperbot.services);
    }
  }
  paperbot.close();
  process.stdout.write('done\n');
} else {
  process.stdout.write('ready\n');
  if (mode.startsWith('once')) {
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) if (line.trim() === 'go') break;
    lines.close();
  }
  const posts = await tick(paperbot.services);
  process.stdout.write(JSON.stringify(posts) + '\n');
  paperbot.close();
}
