import { renderText, type Reply } from '../../src/reply.js';

/**
 * Console text: the plain rendering plus the buttons spelled out as the commands they run, so a
 * person at a terminal can do everything a chat user can by typing.
 */
export function renderConsole(reply: Reply): string {
  const text = renderText(reply);
  if (reply.actions.length === 0) return text;
  return `${text}\n\n${reply.actions.map((a) => `[${a.label}: /paper ${a.command}]`).join('  ')}`;
}
