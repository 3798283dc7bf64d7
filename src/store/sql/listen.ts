import type { Logger } from '../../log.js';

/** The wait before connecting again after the listening connection failed: doubled each time, at most this. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/**
 * The longest wait for the connection and for LISTEN: a server that accepts the connection and never
 * answers would otherwise hold start-up (which awaits the first connection) for good. Keep-alive
 * probes find a half-open connection, which would otherwise stop the notifications without an error.
 */
const ANSWER_WITHIN_MS = 10_000;

export type Listener = { close(): Promise<void> };

/**
 * LISTEN on `channel` over a connection of its own (a pooled one would be handed to other work), and
 * call `heard` for each notification and after every (re)connection, since notifications sent while
 * the connection was down are lost. A lost connection is opened again with a growing wait, logged
 * once per outage. Whatever relies on it must not need it: it makes an update prompt, and something
 * else (a check before each use) makes it certain.
 */
export async function listenFor(url: string, channel: string, heard: () => void, log: Logger): Promise<Listener> {
  // pg loads only when PostgreSQL is configured.
  const { default: pg } = await import('pg');
  let client: InstanceType<typeof pg.Client> | null = null;
  let closed = false;
  let retryMs = FIRST_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;
  let down = false;

  const again = (error: unknown) => {
    if (closed) return;
    if (!down) log.warn(`database: lost the connection that listens for ${channel} (${error instanceof Error ? error.message : String(error)}); connecting again`);
    down = true;
    const failed = client;
    client = null;
    void drop(failed);
    timer = setTimeout(connect, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  /** Ends a connection no longer used; what it still reports (an error, its end) is of no interest. */
  async function drop(old: typeof client): Promise<void> {
    old?.removeAllListeners();
    old?.on('error', () => {});
    await old?.end().catch(() => undefined);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    const next = new pg.Client({
      connectionString: url,
      application_name: 'paperbot-listen',
      connectionTimeoutMillis: ANSWER_WITHIN_MS,
      query_timeout: ANSWER_WITHIN_MS,
      keepAlive: true,
    });
    client = next;
    // Both 'error' and 'end' come for one failure: only the current connection's first counts.
    next.on('error', (error) => client === next && again(error));
    next.on('end', () => client === next && again(new Error('the server closed it')));
    next.on('notification', (message) => {
      if (message.channel === channel) heard();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      if (client === next) again(error);
      return;
    }
    if (closed) return;
    if (down) log.info(`database: listening for ${channel} again`);
    down = false;
    retryMs = FIRST_RETRY_MS;
    heard();
  }

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = client;
      client = null;
      await drop(last);
    },
  };
}
