/**
 * Making catalog and user text safe for Slack. mrkdwn gives `&`, `<` and `>` their meaning (links,
 * `<!channel>`, `<@U…>` mentions), so they are escaped; plain text fields are not parsed, but their
 * angle brackets are swapped for look-alikes so no payload ever carries a literal `<!here>`.
 * `@here`, `@channel` and `@everyone` get a word joiner after the `@` because clients and
 * `link_names` would otherwise turn them into pings.
 */
const BROADCAST = /@(here|channel|everyone)\b/gi;
const WORD_JOINER = '\u2060';

function defuseBroadcasts(text: string): string {
  return text.replace(BROADCAST, `@${WORD_JOINER}$1`);
}

export function escapeMrkdwn(text: string): string {
  return defuseBroadcasts(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

export function safePlain(text: string): string {
  return defuseBroadcasts(text.replace(/</g, '\u2039').replace(/>/g, '\u203a'));
}

const ELLIPSIS = '…';

/**
 * Cuts already-escaped text to at most `max` UTF-16 units without splitting an entity (`&amp;`) or a
 * surrogate pair, marking the cut with an ellipsis.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - ELLIPSIS.length));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  return cut + ELLIPSIS;
}

/** A link only for http(s) URLs, with the characters that would end Slack's `<url|label>` form encoded. */
export function mrkdwnLink(url: string | undefined, label: string): string {
  if (!url || !/^https?:\/\/[^\s]+$/i.test(url)) return label;
  const safeUrl = url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
  return `<${safeUrl}|${label}>`;
}
