import { commands as defaultCommands } from './capabilities/index.js';
import { searchCommand } from './capabilities/search/commands.js';
import { mayManageNote, type Command, type Invocation, type Services } from './services.js';
import { APOLOGY, UserError } from './errors.js';
import { coreText } from './i18n/catalog.js';
import { detectLang, localize, type Lang } from './i18n/index.js';
import { reply, type Reply, type ReplyKind } from './reply.js';
import { isBusy, LOCK_WAIT_BUDGET_MS, retryWhileBusy } from './store/busy.js';
import { cleanInput, MAX_INPUT_LENGTH } from './text.js';

export type Bot = {
  readonly services: Services;
  readonly commands: Command[];
  /** Runs one invocation. Never throws: user errors and failures both come back as replies. */
  handle(invocation: Invocation): Promise<Reply>;
};

const SHARE_WORDS = new Set(['share', '分享']);
/** Replies that answer nothing stay with the asker even when shared: the channel gets results, not misses. */
const NEVER_SHARED = new Set<ReplyKind>(['no-match']);

export function createBot(services: Services, commands: Command[] = defaultCommands): Bot {
  const byWord = new Map<string, Command>();
  for (const c of commands) for (const w of [c.name, ...(c.aliases ?? [])]) byWord.set(w.toLowerCase(), c);

  async function handle(invocation: Invocation): Promise<Reply> {
    const { text, truncated } = commandText(invocation.text);
    const lang = detectLang(text);
    try {
      let [word, rest] = splitFirst(text);
      let share = false;
      if (SHARE_WORDS.has(word.toLowerCase())) {
        share = true;
        [word, rest] = splitFirst(rest);
      }
      const command = byWord.get(word.toLowerCase());
      const args = command ? rest : [word, rest].filter(Boolean).join(' ');
      const result = await retryWhileBusy(services.db, async () => (command ?? searchCommand).run({ args, invocation, lang, services }));
      if (truncated) {
        result.intro.unshift(
          coreText.text(lang, 'inputTruncated', { max: MAX_INPUT_LENGTH }),
        );
      }
      if (share && !NEVER_SHARED.has(result.kind)) result.visibility = 'channel';
      noteOpenManagement(invocation, result);
      return result;
    } catch (error) {
      if (error instanceof UserError) return userErrorReply(error, lang);
      if (isBusy(error)) {
        services.log.warn(`command waited ${LOCK_WAIT_BUDGET_MS} ms for the database's write lock, held by another process: ${JSON.stringify(text.slice(0, 200))} (${invocation.platform} ${invocation.channelId})`);
        return reply('error', lang, { intro: [coreText.text(lang, 'dbBusy')], data: { code: 'db-busy' } });
      }
      services.log.error(`command failed: ${JSON.stringify(text.slice(0, 200))} (${invocation.platform} ${invocation.channelId})`, error);
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

function splitFirst(text: string): [string, string] {
  const i = text.indexOf(' ');
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1).trim()];
}
