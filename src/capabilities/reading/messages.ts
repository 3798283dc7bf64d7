import { countOf, defineMessages } from '../../i18n/index.js';

type PollRef = { poll: number };
type Winner = { poll: number; title: string; votes: number };

const en = {
  noMatchNoPoll: (v: { query: string }) => `No paper matches "${v.query}", so no poll was opened.`,
  suggestAny: 'To suggest from the whole catalog instead: /paper suggest any',
  allReadOnTopic: (v: { topic: string }) => `The group has already read every paper matching "${v.topic}". Nothing was changed.`,
  allRead: 'The group has read every paper in the catalog. Nothing was changed.',
  fewerOffered: (v: { count: number }) => `Only ${countOf(v.count, 'unread paper')} could be offered.`,
  pollPosted: (v: { poll: number; count: number }) =>
    `Poll #${v.poll} is posted in this channel with ${countOf(v.count, 'paper')}. Vote with its buttons or /paper vote <n>; close it with /paper suggest close.`,
  previousClosedNoVotes: (v: PollRef) => `Poll #${v.poll} was still open and is now closed, with no votes.`,
  previousClosed: (v: Winner) => `Poll #${v.poll} was still open and is now closed. Next paper: ${v.title} (${countOf(v.votes, 'vote')}).`,
  closeNotAllowed: (v: { poll: number; opener: string }) =>
    `Only ${v.opener}, who opened poll #${v.poll}, or someone who can manage this channel can close it.`,
  replaceNotAllowed: (v: { poll: number; opener: string }) =>
    `Poll #${v.poll} is still open. Only ${v.opener}, who opened it, or someone who can manage this channel can close it and start a new one; nothing was changed.`,
  noOpenPoll: 'No poll is open in this channel. Start one with /paper suggest.',
  unknownPoll: (v: PollRef) => `This channel has no poll #${v.poll}.`,
  pollClosedNotice: (v: PollRef) => `Poll #${v.poll} is closed: votes no longer count.`,
  pollClosedError: (v: PollRef) => `Poll #${v.poll} is closed: votes no longer count. /paper next shows the chosen paper.`,
  closedWithWinner: (v: Winner) =>
    `Poll #${v.poll} is closed. Next paper: ${v.title} (${countOf(v.votes, 'vote')}). /paper read marks it read once the group has.`,
  closedNoVotes: (v: PollRef) => `Poll #${v.poll} is closed with no votes: no paper was chosen.`,
  noSuchOption: (v: { poll: number; size: number }) => `Poll #${v.poll} has ${countOf(v.size, 'paper')}: vote with a number from 1 to ${v.size}.`,
  voteAdded: (v: { n: number; title: string; votes: number }) => `Your vote for ${v.n}. ${v.title} counts: ${countOf(v.votes, 'vote')} now.`,
  voteRemoved: (v: { n: number; title: string; votes: number }) =>
    `Your vote for ${v.n}. ${v.title} is taken back: ${countOf(v.votes, 'vote')} now. Vote again with /paper vote ${v.n}.`,
  tie: (v: { tied: number; votes: number }) =>
    `It was a tie: ${v.tied} papers had ${countOf(v.votes, 'vote')} each. The tie went to the paper whose earliest vote still standing came in first.`,
  confirmReplace: (v: { poll: number; voters: number; command: string }) =>
    `Poll #${v.poll} is still open (${countOf(v.voters, 'voter')} so far). A new poll would close it now and choose its winner from the votes so far. To go ahead: /paper ${v.command}, or the button below. To keep it open, do nothing.`,
  confirmReplaceButton: (v: PollRef) => `Close #${v.poll} and open a new poll`,
  historyNotAllowed:
    "Only someone who can manage this channel can change the group's reading history (the person who opened the poll may mark its winner read); nothing was changed.",
};

const zh = {
  noMatchNoPoll: (v: { query: string }) => `没有与“${v.query}”匹配的论文，未发起投票。`,
  suggestAny: '从整个清单中推荐：/paper suggest any',
  allReadOnTopic: (v: { topic: string }) => `与“${v.topic}”匹配的论文小组都已读过。未做任何更改。`,
  allRead: '小组已读完清单中的全部论文。未做任何更改。',
  fewerOffered: (v: { count: number }) => `只有 ${v.count} 篇未读论文可推荐。`,
  pollPosted: (v: { poll: number; count: number }) =>
    `投票 #${v.poll} 已发到本频道，共 ${v.count} 篇论文。点按钮或输入 /paper vote <序号> 投票；输入 /paper suggest close 结束投票。`,
  previousClosedNoVotes: (v: PollRef) => `投票 #${v.poll} 原本未结束，现已结束，无人投票。`,
  previousClosed: (v: Winner) => `投票 #${v.poll} 原本未结束，现已结束。下一篇：${v.title}（${v.votes} 票）。`,
  closeNotAllowed: (v: { poll: number; opener: string }) => `只有发起投票 #${v.poll} 的 ${v.opener} 或频道管理员可以结束它。`,
  replaceNotAllowed: (v: { poll: number; opener: string }) =>
    `投票 #${v.poll} 仍在进行。只有发起人 ${v.opener} 或频道管理员可以结束它并发起新投票；未做任何更改。`,
  noOpenPoll: '本频道没有进行中的投票。发起投票：/paper suggest。',
  unknownPoll: (v: PollRef) => `本频道没有编号为 #${v.poll} 的投票。`,
  pollClosedNotice: (v: PollRef) => `投票 #${v.poll} 已结束，不再计票。`,
  pollClosedError: (v: PollRef) => `投票 #${v.poll} 已结束，不再计票。/paper next 查看选出的论文。`,
  closedWithWinner: (v: Winner) => `投票 #${v.poll} 已结束。下一篇：${v.title}（${v.votes} 票）。读完后输入 /paper read 标记为已读。`,
  closedNoVotes: (v: PollRef) => `投票 #${v.poll} 已结束，无人投票，没有选出论文。`,
  noSuchOption: (v: { poll: number; size: number }) => `投票 #${v.poll} 共有 ${v.size} 篇论文，请输入 1 到 ${v.size} 之间的序号。`,
  voteAdded: (v: { n: number; title: string; votes: number }) => `已为 ${v.n}. ${v.title} 投票，现有 ${v.votes} 票。`,
  voteRemoved: (v: { n: number; title: string; votes: number }) => `已撤回对 ${v.n}. ${v.title} 的投票，现有 ${v.votes} 票。再次投票：/paper vote ${v.n}。`,
  tie: (v: { tied: number; votes: number }) => `本次投票出现平票：${v.tied} 篇论文各得 ${v.votes} 票。按规则，当前仍有效的最早一票先到的论文当选。`,
  confirmReplace: (v: { poll: number; voters: number; command: string }) =>
    `投票 #${v.poll} 仍在进行（已有 ${v.voters} 人投票）。发起新投票会立即结束它，并按现有票数选出论文。确认请输入 /paper ${v.command}，或点击下方按钮；若要保留当前投票，无需操作。`,
  confirmReplaceButton: (v: PollRef) => `结束 #${v.poll} 并发起新投票`,
  historyNotAllowed: '只有频道管理员可以更改小组的已读记录（发起投票的人可以将选出的论文标记为已读）；未做任何更改。',
} satisfies typeof en;

/** The reading group's poll messages (poll.ts), and who may change its history (history.ts). */
export const pollText = defineMessages({ en, zh });
