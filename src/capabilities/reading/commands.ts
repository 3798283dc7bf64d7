import type { Command, CommandInput } from '../../services.js';
import type { Reply } from '../../reply.js';
import { readingText } from './messages.js';
import { markRead, markUnread, showHistory, showNext } from './history.js';
import { suggestOrClose, vote } from './poll.js';
import { groupOf, readingStore } from './store.js';

/** Every reading command first lets the channel's workspace adopt what was recorded without one (store.adopt). */
const adopting =
  (run: (input: CommandInput) => Promise<Reply>) =>
  async (input: CommandInput): Promise<Reply> => {
    await readingStore(input.services.sql).adopt(groupOf(input));
    return run(input);
  };

/** The reading group's commands; their handlers live in poll.ts (polls, votes) and history.ts (what was read). */
export const suggestCommand: Command = {
  name: 'suggest',
  aliases: ['推荐', '建议'],
  summary: readingText.both('summary.suggest'),
  examples: ['suggest', 'suggest segmentation 4', 'suggest 肺 3', 'suggest any', 'suggest close'],
  run: adopting(suggestOrClose),
};

export const voteCommand: Command = {
  name: 'vote',
  aliases: ['投票'],
  summary: readingText.both('summary.vote'),
  examples: ['vote 2'],
  // One word (`vote 2`; a wrong one gets its own error), or `vote 2 #7` (the buttons); `vote for the best paper` is a search.
  fits: (args) => /^(?:\S*|\S+\s+#\d+)$/.test(args.trim()),
  run: adopting(vote),
};

export const nextCommand: Command = {
  name: 'next',
  aliases: ['下一篇'],
  summary: readingText.both('summary.next'),
  examples: ['next'],
  // `next` takes nothing: `next generation sequencing` is a search.
  fits: (args) => args.trim() === '',
  run: adopting(showNext),
};

export const readCommand: Command = {
  name: 'read',
  aliases: ['已读'],
  summary: readingText.both('summary.read'),
  examples: ['read', 'read deeplung-deep-3d-dual-path-nets-for-automated-2018'],
  // Nothing or one id: `read about lung nodules` is a search.
  fits: (args) => !args.trim().includes(' '),
  run: adopting(markRead),
};

export const unreadCommand: Command = {
  name: 'unread',
  aliases: ['未读', '取消已读'],
  summary: readingText.both('summary.unread'),
  examples: ['unread deeplung-deep-3d-dual-path-nets-for-automated-2018'],
  fits: (args) => !args.trim().includes(' '),
  run: adopting(markUnread),
};

export const historyCommand: Command = {
  name: 'history',
  aliases: ['历史', '已读记录'],
  summary: readingText.both('summary.history'),
  examples: ['history'],
  // `history` takes nothing: `history of medical imaging` is a search.
  fits: (args) => args.trim() === '',
  run: adopting(showHistory),
};
