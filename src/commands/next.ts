import { showNext } from '../reading/history.js';
import type { Command } from './types.js';

export const nextCommand: Command = {
  name: 'next',
  aliases: ['下一篇'],
  summary: { en: "The reading group's chosen next paper", zh: '读书会选出的下一篇论文' },
  examples: ['next'],
  run: showNext,
};
