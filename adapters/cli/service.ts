import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Adapter } from '../../src/adapter.js';
import { createPaperbot, openState, type Paperbot } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { within } from '../../src/within.js';
import type { Services } from '../../src/services.js';
import { opsRoutes, startOpsServer, type Readiness } from '../../src/ops/http.js';
import { InFlight, stopSignals } from '../../src/ops/lifecycle.js';
import { Metrics } from '../../src/ops/metrics.js';
import { sourceRequests } from '../../src/net/index.js';
import { feedPolls } from '../../src/capabilities/feeds/observe.js';
import { holdRunningLease, STALE_AFTER_MS } from '../../src/store/lease.js';
import { ConsoleAdapter } from '../console/index.js';
import { loadPlatformAdapters, startPlatformAdapters } from '../index.js';
import { loadSettings, type Settings } from '../settings.js';
import { loggerFor, type Io } from './io.js';
import { startScheduler } from './scheduler.js';

/** How long a stop lets answers, posts and a spotlight tick in flight finish. */
const DRAIN_MS = 10_000;

/**
 * `paperbot start`: the bot as a service. Start-up names the database and fails with one line and
 * status 1 when it cannot succeed; /healthz, /readyz and /metrics on PAPERBOT_HTTP_PORT (and on
 * Slack's server in HTTP mode); SIGTERM or SIGINT stops new work, drains for up to 10 s, releases
 * the running lease, closes the database and returns 0; a second signal exits at once.
 */
export async function start(io: Io): Promise<number> {
  const settings = loadSettings(io.env);
  const log = loggerFor(settings);
  log.info(`database: ${settings.dbPath === ':memory:' ? ':memory:' : resolve(settings.dbPath)}`);
  // The chat clients load while the database opens and the catalog is read.
  const platformModules = loadPlatformAdapters(settings);
  const metrics = new Metrics();
  const inflight = new InFlight();
  const began = Date.now();
  const state = await openState(settings, log);
  const core = createPaperbot({
    config: settings,
    log,
    state,
    hooks: {
      inflight,
      onHandled: ({ command, outcome, seconds, invocation }) => {
        metrics.commandHandled(command, outcome, seconds);
        log.debug('command answered', { platform: invocation.platform, channel: invocation.channelId, command, outcome, ms: Math.round(seconds * 1000) });
      },
    },
    onDelivered: ({ platform, outcome, retry }) => metrics.posted(platform, outcome, { retry }),
  });
  let paperbot: Paperbot | undefined;
  let adapters: Adapter[] = [];
  const routes = opsRoutes({ metrics, readiness: () => readiness(paperbot?.services, settings, adapters) });
  metrics.observeGatewayShards(() => adapters.flatMap((a) => (a.shardStates ? [{ platform: a.platform, ...a.shardStates() }] : [])));
  // The platforms connect while the core is built (their handshakes wait on the network meanwhile);
  // an event that comes before the core is ready waits for it. /readyz says ready once both are.
  const connecting = startPlatformAdapters(core, settings, log, { routes, modules: platformModules, early: { ...state, clock: systemClock } });
  connecting.catch(() => {});
  try {
    paperbot = await core;
  } catch (error) {
    // The adapters give up connecting when the core fails; once they have stopped, nothing keeps the process.
    await connecting.catch(() => {});
    throw error;
  }
  const { db } = paperbot.services;
  metrics.catalogSize(paperbot.catalog.papers.length);
  log.info(`catalog ready: ${paperbot.catalog.papers.length} papers, ${Date.now() - began} ms into start-up`);
  for (const warning of (paperbot.catalog.warnings ?? []).filter((w) => w.includes('dropped a'))) log.warn(`catalog: ${warning}`);

  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', reason));
  process.on('uncaughtException', (error) => log.error('uncaught exception', error));
  // When the reader of our output goes away (`npm start 2>&1 | head`), every write fails; left to the
  // handler above, logging that failure into the same closed pipe fails again, round and round at
  // full CPU. There is no one left to answer, so stop.
  const built = paperbot;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      built.close();
      process.exit(0);
    });
  }

  const lease = await holdRunningLease(paperbot.services.sql);
  const slackServesRoutes = Boolean(settings.slack && !settings.slack.appToken);
  let opsServer: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  try {
    if (settings.httpPort !== undefined && !(slackServesRoutes && settings.slack?.port === settings.httpPort)) {
      opsServer = await startOpsServer(routes, settings.httpPort);
      log.info(`health and metrics on port ${opsServer.port} (/healthz, /readyz, /metrics)`);
    }
    adapters = await connecting;
  } catch (error) {
    opsServer?.close();
    // Connected adapters are stopped: an open connection would keep the process alive.
    await connecting.then((started) => Promise.allSettled(started.map((a) => a.stop())), () => {});
    await lease.release().catch(() => undefined);
    await paperbot.close();
    throw error;
  }

  let consoleAdapter: ConsoleAdapter | null = null;
  if (adapters.length === 0) {
    consoleAdapter = new ConsoleAdapter({ bot: paperbot.bot, input: io.stdin as Readable, output: { write: io.stdout }, interactive: Boolean(io.stdin.isTTY) });
    paperbot.services.outbox.register(consoleAdapter);
    await consoleAdapter.start();
  }
  // Nothing is awaited between the adapters taking events and these handlers: a SIGTERM in that gap
  // would end the process the default way, without the drain.
  const signals = stopSignals(log);
  // What the feeds read and what outside sources answered, reported by the core as it happens.
  const unobserve = [
    sourceRequests.observe((request) => metrics.sourceRequest(request)),
    feedPolls.observe(({ kind, outcome, ...items }) => metrics.feedPolled(kind, outcome, items)),
  ];
  // Feeds, then digests, then spotlights, each minute: a digest carries the spotlight of its slot.
  const scheduler = startScheduler(paperbot.services, {
    track: (work) => inflight.track(work),
    onTicked: (posts) => metrics.slotHandled('posted', posts.length),
  });
  const stop = async (why: string) => {
    const deadline = Date.now() + DRAIN_MS;
    log.info(`${why}: stopping (finishing work in flight for up to ${DRAIN_MS / 1000} s)`);
    scheduler.stop();
    const drained = await inflight.drain(DRAIN_MS);
    // A post still in flight after the drain hands its lease back, so another process retries it now.
    await scheduler.releaseLeases().catch((error: unknown) => log.error('scheduler: could not hand back the attempt leases', error));
    const all = [...adapters, ...(consoleAdapter ? [consoleAdapter] : [])];
    await Promise.race([Promise.allSettled(all.map((a) => a.stop())), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
    await lease.release().catch((error: unknown) => log.warn(`could not release the running lease (${String(error)}); it goes stale in ${STALE_AFTER_MS / 1000} s`));
    paperbot.close();
    opsServer?.closeAllConnections();
    opsServer?.close();
    signals.dispose();
    for (const stopObserving of unobserve) stopObserving();
    if (drained) log.info('stopped cleanly');
    else log.warn(`stopped with ${inflight.size} piece(s) of work still running after ${DRAIN_MS / 1000} s`);
  };
  if (consoleAdapter) {
    // With no platform, the console is the whole bot: it ends at end of input (Ctrl-D, or the end of a pipe).
    const ended = await Promise.race([consoleAdapter.finished().then(() => 'end of input'), signals.signal]);
    await stop(ended);
    return 0;
  }
  await stop(await signals.signal);
  return 0;
}

/** How long /readyz waits for PostgreSQL before saying it does not answer (a probe must not hang). */
const READY_QUERY_TIMEOUT_MS = 2000;

/**
 * /readyz: the core is built, the database answers (the SQLite file, and PostgreSQL when DATABASE_URL
 * names it) and each configured platform's adapter is connected.
 */
async function readiness(services: Pick<Services, 'db' | 'sql'> | undefined, settings: Settings, adapters: Adapter[]): Promise<Readiness> {
  const checks: Record<string, string> = {};
  const failure = (error: unknown) => (error instanceof Error ? error.message : String(error));
  if (!services) checks.database = 'starting';
  else {
    try {
      services.db.prepare('SELECT 1').get();
      checks.database = 'ok';
    } catch (error) {
      checks.database = failure(error);
    }
    if (settings.databaseUrl) {
      try {
        await within(services.sql.one('SELECT 1 AS ok'), READY_QUERY_TIMEOUT_MS, 'PostgreSQL');
        checks.postgres = 'ok';
      } catch (error) {
        checks.postgres = failure(error);
      }
    }
  }
  for (const platform of ['slack', 'discord'] as const) {
    if (!settings[platform]) continue;
    const adapter = adapters.find((a) => a.platform === platform);
    checks[platform] = !adapter ? 'starting' : (adapter.connected?.() ?? true) ? 'ok' : adapter.problems?.().join('; ') || 'not connected';
  }
  return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
}
