/** Longest query or command text we read; anything longer is cut and the user is told. */
export const MAX_INPUT_LENGTH = 500;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Makes typed text safe to parse and to echo: lone surrogates (half an emoji, or garbage) become
 * U+FFFD so no reply carries ill-formed UTF-16; NFKC folds full-width letters and punctuation
 * (`ＭＲＩ`, `，`) to their usual forms; format characters (zero-width spaces and joiners, soft
 * hyphens, direction marks) are removed outright, because they hide inside words (`g\u200ban` is
 * `gan`); control characters (tabs, newlines) separate words; runs of white space become one space.
 */
export function cleanInput(raw: string): { text: string; truncated: boolean } {
  let text = raw
    .replace(LONE_SURROGATE, '\uFFFD')
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  const truncated = text.length > MAX_INPUT_LENGTH;
  // A cut between the halves of a surrogate pair drops the dangling half rather than echoing it.
  if (truncated) text = text.slice(0, MAX_INPUT_LENGTH).replace(/[\uD800-\uDBFF]$/, '').trim();
  return { text, truncated };
}
