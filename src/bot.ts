import { commands as defaultCommands } from './capabilities/index.js';
import { searchCommand } from './capabilities/search/commands.js';
import { mayManageNote, type Command, type Invocation, type Services } from './services.js';
import { APOLOGY, UserError } from './errors.js';
import { coreText } from './i18n/catalog.js';
import { detectLang, localize, type Lang } from './i18n/index.js';
import { reply, type Reply, type ReplyKind } from './reply.js';
import type { CommandOutcome } from './ops/metrics.js';
import { isBusy, LOCK_WAIT_BUDGET_MS } from './store/busy.js';
import { logFailure } from './store/sql/outage.js';
import { cleanInput, MAX_INPUT_LENGTH } from './text.js';
import { boundedDistance, typoBudget } from './search/fuzzy.js';

export type Bot = {
  readonly services: Services;
  readonly commands: Command[];
  /** Runs one invocation. Never throws: user errors and failures both come back as replies. */
  handle(invocation: Invocation): Promise<Reply>;
};

const SHARE_WORDS = new Set(['share', '分享']);
/** Replies that answer nothing stay with the asker even when shared: the channel gets results, not misses. */
const NEVER_SHARED = new Set<ReplyKind>(['no-match']);

/** What the process around the bot may ask of it: to hear of each answer, and to hold new work while it stops. */
export type BotHooks = {
  /** Called once per invocation when its reply is ready (metrics, the structured log). */
  onHandled?(event: { command: string; outcome: CommandOutcome; seconds: number; invocation: Invocation }): void;
  /**
   * Work in flight, for a clean stop: each invocation is tracked while it runs, and once `accepting`
   * is false a new one is answered with a short "restarting" reply instead of being run.
   */
  inflight?: { readonly accepting: boolean; track<T>(work: Promise<T>): Promise<T> };
};

export function createBot(services: Services, commands: Command[] = defaultCommands, hooks: BotHooks = {}): Bot {
  const byWord = new Map<string, Command>();
  for (const c of commands) for (const w of [c.name, ...(c.aliases ?? [])]) byWord.set(w.toLowerCase(), c);

  async function handle(invocation: Invocation): Promise<Reply> {
    const { inflight } = hooks;
    if (inflight && !inflight.accepting) {
      const lang = detectLang(commandText(invocation.text).text);
      return reply('error', lang, { intro: [coreText.text(lang, 'stopping')], data: { code: 'stopping' } });
    }
    const started = performance.now();
    const answered = (command: string, outcome: CommandOutcome) =>
      hooks.onHandled?.({ command, outcome, seconds: (performance.now() - started) / 1000, invocation });
    const work = run(invocation, answered);
    return inflight ? inflight.track(work) : work;
  }

  async function run(invocation: Invocation, answered: (command: string, outcome: CommandOutcome) => void): Promise<Reply> {
    const { text, truncated } = commandText(invocation.text);
    const lang = detectLang(text);
    let name = searchCommand.name;
    try {
      // The catalog another replica or process changed is searched current: a cheap look first
      // (bounded, so a slow database answers from a slightly stale index rather than hangs). The
      // command's own writes go through the store interface, which waits for SQLite's lock itself:
      // nothing here is retried whole any more (the catalog was the last synchronous writer).
      await services.catalog.catchUp();
      let [word, rest] = splitFirst(text);
      let share = false;
      if (SHARE_WORDS.has(word.toLowerCase())) {
        share = true;
        [word, rest] = splitFirst(rest);
      }
      const named = byWord.get(word.toLowerCase());
      // A command word followed by what is no argument of that command starts a sentence: a search.
      const command = named && (!named.fits || named.fits(rest, services)) ? named : undefined;
      const args = command ? rest : [word, rest].filter(Boolean).join(' ');
      name = (command ?? searchCommand).name;
      const result = await (command ?? searchCommand).run({ args, invocation, lang, services });
      const meant = named ? undefined : misspelledCommand(word, byWord, services);
      if (meant) result.intro.unshift(coreText.text(lang, 'didYouMean', { command: meant }));
      if (truncated) {
        result.intro.unshift(
          coreText.text(lang, 'inputTruncated', { max: MAX_INPUT_LENGTH }),
        );
      }
      if (share && !NEVER_SHARED.has(result.kind)) result.visibility = 'channel';
      noteOpenManagement(invocation, result);
      answered(name, 'ok');
      return result;
    } catch (error) {
      if (error instanceof UserError) {
        answered(name, 'user_error');
        return userErrorReply(error, lang);
      }
      answered(name, 'failure');
      if (isBusy(error)) {
        services.log.warn(`command waited ${LOCK_WAIT_BUDGET_MS} ms for the database's write lock, held by another process: ${JSON.stringify(text.slice(0, 200))} (${invocation.platform} ${invocation.channelId})`);
        return reply('error', lang, { intro: [coreText.text(lang, 'dbBusy')], data: { code: 'db-busy' } });
      }
      logFailure(services.log, services.sql, `command failed: ${JSON.stringify(text.slice(0, 200))} (${invocation.platform} ${invocation.channelId})`, error, {
        platform: invocation.platform,
        channel: invocation.channelId,
        command: name,
      });
      return reply('error', lang, {
        intro: [localize(APOLOGY, lang)],
        data: { code: 'internal' },
      });
    }
  }

  /** Channels already told that everyone manages them (once per channel and process). */
  const toldEveryoneManages = new Set<string>();
  function noteOpenManagement(invocation: Invocation, result: Reply): void {
    if (!invocation.everyoneManages || !invocation.usedManageRight) return;
    const key = `${invocation.platform}:${invocation.channelId}`;
    if (toldEveryoneManages.has(key)) return;
    toldEveryoneManages.add(key);
    result.intro.push(mayManageNote(invocation, result.lang));
  }

  return { services, commands, handle };
}

function userErrorReply(error: UserError, lang: Lang): Reply {
  const intro = [localize(error.text, lang)];
  if (error.hints.length) intro.push(coreText.text(lang, 'tryHints', { hints: error.hints.join(', ') }));
  return reply('error', lang, { intro, data: { code: error.code, hints: error.hints } });
}

/**
 * Whether `/paper <text>` asks for its answer to be posted for the channel, read exactly as handle()
 * reads it: for an adapter that must pick a visibility before the answer exists (a deferral).
 */
export function asksToShare(rawText: string): boolean {
  const [word] = splitFirst(commandText(rawText).text);
  return SHARE_WORDS.has(word.toLowerCase());
}

/** The user's text, cleaned and without a leading `/paper` typed out of habit. */
function commandText(raw: string): { text: string; truncated: boolean } {
  const { text, truncated } = cleanInput(raw);
  return { text: text.replace(/^\/?paper(?:\s+|$)/i, ''), truncated };
}

/**
 * The command a first word most likely misspells (`sugest`, `spotligt`, `hisotry`): within the
 * typo budget of a command's name, and not itself a word the catalog knows (so `registration` is
 * a search, not a typo of anything).
 */
function misspelledCommand(word: string, byWord: Map<string, Command>, services: Services): string | undefined {
  const typed = word.toLowerCase();
  const budget = typoBudget(typed);
  if (budget === 0 || !/^[a-z]+$/.test(typed) || services.search.knows(typed)) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const [name, command] of byWord) {
    if (!/^[a-z]+$/.test(name)) continue;
    const d = boundedDistance(typed, name, budget);
    if (d <= budget && (!best || d < best.d)) best = { name: command.name, d };
  }
  return best?.name;
}

function splitFirst(text: string): [string, string] {
  const i = text.indexOf(' ');
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1).trim()];
}
