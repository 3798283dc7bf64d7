import type { Services } from '../../services.js';
import { roundArgs } from '../../clock.js';
import { pollFeeds } from './poll.js';

const USAGE = `usage:
  paperbot feeds poll [--now <ISO time>] [--json]    read the feeds that are due (as the scheduler does)`;

/** `paperbot feeds poll`: one polling round from the command line. Returns the exit code: 0 done, 2 bad usage. */
export async function feedsCli(argv: string[], services: Services, write: (s: string) => void): Promise<number> {
  const out = (line: string) => write(line + '\n');
  const [sub, ...rest] = argv;
  if (sub !== 'poll') {
    out(sub === undefined || sub === 'help' || sub === '--help' ? USAGE : `paperbot feeds: unknown command "${sub}"\n${USAGE}`);
    return 2;
  }
  const parsed = roundArgs(rest, services.clock);
  if ('error' in parsed) {
    out(`paperbot feeds: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const rounds = await pollFeeds(services, { now: parsed.now });
  if (parsed.json) out(JSON.stringify(rounds, null, 2));
  else if (rounds.length === 0) out(`No feed due at ${parsed.now.toISOString()}.`);
  else for (const r of rounds) out(`${r.source}: ${r.outcome}${r.outcome === 'failed' ? ` (${r.error})` : `, ${r.added} new, ${r.merged} merged, ${r.skipped} skipped`}`);
  return 0;
}
