import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ConsoleAdapter } from '../../adapters/console/index.js';
import { createPaperbot, type Paperbot, type PaperbotOptions } from '../../src/app.js';
import type { Catalog } from '../../src/catalog/index.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Reply } from '../../src/reply.js';
import type { HttpClient } from '../../src/net/index.js';

export type ConsoleBot = {
  paperbot: Paperbot;
  console: ConsoleAdapter;
  /** Everything the console adapter printed (posts and updates included). */
  output: () => string;
  /** One line in, one reply out, as the console adapter runs it. */
  say(text: string, options?: { channel?: string; user?: string }): Promise<Reply>;
  dbPath: string;
  close(): void;
};

/**
 * The errbot `testbot` of this project: a real core (catalog, search, SQLite in a temporary
 * folder) behind a real console adapter, so a test is one line in and one reply out.
 */
export async function consoleBot(
  options: { env?: Record<string, string>; catalog?: Catalog; clock?: Clock; dbPath?: string; http?: HttpClient } = {},
): Promise<ConsoleBot> {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-test-'));
  const dbPath = options.dbPath ?? join(dir, 'state.db');
  const config = loadConfig({ PAPERBOT_DB: dbPath, ...options.env });
  const botOptions: PaperbotOptions = { config, catalog: options.catalog, clock: options.clock, http: options.http };
  const paperbot = await createPaperbot(botOptions);
  let printed = '';
  const consoleAdapter = new ConsoleAdapter({
    bot: paperbot.bot,
    input: new PassThrough(),
    output: { write: (t: string) => (printed += t) },
    interactive: false,
  });
  paperbot.services.outbox.register(consoleAdapter);
  return {
    paperbot,
    console: consoleAdapter,
    output: () => printed,
    say: (text, o = {}) => consoleAdapter.say(text, o.channel, o.user),
    dbPath,
    close() {
      paperbot.close();
      if (!options.dbPath) rmSync(dir, { recursive: true, force: true });
    },
  };
}
