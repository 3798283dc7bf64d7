import type { Services } from '../../services.js';
import { roundArgs } from '../../clock.js';
import { listSubscriptions } from './channel.js';
import { tick } from './tick.js';

const USAGE = `usage:
  paperbot spotlight tick [--now <ISO time>] [--json]   post what is due (as the scheduler does)
  paperbot spotlight list [--json]                      every subscription with its next slot`;

/**
 * `paperbot spotlight …`: lets an operator drive posts from system cron and tests drive time.
 * `write` receives whole lines, each ending in a newline. Returns the exit code: 0 done, 2 bad usage.
 */
export async function spotlightCli(argv: string[], services: Services, write: (s: string) => void): Promise<number> {
  const out = (line: string) => write(line + '\n');
  const [sub, ...rest] = argv;
  const json = rest.includes('--json');
  const unknown = (flags: string[]) => {
    out(`paperbot spotlight: unknown option ${flags.join(' ')}\n${USAGE}`);
    return 2;
  };

  if (sub === 'tick') {
    const parsed = roundArgs(rest, services.clock);
    if ('error' in parsed) {
      out(`paperbot spotlight: ${parsed.error}\n${USAGE}`);
      return 2;
    }
    const { now } = parsed;
    const posts = await tick(services, now);
    if (json) out(JSON.stringify(posts, null, 2));
    else if (posts.length === 0) out(`Nothing due at ${now.toISOString()}.`);
    else for (const p of posts) out(`Posted ${p.paper.id} to ${p.platform}:${p.channel} for the slot ${p.slot} (message ${p.messageId}).`);
    return 0;
  }

  if (sub === 'list') {
    const args = rest.filter((a) => a !== '--json');
    if (args.length) return unknown(args);
    const subs = await listSubscriptions(services);
    if (json) {
      out(JSON.stringify(subs, null, 2));
      return 0;
    }
    if (subs.length === 0) {
      out('No channel has a spotlight. Turn one on with `/paper spotlight on` in the channel.');
      return 0;
    }
    for (const s of subs) {
      const state =
        s.state === 'on' ? `next ${s.nextSlotLocal} ${s.timezone} (${s.nextSlot})` : s.state === 'paused' ? `PAUSED: ${s.pausedReason}` : 'off';
      out(`${s.platform}:${s.channel}  ${s.description} ${s.timezone}  [${s.lang}]  ${state}  round ${s.round}, ${s.remaining} left`);
    }
    return 0;
  }

  out(sub === undefined || sub === 'help' || sub === '--help' ? USAGE : `paperbot spotlight: unknown command "${sub}"\n${USAGE}`);
  return 2;
}
