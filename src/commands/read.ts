import { markRead, markUnread } from '../reading/history.js';
import type { Command } from './types.js';

export const readCommand: Command = {
  name: 'read',
  aliases: ['已读'],
  summary: { en: 'Mark a paper read by the group today (the chosen one by default)', zh: '将论文标记为小组今天已读（默认为选出的那篇）' },
  examples: ['read', 'read deeplung-deep-3d-dual-path-nets-for-automated-2018'],
  run: markRead,
};

export const unreadCommand: Command = {
  name: 'unread',
  aliases: ['未读', '取消已读'],
  summary: { en: "Take a paper out of the group's reading history", zh: '从小组已读记录中移除一篇论文' },
  examples: ['unread deeplung-deep-3d-dual-path-nets-for-automated-2018'],
  run: markUnread,
};
