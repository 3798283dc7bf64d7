import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/log.js';

const RETRIED_TRY = /^slack: http request failed\b/;

const RANK: Record<LogLevel, number> = { [LogLevel.DEBUG]: 10, [LogLevel.INFO]: 20, [LogLevel.WARN]: 30, [LogLevel.ERROR]: 40 };

/**
 * Bolt, its receivers and its Web API clients log through this, into our logger (which masks the
 * tokens). Bolt is chatty at info and prints request bodies at debug, so it starts at warn.
 */
export function boltLogger(log: Logger, level: LogLevel = LogLevel.WARN): BoltLogger {
  let current = level;
  const emit = (at: LogLevel, write: (m: string) => void, parts: unknown[]) => {
    if (RANK[at] < RANK[current]) return;
    write(`slack: ${parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : safe(p))).join(' ')}`);
  };
  return {
    debug: (...m: unknown[]) => emit(LogLevel.DEBUG, (s) => log.debug(s), m),
    info: (...m: unknown[]) => emit(LogLevel.INFO, (s) => log.info(s), m),
    // The Web API client warns of each failed try before it retries; the call's own failure, if it
    // comes, carries the reason, so the tries are detail (a failed start then reads as one line).
    warn: (...m: unknown[]) => emit(LogLevel.WARN, (s) => (RETRIED_TRY.test(s) ? log.debug(s) : log.warn(s)), m),
    error: (...m: unknown[]) => emit(LogLevel.ERROR, (s) => log.error(s), m),
    setLevel: (l: LogLevel) => {
      current = l;
    },
    getLevel: () => current,
    setName: () => {},
  };
}

function safe(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
