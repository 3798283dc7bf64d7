import type { Platform } from '../../src/adapter.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import type { Catalog } from '../../src/catalog/index.js';
import type { Paper, Term } from '../../src/catalog/paper.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Reply } from '../../src/reply.js';
import { RecordingAdapter } from '../helpers/recording-adapter.js';

export { RecordingAdapter, type Delivered } from '../helpers/recording-adapter.js';

/** A channel of the workspace '' (what adapters that name no workspace record), or of `workspaceId`. */
export function channelRef(platform: Platform, channel: string, workspaceId = ''): { platform: Platform; workspaceId: string; channel: string } {
  return { platform, workspaceId, channel };
}
export { tempDbPath } from '../helpers/temp-db.js';

const TASKS: Term[] = [
  { en: 'Segmentation', zh: '分割' },
  { en: 'Detection', zh: '检测' },
  { en: 'Classification', zh: '分类' },
];
const REGIONS: Term[] = [
  { en: 'Lung', zh: '肺' },
  { en: 'Brain', zh: '脑' },
  { en: 'Breast', zh: '乳腺' },
  { en: 'Liver', zh: '肝脏' },
];
const MODALITIES = ['CT', 'MRI', 'MG', 'US'];
const TECHNIQUES = ['CNN', 'U-Net', 'GAN', '3D-CNN'];

/** A small catalog of made-up papers with varied tags; ids are `p01` … */
export function syntheticPapers(count: number, prefix = 'p'): Paper[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${String(i + 1).padStart(2, '0')}`,
    title: `Synthetic paper ${prefix}${i + 1} on ${REGIONS[i % 4].en} ${TASKS[i % 3].en}`,
    url: `https://example.org/${prefix}${i + 1}`,
    year: 2015 + (i % 5),
    venue: ['MICCAI', 'ISBI', 'IEEE-TMI'][i % 3],
    techniques: [TECHNIQUES[i % 4]],
    modalities: [MODALITIES[(i + 1) % 4]],
    regions: [REGIONS[i % 4]],
    tasks: [TASKS[i % 3]],
    datasets: i % 2 ? [{ name: `DS${i}`, url: '' }] : [],
    authors: i % 3 ? [`Author${i}, A.`] : [],
    sources: ['test'],
  }));
}

export type SpotlightBot = {
  paperbot: Paperbot;
  adapters: Record<'slack' | 'discord' | 'console', RecordingAdapter>;
  clock: ManualClock;
  dbPath: string;
  /** Types `/paper <text>` in a channel as someone who may manage it (unless told otherwise). */
  say(platform: Platform, channel: string, text: string, options?: { canManageChannel?: boolean; workspaceId?: string }): Promise<Reply>;
  close(): void;
};


/** A real core on a SQLite file, with recording adapters for all three platforms. */
export async function spotlightBot(options: {
  dbPath: string;
  clock?: ManualClock;
  papers?: Paper[];
  env?: Record<string, string>;
  /** Receives every log line (debug and up). */
  logLines?: string[];
}): Promise<SpotlightBot> {
  const clock = options.clock ?? new ManualClock('2026-11-27T12:00:00Z');
  const catalog: Catalog | undefined = options.papers ? { papers: options.papers } : undefined;
  const lines = options.logLines;
  const log = lines ? createLogger('debug', [], (line) => lines.push(line)) : undefined;
  const paperbot = await createPaperbot({ config: loadConfig({ PAPERBOT_DB: options.dbPath, ...options.env }), clock, catalog, log });
  const adapters = {
    slack: new RecordingAdapter('slack'),
    discord: new RecordingAdapter('discord'),
    console: new RecordingAdapter('console'),
  };
  for (const a of Object.values(adapters)) paperbot.services.outbox.register(a);
  return {
    paperbot,
    adapters,
    clock,
    dbPath: options.dbPath,
    say: (platform, channel, text, o = {}) =>
      paperbot.bot.handle({
        text,
        platform,
        workspaceId: o.workspaceId,
        channelId: channel,
        userId: 'U1',
        canManageChannel: o.canManageChannel ?? true,
        trigger: 'command',
      }),
    close: () => paperbot.close(),
  };
}

/** Local weekday (0 = Sunday) and HH:MM of an instant in a zone, read by Intl independently of the code under test. */
export function localWeekdayTime(instant: string | number, zone: string): { weekday: number; time: string; date: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday);
  return { weekday, time: `${parts.hour}:${parts.minute}`, date: `${parts.year}-${parts.month}-${parts.day}` };
}
