import { parseArgs } from 'node:util';
import { createLogger, type Logger } from '../../src/log.js';
import { secretsOf, type Settings } from '../settings.js';

/** Where the CLI reads and writes: the process's own streams, or a test's. */
export type Io = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
};

export function options<const Spec extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], spec: Spec) {
  return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
}

export function loggerFor(settings: Settings): Logger {
  return createLogger(settings.logLevel, secretsOf(settings));
}
