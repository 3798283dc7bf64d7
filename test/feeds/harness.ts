import { ManualClock } from '../../src/clock.js';
import type { Services } from '../../src/services.js';
import { feedHttpClient } from '../../src/capabilities/feeds/poll.js';
import { HostPacer, type HttpClient } from '../../src/net/index.js';
import { FakeFeeds } from '../fakes/feeds.js';
import { spotlightBot, type SpotlightBot } from '../spotlight/harness.js';
import type { Paper } from '../../src/catalog/paper.js';
import type { FreshDatabase } from '../helpers/engines.js';

/**
 * A bot whose feed settings point at fake feeds on 127.0.0.1: on a SQLite file (`dbPath`), or on
 * `database` (either engine; the caller cleans it up). `fakes` shares one set of fakes between bots
 * (replicas); the bot that made them stops them.
 */
export async function feedsBot(options: {
  dbPath?: string;
  database?: FreshDatabase;
  start: string | number;
  papers?: Paper[];
  logLines?: string[];
  env?: Record<string, string>;
  fakes?: FakeFeeds;
  clock?: ManualClock;
}): Promise<{
  bot: SpotlightBot;
  fakes: FakeFeeds;
  http: (services: Services) => HttpClient;
  close(): Promise<void>;
}> {
  const clock = options.clock ?? new ManualClock(options.start);
  const fakes = options.fakes ?? (await new FakeFeeds(clock).start());
  const dbPath = options.database?.dbPath ?? options.dbPath;
  if (!dbPath) throw new Error('feedsBot: give a dbPath or a database');
  const bot = await spotlightBot({
    dbPath,
    clock,
    papers: options.papers,
    logLines: options.logLines,
    env: {
      ...options.database?.env,
      PAPERBOT_ALLOW_PRIVATE_FEEDS: 'true',
      ARXIV_API_URL: fakes.arxivApiUrl(),
      NCBI_EUTILS_URL: fakes.eutilsUrl(),
      // Long enough for a loaded machine; the hanging fake still has to run it out.
      FEEDS_TIMEOUT_SECONDS: '4',
      ...options.env,
    },
  });
  // Every fake shares one host: pace it as a fast local server, not as arXiv.
  const pacer = new HostPacer();
  const http = (services: Services) => {
    const client = feedHttpClient(services, pacer);
    pacer.configure(fakes.baseUrl, { concurrency: 8, intervalCap: 10_000, intervalMs: 1000 });
    return client;
  };
  return {
    bot,
    fakes,
    http,
    async close() {
      await bot.paperbot.close();
      if (!options.fakes) await fakes.stop();
    },
  };
}
