import type { Logger } from '../../log.js';

/**
 * node-postgres's own words when the server did not answer in time or the connection went away
 * (it gives these errors no code): the pool's wait for a connection, a new connection's timeout,
 * the client-side query timeout, a connection closed under a query.
 */
const DRIVER_MESSAGES = /^(timeout exceeded when trying to connect|Connection terminated|Query read timeout|Client has encountered a connection error|Connection terminated unexpectedly)/;
/** The socket's codes for a server that cannot be reached or went away. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/**
 * PostgreSQL's SQLSTATEs for a server that is not there to answer: class 08 (connection exception),
 * shutting down or starting (57P01–57P03), out of connection slots (53300). A statement timeout
 * (57014) or lock timeout (55P03) is not one: the server answered, the work was too slow.
 */
const SERVER_CODES = /^(08...|57P0[1-3]|53300)$/;

/**
 * What the PostgreSQL store throws in place of a driver error that says the server is not there to
 * answer (unreachable, gone, or silent past a bound), rather than that a statement was wrong. Only
 * the store makes one, so a feed host or a paper source refusing a connection is never taken for
 * the database. The driver's code stays readable (`unreachable` in open.ts reads it).
 */
class DatabaseUnavailable extends Error {
  readonly code: string | undefined;

  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'DatabaseUnavailable';
    const code = (cause as { code?: unknown }).code;
    this.code = code === undefined ? undefined : String(code);
  }
}

/** The driver's error as the store throws it: a DatabaseUnavailable when it says the server is not answering. */
export function storeError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DatabaseUnavailable) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  return SOCKET_CODES.has(code) || SERVER_CODES.test(code) || DRIVER_MESSAGES.test(error.message) ? new DatabaseUnavailable(error) : error;
}

/** Whether `error` (or what it wraps) is the store saying the database is not answering: the one place that tells an outage from a fault. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof DatabaseUnavailable) return true;
  }
  return false;
}

/**
 * One outage of the database as the log tells it: the first failure it caused is a warning with
 * its stack, each later one a short line, and the first answer after it one line saying how long
 * it lasted and how many failures it caused. Without it, every command during a few seconds of
 * outage logs the same stack.
 */
export class DatabaseOutage {
  private since: number | undefined;
  private failures = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A piece of work failed because the database did not answer: logged as described above. */
  failed(log: Logger, message: string, error: Error, fields: Record<string, unknown> = {}): void {
    this.failures++;
    if (this.since === undefined) {
      this.since = this.now();
      log.warn(`database not answering (${error.message}); until it does, further failures are one line each: ${message}`, { ...fields, error });
      return;
    }
    log.warn(`database still not answering (failure ${this.failures} of this outage): ${message}: ${error.message}`, fields);
  }

  /** The database answered: ends the outage, if one was logged. */
  answered(): void {
    if (this.since === undefined) return;
    const seconds = ((this.now() - this.since) / 1000).toFixed(1);
    this.log.warn(`database answered again after ${seconds} s, ${this.failures} ${this.failures === 1 ? 'failure' : 'failures'} meanwhile`);
    this.since = undefined;
    this.failures = 0;
  }
}

/**
 * Logs an unexpected failure: an error with its stack, unless the database was not answering, in
 * which case the store's outage tells it (first with the stack, then one line each).
 */
export function logFailure(log: Logger, sql: { readonly outage?: DatabaseOutage }, message: string, error: unknown, fields: Record<string, unknown> = {}): void {
  if (sql.outage && error instanceof Error && isDatabaseUnavailable(error)) sql.outage.failed(log, message, error, fields);
  else log.error(message, { ...fields, error });
}
