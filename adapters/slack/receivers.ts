import { HTTPReceiver, LogLevel, type HTTPReceiverOptions, SocketModeReceiver, type AnyMiddlewareArgs, type Logger as BoltLogger, type Middleware } from '@slack/bolt';
import type { Logger } from '../../src/log.js';
import type { OpsRoute } from '../../src/ops/http.js';
import type { Replays } from './replays.js';
import { bodyKey, eventKey, MAX_BODY_BYTES, triggerKey } from './request-guard.js';
import type { SlackConfig } from './settings.js';
import { apiUrlOption } from './web-api.js';

/** The request path Slack posts slash commands and button clicks to in HTTP mode (Bolt's default). */
export const EVENTS_PATH = '/slack/events';

/**
 * HTTP mode: Slack posts to EVENTS_PATH; `routes` (/healthz, /readyz, /metrics) are served beside it,
 * and with app distribution `installer` adds Bolt's install and redirect routes (distribution.ts).
 */
export function httpReceiver(config: SlackConfig, boltLog: BoltLogger, routes: OpsRoute[] | undefined, installer: Partial<HTTPReceiverOptions> = {}): HTTPReceiver {
  return new HTTPReceiver({
    ...installer,
    signingSecret: config.signingSecret as string,
    endpoints: [EVENTS_PATH],
    logger: boltLog,
    logLevel: LogLevel.WARN,
    bodyLimit: MAX_BODY_BYTES,
    // Answer first, keep working after: the ack carries the reply as soon as it is ready.
    processBeforeResponse: false,
    customRoutes: routes ?? [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: true, platform: 'slack' }));
        },
      },
    ],
  });
}

/** Socket Mode: one WebSocket to Slack, opened with the app token. */
export function socketReceiver(config: SlackConfig, boltLog: BoltLogger): SocketModeReceiver {
  return new SocketModeReceiver({
    appToken: config.appToken as string,
    logger: boltLog,
    logLevel: LogLevel.WARN,
    installerOptions: { clientOptions: { ...apiUrlOption(config), retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 10_000 } } },
  });
}

/**
 * Socket Mode's counterpart of the HTTP guard's replay check: Slack delivers an envelope again when
 * its ack did not arrive in time, or after a reconnect, and a command or click must not run twice.
 * Known by its trigger_id (commands, clicks), its event_id (events) or else its whole body, for ten
 * minutes, in the database (Slack spreads envelopes over every open connection, so over replicas);
 * a repeat is acknowledged empty and goes no further.
 */
export function ignoreRedeliveries(log: Logger, replays: Replays): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { trigger_id?: unknown; event_id?: unknown };
    const key = triggerKey(body.trigger_id) ?? eventKey(body.event_id) ?? bodyKey(JSON.stringify(body));
    if (await replays.remember(key)) {
      await args.next();
      return;
    }
    log.info(`slack: a repeat of an already answered Socket Mode delivery (${key.split(':')[0]}) was acknowledged and ignored`);
    if ('ack' in args && typeof args.ack === 'function') await args.ack();
  };
}
