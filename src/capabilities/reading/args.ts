import { UserError } from '../../errors.js';
import { readingText } from './messages.js';

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
  const [first] = words;
  if (first !== undefined && CLOSE_WORDS.has(first.toLowerCase())) {
    const rest = words.slice(1);
    if (rest.length === 0) return { kind: 'close', pollId: null };
    const [only] = rest;
    const m = rest.length === 1 && only !== undefined ? POLL_ID.exec(only) : null;
    if (!m) {
      throw new UserError('bad-poll-id', readingText.both('badPollId', { text: rest.join(' ') }));
    }
    return { kind: 'close', pollId: Number(m[1]) };
  }
  let count = DEFAULT_SUGGESTIONS;
  const raw = words.at(-1);
  if (raw !== undefined && NUMBER.test(raw)) {
    words.pop();
    count = Number(raw.replace(',', '.'));
    if (!Number.isInteger(count) || count < 1 || count > MAX_SUGGESTIONS) {
      throw new UserError(
        'bad-count',
        readingText.both('badCount', { max: MAX_SUGGESTIONS, raw, looksLikeYear: /^\d{4}$/.test(raw) }),
        ['suggest', 'suggest 4', 'suggest segmentation 3'],
      );
    }
  }
  const [only] = words;
  if (words.length === 1 && only !== undefined && ANY_WORDS.has(only.toLowerCase())) return { kind: 'open', topic: '', count, replace, rest };
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
    throw new UserError('missing-option', readingText.both('missingOption'));
  }
  const [first = ''] = rest;
  const n = Number(first);
  if (rest.length > 1 || !/^\d{1,3}$/.test(first) || !Number.isInteger(n)) {
    throw new UserError('bad-option', readingText.both('badOption', { text: rest.join(' ') }));
  }
  return { n, pollId };
}
