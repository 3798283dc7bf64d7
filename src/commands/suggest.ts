import { suggestOrClose } from '../reading/poll.js';
import type { Command } from './types.js';

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
