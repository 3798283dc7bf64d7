import { localize } from '../../i18n/index.js';
import { reply } from '../../reply.js';
import type { Command } from '../../services.js';
import { helpText } from './messages.js';

/** `help` lists the commands it is given, so a new command shows up by being added to the list. */
export function helpCommand(list: () => Command[]): Command {
  return {
    name: 'help',
    aliases: ['帮助', '?', '--help', '-h'],
    summary: helpText.both('summary'),
    examples: ['help', '帮助'],
    run({ lang }) {
      const cards = list().map((c) => ({
        title: c.name === 'search' ? '/paper <query>' : `/paper ${c.name}`,
        lines: [localize(c.summary, lang), ...c.examples.map((e) => `/paper ${e}`)],
      }));
      return reply('help', lang, {
        title: helpText.text(lang, 'title'),
        intro: [helpText.text(lang, 'about'), helpText.text(lang, 'filters')],
        cards,
        footer: helpText.text(lang, 'footer'),
      });
    },
  };
}
