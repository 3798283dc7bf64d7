import { showHistory } from '../reading/history.js';
import type { Command } from './types.js';

export const historyCommand: Command = {
  name: 'history',
  aliases: ['历史', '已读记录'],
  summary: { en: 'What the reading group has read, newest first', zh: '读书会已读论文，最新的在前' },
  examples: ['history'],
  run: showHistory,
};
