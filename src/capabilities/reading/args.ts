import { UserError } from '../../errors.js';

const MAX_SUGGESTIONS = 5;
const DEFAULT_SUGGESTIONS = 3;

const CLOSE_WORDS = new Set(['close', 'end', '结束', '关闭']);
const REPLACE_FLAGS = new Set(['--replace', '—replace', '–replace', '--替换']);
const ANY_WORDS = new Set(['any', 'all', 'anything', '任意', '全部', '随便']);
const NUMBER = /^[-+]?\d+(?:[.,]\d+)?$/;
const POLL_ID = /^#(\d{1,12})$/;

export type SuggestArgs =
  | { kind: 'close'; pollId: number | null }
  /** An empty topic means the whole catalog (`suggest`, or `suggest any` after a topic matched nothing). */
  | { kind: 'open'; topic: string; count: number; /** `--replace`: close an open poll without asking. */ replace: boolean; /** The arguments without the flag, for a confirmation button. */ rest: string };

/**
 * `suggest [topic words or filters] [count]`, `suggest any [count]`, `suggest close [#id]`. A trailing
 * number is always the count, so `suggest 2016` is a count out of range, not a year: the reply says
 * to write `year:2016`.
 */
export function parseSuggestArgs(args: string): SuggestArgs {
  const all = args.split(' ').filter(Boolean);
  const words = all.filter((w) => !REPLACE_FLAGS.has(w.toLowerCase()));
  const replace = words.length < all.length;
  const rest = words.join(' ');
  if (words.length > 0 && CLOSE_WORDS.has(words[0].toLowerCase())) {
    const rest = words.slice(1);
    if (rest.length === 0) return { kind: 'close', pollId: null };
    const m = rest.length === 1 ? POLL_ID.exec(rest[0]) : null;
    if (!m) {
      throw new UserError('bad-poll-id', {
        en: `"${rest.join(' ')}" is not a poll number. Close the open poll with /paper suggest close.`,
        zh: `“${rest.join(' ')}”不是投票编号。结束当前投票：/paper suggest close。`,
      });
    }
    return { kind: 'close', pollId: Number(m[1]) };
  }
  let count = DEFAULT_SUGGESTIONS;
  if (words.length > 0 && NUMBER.test(words[words.length - 1])) {
    const raw = words.pop()!;
    count = Number(raw.replace(',', '.'));
    if (!Number.isInteger(count) || count < 1 || count > MAX_SUGGESTIONS) {
      throw new UserError(
        'bad-count',
        {
          en: `The number of papers to suggest must be 1 to ${MAX_SUGGESTIONS}; got "${raw}". Nothing was changed.${
            /^\d{4}$/.test(raw) ? ` For papers from a year, write year:${raw}.` : ''
          }`,
          zh: `推荐篇数须为 1 到 ${MAX_SUGGESTIONS}，收到的是“${raw}”。未做任何更改。${/^\d{4}$/.test(raw) ? `按年份筛选请写 year:${raw}。` : ''}`,
        },
        ['suggest', 'suggest 4', 'suggest segmentation 3'],
      );
    }
  }
  if (words.length === 1 && ANY_WORDS.has(words[0].toLowerCase())) return { kind: 'open', topic: '', count, replace, rest };
  return { kind: 'open', topic: words.join(' '), count, replace, rest };
}

export type VoteArgs = { n: number; pollId: number | null };

/** `vote <n>` or `vote <n> #<poll>` (what the buttons send). */
export function parseVoteArgs(args: string): VoteArgs {
  const words = args.split(' ').filter(Boolean);
  let pollId: number | null = null;
  const rest: string[] = [];
  for (const w of words) {
    const m = POLL_ID.exec(w);
    if (m && pollId === null) pollId = Number(m[1]);
    else rest.push(w);
  }
  if (rest.length === 0) {
    throw new UserError('missing-option', {
      en: 'Say which paper: /paper vote <n>, where n is its number in the poll.',
      zh: '请给出论文序号：/paper vote <序号>。',
    });
  }
  const n = Number(rest[0]);
  if (rest.length > 1 || !/^\d{1,3}$/.test(rest[0]) || !Number.isInteger(n)) {
    throw new UserError('bad-option', {
      en: `"${rest.join(' ')}" is not a paper number. Vote with /paper vote <n>, e.g. /paper vote 2.`,
      zh: `“${rest.join(' ')}”不是论文序号。投票请输入 /paper vote <序号>，例如 /paper vote 2。`,
    });
  }
  return { n, pollId };
}
