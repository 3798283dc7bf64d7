import { HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { OpsRoute } from '../../src/ops/http.js';
import { MAX_BODY_BYTES } from './request-guard.js';
import type { SlackConfig } from './settings.js';
import { apiUrlOption } from './web-api.js';

/** The request path Slack posts slash commands and button clicks to in HTTP mode (Bolt's default). */
export const EVENTS_PATH = '/slack/events';

/** HTTP mode: Slack posts to EVENTS_PATH; `routes` (/healthz, /readyz, /metrics) are served beside it. */
export function httpReceiver(config: SlackConfig, boltLog: BoltLogger, routes: OpsRoute[] | undefined): HTTPReceiver {
  return new HTTPReceiver({
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
