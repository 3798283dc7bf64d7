import { createBot, type Bot, type BotHooks } from './bot.js';
import { loadCatalog, type Catalog } from './catalog/index.js';
import type { Services } from './services.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { silentLogger, type Logger } from './log.js';
import { Outbox, type DeliveryObserver } from './outbox.js';
import { createSearch } from './search/index.js';
import { openDb } from './store/db.js';
import { openSqlStore } from './store/sql/open.js';
import { CatalogStore } from './catalog/store.js';
import { LiveCatalog } from './catalog/live.js';
import { storedIndexCache } from './catalog/index-cache.js';
import { CATALOG_CHANNEL } from './catalog/store.js';
import { carryFileCatalog } from './catalog/carry.js';
import { listenFor, type Listener } from './store/sql/listen.js';
import { CatalogService } from './catalog/service.js';
import { bundledVocabulary } from './catalog/vocabulary.js';
import type { HttpClient } from './net/index.js';
import { migrations } from './capabilities/index.js';

export type Paperbot = {
  bot: Bot;
  services: Services;
  catalog: Catalog;
  /** Closes the SQLite handles at once (before it returns) and a PostgreSQL pool when it resolves. */
  close(): Promise<void>;
};

export type PaperbotOptions = {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** A catalog built elsewhere (tests with hostile records); by default the configured sources are loaded. */
  catalog?: Catalog;
  /** The HTTP client for paper sources (tests pass one with its own pacer); one per process otherwise. */
  http?: HttpClient;
  /** For the process around the bot (`paperbot start`): answers observed, work in flight tracked. */
  hooks?: BotHooks;
  /** Hears how each unprompted post ended (metrics). */
  onDelivered?: DeliveryObserver;
  /** The state database opened beforehand with `openState` (`paperbot start` hands it to the adapters early); opened here otherwise. */
  state?: State;
  /** False for a one-shot command (the CLI): no connection listening for other replicas' catalog changes. */
  listen?: boolean;
};

/** The state database: the SQLite file and the store interface (SQLite, or PostgreSQL with DATABASE_URL), migrated. */
export type State = Pick<Services, 'db' | 'sql'>;

/**
 * Opens and migrates the state database. It takes milliseconds where the catalog and its index take
 * the better part of start-up, so `paperbot start` opens it first: adapters that keep state of their
 * own (Slack's installations, Discord's shard leases) use it while the catalog loads.
 */
export async function openState(config: Config, log: Logger = silentLogger): Promise<State> {
  const db = openDb(config.dbPath, migrations, log);
  try {
    return { db, sql: await openSqlStore(config, db, migrations, log) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Builds the core once: catalog, search index, state database, command dispatcher. Adapters take the
 * returned bot; nothing here knows about Slack or Discord.
 */
export async function createPaperbot(options: PaperbotOptions): Promise<Paperbot> {
  const { config } = options;
  const log = options.log ?? silentLogger;
  const catalog = options.catalog ?? (await loadCatalog({ extraSources: config.extraSources }));
  const vocabulary = catalog.vocabulary ?? bundledVocabulary();
  const clock = options.clock ?? systemClock;
  const { db, sql } = options.state ?? (await openState(config, log));
  // The list seeds the stored catalog; what people and imports added lives beside it in the database
  // (on PostgreSQL, the one catalog every replica searches).
  const store = new CatalogStore(sql, vocabulary, clock);
  await store.seed(catalog.papers);
  if (config.databaseUrl) await carryFileCatalog(db, store, log);
  const live = await LiveCatalog.open(store, (papers) => createSearch({ papers, vocabulary }), storedIndexCache(sql, vocabulary));
  const catalogService = new CatalogService(store, live, vocabulary, config.sources, clock, log, options.http);
  // Another replica's catalog write notifies at its commit: this one catches up at once rather than
  // at its next command, so an idle replica's index (what its scheduled posts and autocomplete read)
  // is current too. Optional: the catch-up before each command is what makes a search current.
  let listener: Listener | null = null;
  if (config.databaseUrl && options.listen !== false) {
    listener = await listenFor(config.databaseUrl, CATALOG_CHANNEL, () => void catalogService.catchUp(), log).catch((error: unknown) => {
      log.warn(`catalog: not listening for other replicas' changes (${error instanceof Error ? error.message : String(error)}); each command catches up instead`);
      return null;
    });
  }
  const services: Services = {
    get papers() {
      return live.papers();
    },
    catalog: catalogService,
    search: live,
    db,
    sql,
    clock,
    config,
    log,
    outbox: new Outbox(options.onDelivered),
  };
  const bot = createBot(services, undefined, options.hooks);
  const close = () => {
    const closing = Promise.all([listener?.close(), sql.close()]).then(() => undefined);
    db.close();
    return closing;
  };
  return { bot, services, catalog, close };
}
