export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'text' | 'json';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Context that names where an event happened; the JSON format gives each its own key. */
type LogFields = { platform?: string; channel?: string; command?: string; [key: string]: unknown };

export interface Logger {
  debug(message: string, extra?: unknown): void;
  info(message: string, extra?: unknown): void;
  warn(message: string, extra?: unknown): void;
  error(message: string, extra?: unknown): void;
  /** The same logger with `fields` added to every event (an adapter binds its platform). */
  child(fields: LogFields): Logger;
}

/**
 * Credentials written as parameters (`?token=…`, `api_key=…`), wherever a library error message
 * quotes one; those inside URLs (`https://user:password@host`) go through maskUrlCredentials.
 */
const QUERY_SECRETS = /(\b(?:token|access_token|api_key|apikey|key|secret|password|signature|sig)=)[^&\s"']+/gi;

/**
 * Logs to stderr (stdout belongs to the console adapter and to --json output): a readable line, or
 * with LOG_FORMAT=json one JSON object per line (`time`, `level`, `msg`, the event's fields, `error`).
 * Every secret handed in is masked wherever it appears, as are credentials inside URLs, so a token
 * echoed by a library error never reaches the log.
 */
export function createLogger(
  level: LogLevel = 'info',
  secrets: string[] = [],
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  format: LogFormat = 'text',
): Logger {
  const masks = secrets.filter((s) => s && s.length >= 6);
  // URL user info is masked whatever its length, since a short password is still a password.
  const redact = (text: string) => masks.reduce((t, s) => t.split(s).join('[redacted]'), maskUrlCredentials(text)).replace(QUERY_SECRETS, '$1[redacted]');

  const make = (bound: LogFields): Logger => {
    const emit = (at: LogLevel, message: string, extra?: unknown) => {
      if (ORDER[at] < ORDER[level]) return;
      const time = new Date().toISOString();
      const fields: Record<string, unknown> = { ...bound };
      let error: Error | undefined;
      if (extra instanceof Error) error = extra;
      else if (isPlainObject(extra)) {
        // `{ platform, channel, error }`: the fields, and the error with its stack.
        const { error: inner, ...rest } = extra;
        Object.assign(fields, rest);
        if (inner instanceof Error) error = inner;
        else if (inner !== undefined) fields.error = inner;
      }
      else if (extra !== undefined) fields.detail = extra;
      write(redact(format === 'json' ? jsonLine(time, at, message, fields, error) : textLine(time, at, message, fields, error)));
    };
    return {
      debug: (m, e) => emit('debug', m, e),
      info: (m, e) => emit('info', m, e),
      warn: (m, e) => emit('warn', m, e),
      error: (m, e) => emit('error', m, e),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

function textLine(time: string, level: LogLevel, message: string, fields: Record<string, unknown>, error?: Error): string {
  let line = `${time} ${level.toUpperCase()} ${message}`;
  const { detail, ...rest } = fields;
  if (Object.keys(rest).length > 0) line += ` ${safeJson(rest)}`;
  if (detail !== undefined) line += ` ${safeJson(detail)}`;
  if (error) line += `\n${error.stack ?? error.message}`;
  return line;
}

function jsonLine(time: string, level: LogLevel, message: string, fields: Record<string, unknown>, error?: Error): string {
  const entry: Record<string, unknown> = { time, level, msg: message, ...fields };
  if (error) entry.error = { name: error.name, message: error.message, stack: error.stack };
  return safeJson(entry);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export const silentLogger: Logger = createLogger('silent');

/** `scheme://user:password@host` becomes `scheme://[redacted]@host`, wherever it appears in a text. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1[redacted]@');
}
