export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(message: string, extra?: unknown): void;
  info(message: string, extra?: unknown): void;
  warn(message: string, extra?: unknown): void;
  error(message: string, extra?: unknown): void;
}

/**
 * Logs to stderr (stdout belongs to the console adapter and to --json output). Every secret handed in
 * is masked wherever it appears, so a token echoed by a library error never reaches the log.
 */
export function createLogger(
  level: LogLevel = 'info',
  secrets: string[] = [],
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const masks = secrets.filter((s) => s && s.length >= 6);
  // URL user info is masked whatever its length, since a short password is still a password.
  const redact = (text: string) => masks.reduce((t, s) => t.split(s).join('[redacted]'), maskUrlCredentials(text));
  const emit = (at: LogLevel, message: string, extra?: unknown) => {
    if (ORDER[at] < ORDER[level]) return;
    let line = `${new Date().toISOString()} ${at.toUpperCase()} ${message}`;
    if (extra instanceof Error) line += `\n${extra.stack ?? extra.message}`;
    else if (extra !== undefined) line += ` ${safeJson(extra)}`;
    write(redact(line));
  };
  return {
    debug: (m, e) => emit('debug', m, e),
    info: (m, e) => emit('info', m, e),
    warn: (m, e) => emit('warn', m, e),
    error: (m, e) => emit('error', m, e),
  };
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
