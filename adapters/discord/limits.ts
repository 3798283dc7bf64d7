/** Discord's message limits (developer docs, "Message Resource" and "Embed Limits"). */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTotal: 6000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFooter: 2048,
  fieldName: 256,
  fieldValue: 1024,
  url: 2048,
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
  nonce: 25,
} as const;

/**
 * Cuts `text` to at most `max` UTF-16 units, ending with an ellipsis when cut. Counting UTF-16 units
 * is stricter than Discord's character count, so the result fits either way; a surrogate pair is
 * never split.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - 1;
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return text.slice(0, cut) + '…';
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** An embed or button URL Discord accepts: absolute http(s), short enough. Anything else is dropped. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url || url.length > LIMITS.url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href.length <= LIMITS.url ? parsed.href : undefined : undefined;
  } catch {
    return undefined;
  }
}
