import { vote } from '../reading/poll.js';
import type { Command } from './types.js';

export const voteCommand: Command = {
  name: 'vote',
  aliases: ['投票'],
  summary: { en: "Vote for (or take back your vote for) the nth paper of the channel's open poll", zh: '为当前投票中的第 n 篇论文投票（再投一次即撤回）' },
  examples: ['vote 2'],
  run: vote,
};
