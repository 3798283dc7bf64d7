import type { Command } from '../../services.js';
import { markRead, markUnread, showHistory, showNext } from './history.js';
import { suggestOrClose, vote } from './poll.js';

/** The reading group's commands; their handlers live in poll.ts (polls, votes) and history.ts (what was read). */
export const suggestCommand: Command = {
  name: 'suggest',
  aliases: ['推荐', '建议'],
  summary: {
    en: 'Open a reading-group poll (approval voting): up to 5 unread papers, varied in task, modality and region; `suggest close` ends it; while a poll is open, `suggest --replace` closes it and opens a new one',
    zh: '发起读书会投票（认可投票）：最多 5 篇未读论文，任务、模态、部位各不相同；`suggest close` 结束投票；已有投票时用 `suggest --replace` 结束它并发起新投票',
  },
  examples: ['suggest', 'suggest segmentation 4', 'suggest 肺 3', 'suggest any', 'suggest close'],
  run: suggestOrClose,
};

export const voteCommand: Command = {
  name: 'vote',
  aliases: ['投票'],
  summary: {
    en: "Vote for (or take back your vote for) the nth paper of the channel's open poll. Polls use approval voting: vote for as many papers as you like, once each; most votes wins, and a tie goes to the paper whose earliest standing vote came first",
    zh: '为当前投票中的第 n 篇论文投票（再投一次即撤回）。投票采用认可投票：可为任意多篇论文投票，每篇一票；得票最多者当选，平票时最早一票先到者当选',
  },
  examples: ['vote 2'],
  run: vote,
};

export const nextCommand: Command = {
  name: 'next',
  aliases: ['下一篇'],
  summary: { en: "The reading group's chosen next paper", zh: '读书会选出的下一篇论文' },
  examples: ['next'],
  run: showNext,
};

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
  summary: { en: "Take a paper out of the group's reading history (channel managers)", zh: '从小组已读记录中移除一篇论文（频道管理员）' },
  examples: ['unread deeplung-deep-3d-dual-path-nets-for-automated-2018'],
  run: markUnread,
};

export const historyCommand: Command = {
  name: 'history',
  aliases: ['历史', '已读记录'],
  summary: { en: 'What the reading group has read, newest first', zh: '读书会已读论文，最新的在前' },
  examples: ['history'],
  run: showHistory,
};
