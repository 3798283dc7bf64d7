import { commands as defaultCommands } from './commands/index.js';
import { searchCommand } from './commands/search.js';
import type { Command, Invocation, Services } from './commands/types.js';
import { APOLOGY, UserError } from './errors.js';
import { detectLang, localize, type Lang } from './i18n.js';
import { reply, type Reply } from './reply.js';
import { isBusy, LOCK_WAIT_BUDGET_MS, retryWhileBusy } from './store/busy.js';
import { EVERYONE_MANAGES } from './manage.js';
import { cleanInput, MAX_INPUT_LENGTH } from './text.js';

export type Bot = {
  readonly services: Services;
  readonly commands: Command[];
  /** Runs one invocation. Never throws: user errors and failures both come back as replies. */
  handle(invocation: Invocation): Promise<Reply>;
};

const SHARE_WORDS = new Set(['share', '分享']);
const DB_BUSY = {
  en: 'The database is busy (another paperbot process is writing to it), so nothing was changed. Try again in a moment.',
  zh: '数据库正忙（另一个 paperbot 进程正在写入），本次未做任何更改，请稍后重试。',
};
/** Replies that answer nothing stay with the asker even when shared: the channel gets results, not misses. */
const NEVER_SHARED = new Set(['no-match']);

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
          lang === 'zh' ? `输入过长，只读取了前 ${MAX_INPUT_LENGTH} 个字符。` : `Only the first ${MAX_INPUT_LENGTH} characters were read.`,
        );
      }
      if (share && !NEVER_SHARED.has(result.kind)) result.visibility = 'channel';
      noteOpenManagement(invocation, result);
      return result;
    } catch (error) {
      if (error instanceof UserError) return userErrorReply(error, lang);
      if (isBusy(error)) {
        services.log.warn(`command waited ${LOCK_WAIT_BUDGET_MS} ms for the database's write lock, held by another process: ${JSON.stringify(text.slice(0, 200))} (${invocation.platform} ${invocation.channelId})`);
        return reply('error', lang, { intro: [localize(DB_BUSY, lang)], data: { code: 'db-busy' } });
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
    result.intro.push(localize(EVERYONE_MANAGES, result.lang));
  }

  return { services, commands, handle };
}

function userErrorReply(error: UserError, lang: Lang): Reply {
  const intro = [localize(error.text, lang)];
  if (error.hints.length) intro.push(`${lang === 'zh' ? '可以试试' : 'Try'}: ${error.hints.join(', ')}`);
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
