import type { Services } from '../../services.js';
import { roundCommandArgs } from '../../clock.js';
import { countOf } from '../../i18n/index.js';
import { digestTick, type DigestTickOptions } from './tick.js';

const USAGE = `usage:
  paperbot digest tick [--now <ISO time>] [--json]   post the digests that are due (run it before spotlight tick)`;

/**
 * `paperbot digest tick`: one round from the command line, for system cron beside a running bot (the
 * claims in the database keep the two from posting anything twice). `write` receives whole lines.
 * Returns the exit code: 0 done, 2 bad usage.
 */
export async function digestCli(argv: string[], services: Services, write: (s: string) => void, options: DigestTickOptions = {}): Promise<number> {
  const out = (line: string) => write(line + '\n');
  const parsed = roundCommandArgs(argv, { command: 'digest', sub: 'tick', usage: USAGE }, services.clock, out);
  if (typeof parsed === 'number') return parsed;
  const posts = await digestTick(services, parsed.now, options);
  if (parsed.json) out(JSON.stringify(posts.map((p) => ({ channel: p.channel, platform: p.platform, slot: p.slot, papers: p.papers, messageId: p.messageId })), null, 2));
  else if (posts.length === 0) out(`No digest due at ${parsed.now.toISOString()}.`);
  else for (const p of posts) out(`Posted a digest of ${countOf(p.papers.length, 'paper')} to ${p.platform}:${p.channel} for the slot ${p.slot} (message ${p.messageId}).`);
  return 0;
}
