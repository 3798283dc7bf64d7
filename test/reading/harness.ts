import type { MessageRef, Platform } from '../../src/adapter.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import type { Catalog } from '../../src/catalog/index.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import type { Action, Reply } from '../../src/reply.js';
import { freshDatabase, type Engine, type FreshDatabase } from '../helpers/engines.js';
import { RecordingAdapter } from '../helpers/recording-adapter.js';
import { readingCatalog } from './catalog.js';


export type Harness = {
  paperbot: Paperbot;
  adapter: RecordingAdapter;
  clock: ManualClock;
  dbPath: string;
  /** The database the bot runs on (SQLite file, or PostgreSQL beside it). */
  database: FreshDatabase;
  /** Types `/paper <text>` in the lab channel. */
  say(text: string, user?: string, options?: { canManageChannel?: boolean; channel?: string; workspace?: string }): Promise<Reply>;
  /** Clicks a button on a posted message, and applies an `update` the way an adapter would. */
  click(ref: MessageRef, action: Action, user: string, workspace?: string): Promise<Reply>;
  /** Stops this bot and starts a new one on the same database file (a restart). */
  restart(): Promise<Harness>;
  /** A second bot on the same database, with its own connections (another replica); close it first. */
  replica(): Promise<Harness>;
  close(): Promise<void>;
};

const CHANNEL = 'lab';

/**
 * A bot on a fresh database of `engine` (SQLite by default), or on `database` (a restart: then the
 * database is not this harness's to delete).
 */
export async function harness(
  options: {
    catalog?: Catalog;
    clock?: ManualClock;
    engine?: Engine;
    database?: FreshDatabase;
    platform?: Platform;
    env?: Record<string, string>;
    log?: Logger;
  } = {},
): Promise<Harness> {
  const owned = !options.database;
  const database = options.database ?? (await freshDatabase(options.engine ?? 'sqlite'));
  const dbPath = database.dbPath;
  const clock = options.clock ?? new ManualClock('2026-11-02T09:00:00Z');
  const catalog = options.catalog ?? readingCatalog;
  const platform = options.platform ?? 'console';
  const paperbot = await createPaperbot({ config: loadConfig({ ...database.env, ...options.env }), clock, catalog, log: options.log });
  const adapter = new RecordingAdapter(platform);
  paperbot.services.outbox.register(adapter);
  const h: Harness = {
    paperbot,
    adapter,
    clock,
    dbPath,
    database,
    say: (text, user = 'u1', o = {}) =>
      paperbot.bot.handle({
        text,
        platform,
        workspaceId: o.workspace,
        channelId: o.channel ?? CHANNEL,
        userId: user,
        userName: user,
        canManageChannel: o.canManageChannel ?? false,
        trigger: 'command',
      }),
    async click(ref, action, user, workspace) {
      const result = await paperbot.bot.handle({
        text: action.command,
        platform,
        workspaceId: workspace,
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
      await paperbot.close();
      const next = await harness({ catalog, clock, database, platform, env: options.env });
      // The database is the first harness's to delete, and so the last one's.
      if (owned) next.close = async () => {
        await next.paperbot.close();
        await database.cleanup();
      };
      return next;
    },
    replica: () => harness({ catalog, clock, database, platform, env: options.env }),
    async close() {
      await paperbot.close();
      if (owned) await database.cleanup();
    },
  };
  return h;
}

/** Every reading-group row, in key order, to show that a refused command changed nothing. */
export async function readingState(h: Harness): Promise<unknown> {
  const sql = h.paperbot.services.sql;
  const tables: [string, string][] = [
    ['reading_polls', 'id'],
    ['reading_poll_options', 'poll_id, n'],
    ['reading_votes', 'id'],
    ['reading_next', 'platform, workspace_id, channel_id'],
    ['reading_reads', 'platform, workspace_id, channel_id, paper_id'],
  ];
  return Object.fromEntries(await Promise.all(tables.map(async ([t, key]) => [t, await sql.all(`SELECT * FROM ${t} ORDER BY ${key}`)])));
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

/**
 * Some of everything in the lab channel, made the ordinary way: a closed poll (three votes, the
 * second paper winning) whose winner was then read, and an open poll with one vote. Returns the open
 * poll's id.
 */
export async function readingHistoryWithOpenPoll(h: Harness): Promise<number> {
  for (const [command, user] of [['suggest', 'alice'], ['vote 2', 'bob'], ['vote 2', 'carol'], ['vote 1', 'dan'], ['suggest close', 'alice'], ['read', 'alice']]) {
    await h.say(command as string, user);
  }
  const opened = await h.say('suggest', 'alice');
  await h.say('vote 3', 'erin');
  return (opened.data as { pollId: number }).pollId;
}
