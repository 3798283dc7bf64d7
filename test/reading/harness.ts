import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageRef, Platform } from '../../src/adapter.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import type { Catalog } from '../../src/catalog/index.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import type { Action, Reply } from '../../src/reply.js';
import { RecordingAdapter } from '../helpers/recording-adapter.js';
import { readingCatalog } from './catalog.js';


export type Harness = {
  paperbot: Paperbot;
  adapter: RecordingAdapter;
  clock: ManualClock;
  dbPath: string;
  /** Types `/paper <text>` in the lab channel. */
  say(text: string, user?: string, options?: { canManageChannel?: boolean; channel?: string }): Promise<Reply>;
  /** Clicks a button on a posted message, and applies an `update` the way an adapter would. */
  click(ref: MessageRef, action: Action, user: string): Promise<Reply>;
  /** Stops this bot and starts a new one on the same database file (a restart). */
  restart(): Promise<Harness>;
  close(): void;
};

const CHANNEL = 'lab';

export async function harness(
  options: { catalog?: Catalog; clock?: ManualClock; dbPath?: string; platform?: Platform; ownDir?: string; env?: Record<string, string>; log?: Logger } = {},
): Promise<Harness> {
  const dir = options.ownDir ?? (options.dbPath ? null : mkdtempSync(join(tmpdir(), 'paperbot-reading-')));
  const dbPath = options.dbPath ?? join(dir!, 'state.db');
  const clock = options.clock ?? new ManualClock('2026-11-02T09:00:00Z');
  const catalog = options.catalog ?? readingCatalog;
  const platform = options.platform ?? 'console';
  const paperbot = await createPaperbot({ config: loadConfig({ PAPERBOT_DB: dbPath, ...options.env }), clock, catalog, log: options.log });
  const adapter = new RecordingAdapter(platform);
  paperbot.services.outbox.register(adapter);
  const h: Harness = {
    paperbot,
    adapter,
    clock,
    dbPath,
    say: (text, user = 'u1', o = {}) =>
      paperbot.bot.handle({
        text,
        platform,
        channelId: o.channel ?? CHANNEL,
        userId: user,
        userName: user,
        canManageChannel: o.canManageChannel ?? false,
        trigger: 'command',
      }),
    async click(ref, action, user) {
      const result = await paperbot.bot.handle({
        text: action.command,
        platform,
        channelId: ref.channelId,
        userId: user,
        userName: user,
        canManageChannel: false,
        trigger: 'button',
        messageRef: ref,
      });
      // An ephemeral answer to a click goes to the clicker; only a channel reply replaces the message.
      if (action.effect === 'update' && result.visibility === 'channel') adapter.messages.set(ref.messageId, result);
      return result;
    },
    async restart() {
      paperbot.close();
      return harness({ catalog, clock, dbPath, platform, ownDir: dir ?? undefined, env: options.env });
    },
    close() {
      paperbot.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Every reading-group row, to show that a refused command changed nothing. */
export function readingState(h: Harness): unknown {
  const db = h.paperbot.services.db;
  const tables = ['reading_polls', 'reading_poll_options', 'reading_votes', 'reading_next', 'reading_reads'];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
}

export type PollData = { pollId: number; open: boolean; options: { n: number; paperId: string; votes: number }[]; winner: string | null };

export function pollData(reply: Reply | undefined): PollData {
  if (!reply || reply.kind !== 'poll') throw new Error(`expected a poll, got ${reply?.kind}`);
  return reply.data as PollData;
}

export function voteButton(reply: Reply, n: number): Action {
  const action = reply.cards[n - 1]?.action;
  if (!action) throw new Error(`poll has no vote button ${n}`);
  return action;
}

export function text(reply: Reply): string {
  return [reply.title ?? '', ...reply.intro, reply.footer ?? ''].join('\n');
}
