/** Longest query or command text we read; anything longer is cut and the user is told. */
export const MAX_INPUT_LENGTH = 500;

/**
 * Makes typed text safe to parse: NFKC folds full-width letters and punctuation (`ＭＲＩ`, `，`) to
 * their usual forms, control and format characters (zero-width spaces, right-to-left marks) are
 * removed, and runs of white space become one space.
 */
export function cleanInput(raw: string): { text: string; truncated: boolean } {
  let text = raw.normalize('NFKC').replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/gu, ' ').trim();
  const truncated = text.length > MAX_INPUT_LENGTH;
  if (truncated) text = text.slice(0, MAX_INPUT_LENGTH).trim();
  return { text, truncated };
}
