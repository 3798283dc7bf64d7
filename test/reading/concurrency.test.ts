import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, pollData, voteButton, type Harness } from './harness.js';
import { testedEngines } from '../helpers/engines.js';

/** Starts a voter process and resolves once it has opened the database and is waiting for "go". */
function startVoter(env: Record<string, string>, prefix: string, count: number) {
  const child = spawn(process.execPath, ['bin/run-ts.js', 'test/reading/workers/vote-worker.ts', JSON.stringify(env), prefix, String(count), '3'], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const killer = setTimeout(() => child.kill(), 60_000);
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('exit', () => reject(new Error(`voter ${prefix} exited before it was ready: ${out}`)));
  });
  const done = new Promise<Record<string, number>>((resolve, reject) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(JSON.parse(out.slice('ready\n'.length)));
      else reject(new Error(`voter ${prefix} exited with ${code}: ${out}`));
    });
  });
  done.catch(() => undefined);
  return { ready, done, go: () => child.stdin.end('go\n') };
}

let h: Harness;
afterEach(() => h?.close());

describe.each(testedEngines())('on %s', (engine) => {
  describe('concurrent votes', () => {
    it('GIVEN 90 people voting at once by text and by button THEN every vote counts and the message ends showing all of them', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const { ref, reply } = h.adapter.polls()[0];
      const people = Array.from({ length: 90 }, (_, i) => `user-${i}`);
      const replies = await Promise.all(
        people.map((user, i) => (i % 2 === 0 ? h.say(`vote ${(i % 3) + 1}`, user) : h.click(ref, voteButton(reply, (i % 3) + 1), user))),
      );
      expect(replies.filter((r) => r.kind === 'error')).toEqual([]);
      const closed = await h.say('suggest close', 'alice');
      expect(closed.kind).toBe('poll-closed');
      const final = pollData(h.adapter.updates.at(-1)!.reply);
      expect(final.options.map((o) => o.votes)).toEqual([30, 30, 30]);
      // Typed votes share coalesced updates: fewer updates than votes, and the last open one shows all typed votes.
      const openUpdates = h.adapter.updates.filter((u) => pollData(u.reply).open);
      expect(openUpdates.length).toBeLessThan(45);
      expect(pollData(openUpdates.at(-1)!.reply).options.reduce((n, o) => n + o.votes, 0)).toBeGreaterThanOrEqual(45);
    });

    it('GIVEN the same people clicking the same button twice at once THEN each toggles back to no vote', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const { ref, reply } = h.adapter.polls()[0];
      const people = Array.from({ length: 40 }, (_, i) => `user-${i}`);
      await Promise.all(people.flatMap((user) => [h.click(ref, voteButton(reply, 2), user), h.click(ref, voteButton(reply, 2), user)]));
      await h.say('vote 1', 'last');
      expect(pollData(h.adapter.updates.at(-1)!.reply).options.map((o) => o.votes)).toEqual([1, 0, 0]);
    });

    it('GIVEN two bot processes on one database THEN votes from both and from this one, cast at the same time, are all counted', async () => {
      h = await harness({ engine });
      await h.say('suggest', 'alice');
      const perProcess = 150;
      const voters = [startVoter(h.database.env, 'first', perProcess), startVoter(h.database.env, 'second', perProcess)];
      await Promise.all(voters.map((v) => v.ready));
      for (const v of voters) v.go();
      const here = Array.from({ length: 30 }, (_, i) => h.say(`vote ${(i % 3) + 1}`, `here-${i}`));
      const [a, b] = await Promise.all(voters.map((v) => v.done));
      expect((await Promise.all(here)).every((r) => r.kind === 'vote')).toBe(true);
      expect(a).toEqual({ vote: perProcess });
      expect(b).toEqual({ vote: perProcess });
      const closed = await h.say('suggest close', 'alice');
      expect(closed.kind).toBe('poll-closed');
      expect(pollData(h.adapter.updates.at(-1)!.reply).options.map((o) => o.votes)).toEqual([110, 110, 110]);
    });
  });
});
