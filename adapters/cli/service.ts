import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Adapter } from '../../src/adapter.js';
import { createPaperbot } from '../../src/app.js';
import type { Db } from '../../src/store/db.js';
import { opsRoutes, startOpsServer, type Readiness } from '../../src/ops/http.js';
import { InFlight, stopSignals } from '../../src/ops/lifecycle.js';
import { Metrics } from '../../src/ops/metrics.js';
import { sourceRequests } from '../../src/net/index.js';
import { feedPolls } from '../../src/capabilities/feeds/observe.js';
import { holdRunningLease } from '../../src/store/lease.js';
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
  const paperbot = await createPaperbot({
    config: settings,
    log,
    hooks: {
      inflight,
      onHandled: ({ command, outcome, seconds, invocation }) => {
        metrics.commandHandled(command, outcome, seconds);
        log.debug('command answered', { platform: invocation.platform, channel: invocation.channelId, command, outcome, ms: Math.round(seconds * 1000) });
      },
    },
    onDelivered: ({ platform, outcome, retry }) => metrics.posted(platform, outcome, { retry }),
  });
  const { db } = paperbot.services;
  metrics.catalogSize(paperbot.catalog.papers.length);
  log.info(`catalog ready: ${paperbot.catalog.papers.length} papers, ${Date.now() - began} ms into start-up`);
  for (const warning of (paperbot.catalog.warnings ?? []).filter((w) => w.includes('dropped a'))) log.warn(`catalog: ${warning}`);

  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', reason));
  process.on('uncaughtException', (error) => log.error('uncaught exception', error));
  // When the reader of our output goes away (`npm start 2>&1 | head`), every write fails; left to the
  // handler above, logging that failure into the same closed pipe fails again, round and round at
  // full CPU. There is no one left to answer, so stop.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      paperbot.close();
      process.exit(0);
    });
  }

  const lease = holdRunningLease(db);
  let adapters: Adapter[] = [];
  const routes = opsRoutes({ metrics, readiness: () => readiness(db, settings, adapters) });
  const slackServesRoutes = Boolean(settings.slack && !settings.slack.appToken);
  let opsServer: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  try {
    if (settings.httpPort !== undefined && !(slackServesRoutes && settings.slack?.port === settings.httpPort)) {
      opsServer = await startOpsServer(routes, settings.httpPort);
      log.info(`health and metrics on port ${opsServer.port} (/healthz, /readyz, /metrics)`);
    }
    adapters = await startPlatformAdapters(paperbot, settings, log, { routes, modules: platformModules });
  } catch (error) {
    opsServer?.close();
    lease.release();
    paperbot.close();
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
    lease.release();
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

/** /readyz: the database answers and each configured platform's adapter is connected. */
function readiness(db: Db, settings: Settings, adapters: Adapter[]): Readiness {
  const checks: Record<string, string> = {};
  try {
    db.prepare('SELECT 1').get();
    checks.database = 'ok';
  } catch (error) {
    checks.database = error instanceof Error ? error.message : String(error);
  }
  for (const platform of ['slack', 'discord'] as const) {
    if (!settings[platform]) continue;
    const adapter = adapters.find((a) => a.platform === platform);
    checks[platform] = !adapter ? 'starting' : (adapter.connected?.() ?? true) ? 'ok' : 'not connected';
  }
  return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
}
