import type { Services } from '../../services.js';
import { pollFeeds } from '../feeds/poll.js';
import { digestTick } from './tick.js';

const USAGE = `usage:
  paperbot feeds poll [--now <ISO time>] [--json]    read the feeds that are due (as the scheduler does)
  paperbot digest tick [--now <ISO time>] [--json]   post the digests that are due (run it before spotlight tick)`;

/** `--now <ISO>` and `--json` out of the arguments; anything else is a usage error. */
function tickArgs(args: string[], fallback: Date): { now: Date; json: boolean } | { error: string } {
  const rest = [...args];
  const json = rest.includes('--json');
  const i = rest.indexOf('--now');
  let now = fallback;
  if (i >= 0) {
    const raw = rest[i + 1];
    const parsed = raw === undefined ? NaN : Date.parse(raw);
    if (Number.isNaN(parsed)) return { error: `--now needs an ISO 8601 time such as 2026-11-30T09:00:00Z; got "${raw ?? ''}".` };
    now = new Date(parsed);
    rest.splice(i, 2);
  }
  const unknown = rest.filter((a) => a !== '--json');
  return unknown.length ? { error: `unknown option ${unknown.join(' ')}` } : { now, json };
}

/**
 * `paperbot feeds poll` and `paperbot digest tick`: one round from the command line, for system cron
 * beside a running bot (the claims in the database keep the two from doing anything twice).
 * `write` receives whole lines. Returns the exit code: 0 done, 2 bad usage.
 */
export async function digestCli(command: 'feeds' | 'digest', argv: string[], services: Services, write: (s: string) => void): Promise<number> {
  const out = (line: string) => write(line + '\n');
  const [sub, ...rest] = argv;
  const expected = command === 'feeds' ? 'poll' : 'tick';
  if (sub !== expected) {
    out(sub === undefined || sub === 'help' || sub === '--help' ? USAGE : `paperbot ${command}: unknown command "${sub}"\n${USAGE}`);
    return 2;
  }
  const parsed = tickArgs(rest, services.clock.now());
  if ('error' in parsed) {
    out(`paperbot ${command}: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  if (command === 'feeds') {
    const rounds = await pollFeeds(services, { now: parsed.now });
    if (parsed.json) out(JSON.stringify(rounds, null, 2));
    else if (rounds.length === 0) out(`No feed due at ${parsed.now.toISOString()}.`);
    else for (const r of rounds) out(`${r.source}: ${r.outcome}${r.outcome === 'failed' ? ` (${r.error})` : `, ${r.added} new, ${r.merged} merged, ${r.skipped} skipped`}`);
    return 0;
  }
  const posts = await digestTick(services, parsed.now);
  if (parsed.json) out(JSON.stringify(posts.map((p) => ({ channel: p.channel, platform: p.platform, slot: p.slot, papers: p.papers, messageId: p.messageId })), null, 2));
  else if (posts.length === 0) out(`No digest due at ${parsed.now.toISOString()}.`);
  else for (const p of posts) out(`Posted a digest of ${p.papers.length} paper(s) to ${p.platform}:${p.channel} for the slot ${p.slot} (message ${p.messageId}).`);
  return 0;
}
