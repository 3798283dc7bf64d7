import type { SlackServerLimits } from '../../adapters/slack/connection-cap.js';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/index.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import type { Bot } from '../../src/bot.js';
import type { Catalog } from '../../src/catalog/index.js';
import type { Invocation } from '../../src/services.js';
import { loadSettings } from '../../adapters/settings.js';
import { createLogger, type Logger } from '../../src/log.js';
import { FakeSlack, signedHeaders, type SignOptions } from '../fakes/slack.js';
import { makePaper } from '../helpers/papers.js';
import { tempDbPath } from '../helpers/temp-db.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-bot-token-0123456789';
export const APP_TOKEN = 'xapp-test-app-token-0123456789';

export type SlackHarness = {
  fake: FakeSlack;
  paperbot: Paperbot;
  adapter: SlackAdapter;
  /** Every invocation that reached the command layer, in order. */
  handled: Invocation[];
  /** Everything logged, tokens masked as in production. */
  logs: string[];
  eventsUrl: string;
  /** POSTs a form body to /slack/events, signed unless told otherwise. */
  send(body: string, sign?: SignOptions): Promise<Response>;
  close(): Promise<void>;
};

export type HarnessOptions = {
  mode?: 'http' | 'socket';
  catalog?: Catalog;
  env?: Record<string, string>;
  /** Builds the bot from the real one (a failing search, a slow command). */
  bot?: (paperbot: Paperbot) => Bot;
  maxRateLimitWaitMs?: number;
  ackDeadlineMs?: number;
  /** HTTP server limits (timeouts, connection cap), small in tests that exercise them. */
  server?: SlackServerLimits;
  /** Leave the adapter stopped (tests of start-up itself). */
  start?: boolean;
};

/**
 * The real core (createPaperbot with a temporary database) and the real Bolt app behind our adapter,
 * talking to a fake Slack on 127.0.0.1.
 */
export async function startSlackHarness(options: HarnessOptions = {}): Promise<SlackHarness> {
  const fake = await FakeSlack.start();
  const db = tempDbPath();
  const logs: string[] = [];
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: fake.apiUrl,
    SLACK_PORT: '0',
    PAPERBOT_DB: db.dbPath,
    LOG_LEVEL: 'debug',
    ...(options.mode === 'socket' ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    ...options.env,
  };
  const config = loadSettings(env);
  const log: Logger = createLogger('debug', [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET], (line) => logs.push(line));
  const paperbot = await createPaperbot({ config, log, catalog: options.catalog });
  const inner = options.bot ? options.bot(paperbot) : paperbot.bot;
  const handled: Invocation[] = [];
  // Records what reached the command layer; the real dispatcher still does all the work.
  const bot: Bot = { ...inner, handle: (invocation) => (handled.push(invocation), inner.handle(invocation)) };
  const adapter = createSlackAdapter({ config: config.slack!, bot, log, host: '127.0.0.1', maxRateLimitWaitMs: options.maxRateLimitWaitMs, ackDeadlineMs: options.ackDeadlineMs, server: options.server });
  if (options.start !== false) await adapter.start();
  const eventsUrl = `http://127.0.0.1:${adapter.port}/slack/events`;
  return {
    fake,
    paperbot,
    adapter,
    handled,
    logs,
    eventsUrl,
    send: (body, sign) => fetch(eventsUrl, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body, sign), body }),
    async close() {
      await adapter.stop().catch(() => {});
      await fake.close();
      paperbot.close();
      db.cleanup();
    },
  };
}

/** A catalog of `count` made-up segmentation papers, enough to page through. */
export function pagedCatalog(count: number): Catalog {
  return {
    papers: Array.from({ length: count }, (_, i) =>
      makePaper(`segmentation-paper-${i + 1}-2017`, {
        title: `Segmentation paper ${i + 1}`,
        url: `https://arxiv.org/abs/17${String(i).padStart(2, '0')}.00001`,
        year: 2017,
        authors: [],
      }),
    ),
  };
}
