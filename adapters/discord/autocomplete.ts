import type { Bot } from '../../src/bot.js';
import { cleanInput } from '../../src/text.js';
import { LIMITS, truncate } from './limits.js';

export type Choice = { name: string; value: string };

/** Words that select something other than a search, offered before any title. */
const BUILT_IN_WORDS = ['help', 'show', 'share'];

/**
 * Choices for what the user has typed into `query` so far: matching command words, then matching
 * paper titles (or `show <id>` after `show `). At most 25, every name and value within 100
 * characters; a title too long to be a value becomes `show <id>`, and is left out if even that is
 * too long. Synchronous and in memory, so it answers well inside Discord's 3 s.
 */
export function autocompleteChoices(bot: Bot, typed: string): Choice[] {
  const text = cleanInput(typed).text;
  const lower = text.toLowerCase();
  const choices: Choice[] = [];
  const seen = new Set<string>();
  const add = (name: string, value: string) => {
    const n = truncate(name.trim(), LIMITS.choiceName);
    if (!n || !value || value.length > LIMITS.choiceValue || seen.has(value) || choices.length >= LIMITS.choices) return;
    seen.add(value);
    choices.push({ name: n, value });
  };

  const showPrefix = /^show\s+/i.exec(text);
  if (showPrefix) {
    for (const paper of bot.services.search.complete(text.slice(showPrefix[0].length), LIMITS.choices)) {
      add(`show ${paper.id} · ${oneLine(paper.title)}`, `show ${paper.id}`);
    }
    return choices;
  }

  const words = [...BUILT_IN_WORDS, ...bot.commands.map((c) => c.name).filter((n) => n !== 'search')];
  for (const word of new Set(words)) if (!lower || (word.startsWith(lower) && word !== lower)) add(word, word);
  if (!text) return choices;
  for (const paper of bot.services.search.complete(text, LIMITS.choices)) {
    const title = oneLine(paper.title);
    add(title, title.length <= LIMITS.choiceValue ? title : `show ${paper.id}`);
  }
  return choices;
}

function oneLine(text: string): string {
  return cleanInput(text).text;
}
