import type { Readable } from 'node:stream';
import type { Adapter } from '../../src/adapter.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import { ManualClock, type Clock } from '../../src/clock.js';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { ConsoleAdapter } from '../console/index.js';
import { renderConsole } from '../console/render.js';
import { registerDiscordCommands, startPlatformAdapters } from '../index.js';
import { loadSettings, type Settings } from '../settings.js';
import { loggerFor, options, type Io } from './io.js';

/** The CLI's commands that run the whole bot: the core, the console adapter and the configured platforms. */

type ConsoleBot = {
  paperbot: Paperbot;
  consoleAdapter: ConsoleAdapter;
  settings: Settings;
  log: Logger;
};

/** Builds the whole bot with the console adapter registered, for commands that run the command layer. */
async function withConsoleBot<T>(
  io: Io,
  run: (bot: ConsoleBot) => Promise<T>,
  { json = false, clock }: { json?: boolean; clock?: Clock } = {},
): Promise<T> {
  const config = loadSettings(io.env);
  const log = loggerFor(config);
  const paperbot = await createPaperbot({ config, log, clock, listen: false });
  // With --json, stdout carries only the JSON: posts the command makes go to stderr.
  const consoleAdapter = new ConsoleAdapter({
    bot: paperbot.bot,
    input: io.stdin as Readable,
    output: { write: (t: string) => (json ? io.stderr(t) : io.stdout(t)) },
    interactive: false,
  });
  paperbot.services.outbox.register(consoleAdapter);
  try {
    return await run({ paperbot, consoleAdapter, settings: config, log });
  } finally {
    paperbot.close();
  }
}

export async function sayCli(args: string[], io: Io): Promise<number> {
  const { values, positionals } = options(args, {
    json: { type: 'boolean' },
    channel: { type: 'string' },
    user: { type: 'string' },
  });
  const json = Boolean(values.json);
  return withConsoleBot(
    io,
    async ({ consoleAdapter }) => {
      const reply = await consoleAdapter.say(positionals.join(' '), values.channel, values.user);
      io.stdout(json ? JSON.stringify(reply, null, 2) + '\n' : renderConsole(reply) + '\n');
      return reply.kind === 'error' ? 1 : 0;
    },
    { json },
  );
}

/**
 * Runs one scheduled round from the command line (`spotlight tick`, `digest tick`, `feeds poll`). A
 * round that posts starts the platforms' senders (without receiving), since it must reach channels.
 * `--now <ISO>` is the whole bot's clock for the round, so what the round writes (a feed item's entry
 * into the catalog, a claim, a lease) is stamped with that time, not the real one.
 */
async function roundCommand(args: string[], io: Io, posts: boolean, run: (services: Paperbot['services']) => Promise<number>): Promise<number> {
  return withConsoleBot(
    io,
    async ({ paperbot, settings, log }) => {
      const adapters: Adapter[] = posts ? await startPlatformAdapters(paperbot, settings, log, { receive: false }) : [];
      try {
        return await run(paperbot.services);
      } finally {
        await Promise.all(adapters.map((a) => a.stop()));
      }
    },
    { json: args.includes('--json'), clock: roundClock(args) },
  );
}

/** A clock stopped at `--now`, when the round names one (a malformed one is left to the round's own usage error). */
function roundClock(args: string[]): Clock | undefined {
  const i = args.indexOf('--now');
  const at = i >= 0 ? Date.parse(args[i + 1] ?? '') : Number.NaN;
  return Number.isNaN(at) ? undefined : new ManualClock(at);
}

export async function spotlightCommand(args: string[], io: Io): Promise<number> {
  return roundCommand(args, io, args[0] === 'tick', async (services) =>
    (await import('../../src/capabilities/spotlight/index.js')).spotlightCli(args, services, io.stdout),
  );
}

/** `feeds poll` reads feeds (no platform needed); `digest tick` posts. */
export async function digestCommand(command: 'feeds' | 'digest', args: string[], io: Io): Promise<number> {
  if (command === 'feeds') {
    return roundCommand(args, io, false, async (services) => (await import('../../src/capabilities/feeds/index.js')).feedsCli(args, services, io.stdout));
  }
  return roundCommand(args, io, args[0] === 'tick', async (services) => {
    const [{ digestCli }, { digestParts }] = await Promise.all([import('../../src/capabilities/digest/index.js'), import('./scheduler.js')]);
    // The digest carries the spotlight of its slot here too, as in the running bot's rounds.
    return digestCli(args, services, io.stdout, { parts: digestParts });
  });
}

export async function registerCli(io: Io): Promise<number> {
  const config = loadSettings(io.env);
  if (!config.discord) {
    throw new ConfigError(
      'register-discord needs DISCORD_TOKEN and DISCORD_APP_ID (and DISCORD_GUILD_ID to register to one server instantly). See .env.example.',
    );
  }
  io.stdout((await registerDiscordCommands(config.discord, loggerFor(config))) + '\n');
  return 0;
}
