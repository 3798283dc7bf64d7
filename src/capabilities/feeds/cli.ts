import type { Services } from '../../services.js';
import { roundCommandArgs } from '../../clock.js';
import { pollFeeds } from './poll.js';

const USAGE = `usage:
  paperbot feeds poll [--now <ISO time>] [--json]    read the feeds that are due (as the scheduler does)`;

/** `paperbot feeds poll`: one polling round from the command line. Returns the exit code: 0 done, 2 bad usage. */
export async function feedsCli(argv: string[], services: Services, write: (s: string) => void): Promise<number> {
  const out = (line: string) => write(line + '\n');
  const parsed = roundCommandArgs(argv, { command: 'feeds', sub: 'poll', usage: USAGE }, services.clock, out);
  if (typeof parsed === 'number') return parsed;
  const rounds = await pollFeeds(services, { now: parsed.now });
  if (parsed.json) out(JSON.stringify(rounds, null, 2));
  else if (rounds.length === 0) out(`No feed due at ${parsed.now.toISOString()}.`);
  else for (const r of rounds) out(`${r.source}: ${r.outcome}${r.outcome === 'failed' ? ` (${r.error})` : `, ${r.added} new, ${r.merged} merged, ${r.skipped} skipped`}`);
  return 0;
}
