import { createBot, type Bot } from './bot.js';
import { loadCatalog, type Catalog } from './catalog/index.js';
import type { Services } from './services.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { silentLogger, type Logger } from './log.js';
import { Outbox } from './outbox.js';
import { createSearch } from './search/index.js';
import { openDb } from './store/db.js';
import { migrations } from './capabilities/index.js';

export type Paperbot = {
  bot: Bot;
  services: Services;
  catalog: Catalog;
  close(): void;
};

export type PaperbotOptions = {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** A catalog built elsewhere (tests with hostile records); by default the configured sources are loaded. */
  catalog?: Catalog;
};

/**
 * Builds the core once: catalog, search index, state database, command dispatcher. Adapters take the
 * returned bot; nothing here knows about Slack or Discord.
 */
export async function createPaperbot(options: PaperbotOptions): Promise<Paperbot> {
  const { config } = options;
  const log = options.log ?? silentLogger;
  const catalog = options.catalog ?? (await loadCatalog({ extraSources: config.extraSources }));
  const search = createSearch(catalog);
  const db = openDb(config.dbPath, migrations);
  const services: Services = {
    papers: catalog.papers,
    search,
    db,
    clock: options.clock ?? systemClock,
    config,
    log,
    outbox: new Outbox(),
  };
  const bot = createBot(services);
  return { bot, services, catalog, close: () => db.close() };
}
