import { vote } from '../reading/poll.js';
import type { Command } from './types.js';

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
