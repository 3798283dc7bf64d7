import type { Adapter } from '../src/adapter.js';
import type { Paperbot } from '../src/app.js';
import type { Bot } from '../src/bot.js';
import type { Services } from '../src/services.js';
import type { Logger } from '../src/log.js';
import type { OpsRoute } from '../src/ops/http.js';
import type { DiscordConfig } from './discord/settings.js';
import type { Settings } from './settings.js';

export type StartOptions = {
  /**
   * False: the adapters only post (Web API and REST calls) and receive nothing: no HTTP port, no
   * Socket Mode connection, no gateway session. A one-shot `paperbot spotlight tick` from system
   * cron needs no more, and must not take the port of a bot running beside it.
   */
  receive?: boolean;
  /** /healthz, /readyz and /metrics, served by Slack's HTTP server too when Slack runs in HTTP mode. */
  routes?: OpsRoute[];
  /** The platforms' modules, when `loadPlatformAdapters` began loading them earlier; loaded now otherwise. */
  modules?: PlatformModules;
  /**
   * With a core still being built: the state database it was given (`openState`) and its clock, for
   * the adapters that keep state of their own and start before the core is ready.
   */
  early?: Pick<Services, 'db' | 'sql' | 'clock'>;
};

/** The configured platforms' adapter modules, each on its way in. */
export type PlatformModules = {
  slack?: Promise<typeof import('./slack/index.js')>;
  discord?: Promise<typeof import('./discord/index.js')>;
};

/**
 * Begins loading the adapter of every configured platform, and its chat client, and no other: the
 * client libraries are the largest part of start-up (discord.js and Bolt take more CPU than the
 * whole core), and a bot on one platform never loads the other's. Called before the core is built,
 * the loader's file reads overlap the database opening and the catalog read. The promises are
 * settled by `startPlatformAdapters`; a failed load surfaces there.
 */
export function loadPlatformAdapters(config: Settings): PlatformModules {
  const modules: PlatformModules = {};
  if (config.slack) modules.slack = import('./slack/index.js');
  if (config.discord) modules.discord = import('./discord/index.js');
  // Settled later, or never when the core fails to start first: not an unhandled rejection meanwhile.
  for (const loading of Object.values(modules)) loading.catch(() => {});
  return modules;
}

const PLATFORM_ORDER = ['slack', 'discord'];

/**
 * Starts every chat adapter whose settings are present and registers it for unprompted posts. The
 * chat clients are imported only here, so a search from the command line never loads one.
 */
export async function startPlatformAdapters(
  paperbot: Paperbot | Promise<Paperbot>,
  config: Settings,
  log: Logger,
  { receive = true, routes, modules = loadPlatformAdapters(config), early }: StartOptions = {},
): Promise<Adapter[]> {
  const core = Promise.resolve(paperbot);
  const bot = paperbot instanceof Promise ? botWhenReady(paperbot, early) : paperbot.bot;
  const started: Adapter[] = [];
  const begin = async (adapter: Adapter, description: string) => {
    started.push(adapter);
    // A core that fails to start ends the connecting too: the failure is reported without waiting for it.
    if (receive) await Promise.all([adapter.start(), core]);
    (await core).services.outbox.register(adapter);
    log.info(receive ? `${adapter.platform} adapter started (${description})` : `${adapter.platform} adapter ready to post`);
  };
  // Each platform connects on its own (loading its client, a handshake or two): side by side, start-up
  // takes as long as the slowest, not the sum.
  const starting: Promise<void>[] = [];
  if (config.slack && modules.slack) {
    const slack = config.slack;
    starting.push(
      modules.slack.then(({ createSlackAdapter }) =>
        begin(createSlackAdapter({ config: slack, bot, log: log.child({ platform: 'slack' }), routes }), slack.appToken ? 'Socket Mode' : 'HTTP'),
      ),
    );
  }
  if (config.discord && modules.discord) {
    const discord = config.discord;
    starting.push(
      modules.discord.then(({ createDiscordAdapter }) =>
        begin(createDiscordAdapter({ config: discord, bot, log: log.child({ platform: 'discord' }) }), 'gateway'),
      ),
    );
  }
  const failure = (await Promise.allSettled(starting)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  // Whichever connected first, the list reads in the order the platforms are configured here.
  started.sort((a, b) => PLATFORM_ORDER.indexOf(a.platform) - PLATFORM_ORDER.indexOf(b.platform));
  if (failure) {
    // One adapter failing to start must not leave the others running (an open port keeps the process alive).
    await Promise.allSettled(started.map((adapter) => adapter.stop()));
    const outbox = await core.then((p) => p.services.outbox, () => null);
    for (const adapter of started) outbox?.unregister(adapter.platform);
    throw failure.reason;
  }
  return started;
}


/**
 * The bot for adapters that connect while the core is still being built (`paperbot start`): an event
 * that arrives before the core is ready waits for it, then runs as any other (the adapters acknowledge
 * a slow answer and send it when done); autocomplete offers nothing meanwhile.
 */
function botWhenReady(core: Promise<Paperbot>, early: StartOptions['early']): Bot {
  if (!early) throw new Error('startPlatformAdapters: a core still being built needs `early`, the state it was given (openState)');
  let ready: Bot | null = null;
  // What an adapter reads of the core without waiting: the state database (the same handles the core
  // uses) and the clock; the search (Discord's autocomplete) finds nothing while the index builds.
  const meanwhile = { ...early, search: { complete: () => [] } } as unknown as Services;
  core.then(
    (paperbot) => {
      ready = paperbot.bot;
    },
    () => {},
  );
  return {
    get services() {
      return ready?.services ?? meanwhile;
    },
    get commands() {
      return ready?.commands ?? [];
    },
    async handle(invocation) {
      return (ready ?? (await core).bot).handle(invocation);
    },
  };
}

export async function registerDiscordCommands(config: DiscordConfig, log: Logger): Promise<string> {
  const { registerCommands } = await import('./discord/register.js');
  const result = await registerCommands(config, log);
  return result.summary;
}
