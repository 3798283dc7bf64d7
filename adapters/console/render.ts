import { renderText, type Action, type Reply } from '../../src/reply.js';

/**
 * Console text: the plain rendering plus the buttons spelled out as the commands they run, so a
 * person at a terminal can do everything a chat user can by typing.
 */
export function renderConsole(reply: Reply): string {
  const lines = [renderText(reply)];
  const buttons: Action[] = [...reply.actions];
  if (buttons.length) lines.push('', buttons.map((a) => `[${a.label}: /paper ${a.command}]`).join('  '));
  return lines.join('\n');
}
