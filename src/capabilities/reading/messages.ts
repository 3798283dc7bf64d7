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

type Opener = { opener: string; voters: number };

const readingEn = {
  'summary.suggest':
    'Open a reading-group poll (approval voting): up to 5 unread papers, varied in task, modality and region; `suggest close` ends it; while a poll is open, `suggest --replace` closes it and opens a new one',
  'summary.vote':
    "Vote for (or take back your vote for) the nth paper of the channel's open poll. Polls use approval voting: vote for as many papers as you like, once each; most votes wins, and a tie goes to the paper whose earliest standing vote came first",
  'summary.next': "The reading group's chosen next paper",
  'summary.read': 'Mark a paper read by the group today (the chosen one by default)',
  'summary.unread': "Take a paper out of the group's reading history (channel managers)",
  'summary.history': 'What the reading group has read, newest first',
  badPollId: (v: { text: string }) => `"${v.text}" is not a poll number. Close the open poll with /paper suggest close.`,
  badCount: (v: { max: number; raw: string; looksLikeYear: boolean }) =>
    `The number of papers to suggest must be 1 to ${v.max}; got "${v.raw}". Nothing was changed.${v.looksLikeYear ? ` For papers from a year, write year:${v.raw}.` : ''}`,
  missingOption: 'Say which paper: /paper vote <n>, where n is its number in the poll.',
  badOption: (v: { text: string }) => `"${v.text}" is not a paper number. Vote with /paper vote <n>, e.g. /paper vote 2.`,
  nothingChanged: 'Nothing was changed.',
  openPollNote: (v: { poll: number }) => `Poll #${v.poll} is open: vote with /paper vote <n>.`,
  nothingChosen: 'The group has not chosen its next paper yet.',
  startPoll: 'Start a poll with /paper suggest.',
  chosenInPoll: (v: { poll: number; date: string }) => `Chosen in poll #${v.poll} on ${v.date}`,
  chosenOn: (v: { date: string }) => `Chosen on ${v.date}`,
  nextTitle: 'Next paper for the reading group',
  nextFooter: 'Once the group has read it: /paper read',
  readWhich: 'No paper is chosen, so say which one: /paper read <id>. Every search result shows its id.',
  readOn: (v: { date: string }) => `Read on ${v.date}`,
  alreadyRead: (v: { date: string }) => `The group already read this on ${v.date}; nothing was changed.`,
  markedRead: (v: { date: string }) => `Marked as read on ${v.date}. It will not be suggested again.`,
  unreadWhich: 'Say which paper: /paper unread <id>. /paper history lists the ids.',
  notInHistory: (v: { id: string }) => `"${v.id}" is not in the group's reading history; nothing was changed.`,
  notRead: 'Not read',
  unmarked: 'Taken out of the reading history: it may be suggested again.',
  historyEmpty: 'The group has not marked any paper read yet: /paper read <id>.',
  historyTitle: (v: { count: number }) => `Reading history: ${countOf(v.count, 'paper')}`,
  historyFooter: (v: { shown: number; total: number }) => `Showing the ${v.shown} most recent of ${v.total}.`,
  notInCatalog: 'No longer in the catalog.',
  votes: (v: { votes: number }) => `Votes: ${v.votes}`,
  chosenVotes: (v: { votes: number }) => `Chosen · votes: ${v.votes}`,
  voteButton: (v: { n: number }) => `Vote ${v.n}`,
  approvalNote:
    'This is approval voting: vote for as many papers as you like, once each; click again to take a vote back. The paper with the most votes wins. Text works too: /paper vote <n>.',
  closedWinner: (v: { title: string; votes: number }) => `Closed. Next paper: ${v.title} (${countOf(v.votes, 'vote')}).`,
  closedNoVotes: 'Closed with no votes: no paper was chosen.',
  openFooter: (v: Opener) =>
    `Opened by ${v.opener} · ${countOf(v.voters, 'voter')} so far · the opener or a channel manager can close it (/paper suggest close)`,
  closedFooter: (v: Opener) => `Opened by ${v.opener} · ${countOf(v.voters, 'voter')}`,
  openTitle: (v: { poll: number }) => `Reading group poll #${v.poll}: what should we read next?`,
  closedTitle: (v: { poll: number }) => `Reading group poll #${v.poll} (closed)`,
  closeButton: 'Close poll',
  announceTitle: (v: { title: string }) => `Next paper for the reading group: ${v.title}`,
  announceIntro: (v: { poll: number; votes: number; link: string }) => `Poll #${v.poll} is closed: ${countOf(v.votes, 'vote')}. Link: ${v.link}`,
};

const readingZh = {
  'summary.suggest':
    '发起读书会投票（认可投票）：最多 5 篇未读论文，任务、模态、部位各不相同；`suggest close` 结束投票；已有投票时用 `suggest --replace` 结束它并发起新投票',
  'summary.vote':
    '为当前投票中的第 n 篇论文投票（再投一次即撤回）。投票采用认可投票：可为任意多篇论文投票，每篇一票；得票最多者当选，平票时最早一票先到者当选',
  'summary.next': '读书会选出的下一篇论文',
  'summary.read': '将论文标记为小组今天已读（默认为选出的那篇）',
  'summary.unread': '从小组已读记录中移除一篇论文（频道管理员）',
  'summary.history': '读书会已读论文，最新的在前',
  badPollId: (v: { text: string }) => `“${v.text}”不是投票编号。结束当前投票：/paper suggest close。`,
  badCount: (v: { max: number; raw: string; looksLikeYear: boolean }) =>
    `推荐篇数须为 1 到 ${v.max}，收到的是“${v.raw}”。未做任何更改。${v.looksLikeYear ? `按年份筛选请写 year:${v.raw}。` : ''}`,
  missingOption: '请给出论文序号：/paper vote <序号>。',
  badOption: (v: { text: string }) => `“${v.text}”不是论文序号。投票请输入 /paper vote <序号>，例如 /paper vote 2。`,
  nothingChanged: '未做任何更改。',
  openPollNote: (v: { poll: number }) => `投票 #${v.poll} 进行中：输入 /paper vote <序号> 投票。`,
  nothingChosen: '小组还没有选出下一篇论文。',
  startPoll: '输入 /paper suggest 发起投票。',
  chosenInPoll: (v: { poll: number; date: string }) => `${v.date} 在投票 #${v.poll} 中选出`,
  chosenOn: (v: { date: string }) => `${v.date} 选出`,
  nextTitle: '读书会下一篇',
  nextFooter: '读完后输入 /paper read 标记为已读',
  readWhich: '还没有选出论文，请给出编号：/paper read <编号>，搜索结果中列有编号。',
  readOn: (v: { date: string }) => `${v.date} 已读`,
  alreadyRead: (v: { date: string }) => `小组已于 ${v.date} 读过这篇，未做更改。`,
  markedRead: (v: { date: string }) => `已标记为 ${v.date} 读过，今后不再推荐。`,
  unreadWhich: '请给出论文编号：/paper unread <编号>。/paper history 列有编号。',
  notInHistory: (v: { id: string }) => `“${v.id}”不在小组的已读记录中，未做更改。`,
  notRead: '未读',
  unmarked: '已从已读记录中移除，之后可能再次推荐。',
  historyEmpty: '小组还没有已读论文：/paper read <编号>。',
  historyTitle: (v: { count: number }) => `已读记录：共 ${v.count} 篇`,
  historyFooter: (v: { shown: number; total: number }) => `显示最近 ${v.shown} 篇，共 ${v.total} 篇。`,
  notInCatalog: '该论文已不在清单中。',
  votes: (v: { votes: number }) => `票数：${v.votes}`,
  chosenVotes: (v: { votes: number }) => `当选 · 票数：${v.votes}`,
  voteButton: (v: { n: number }) => `投票 ${v.n}`,
  approvalNote: '本投票为认可投票：你可以为任意多篇论文投票，每篇一票；再点一次可撤回。得票最多的论文当选。也可以输入 /paper vote <序号>。',
  closedWinner: (v: { title: string; votes: number }) => `投票已结束。下一篇：${v.title}（${v.votes} 票）。`,
  closedNoVotes: '投票已结束，无人投票，没有选出论文。',
  openFooter: (v: Opener) => `发起人：${v.opener} · 已有 ${v.voters} 人投票 · 发起人或频道管理员可结束投票（/paper suggest close）`,
  closedFooter: (v: Opener) => `发起人：${v.opener} · 共 ${v.voters} 人投票`,
  openTitle: (v: { poll: number }) => `读书会投票 #${v.poll}：下一篇读什么？`,
  closedTitle: (v: { poll: number }) => `读书会投票 #${v.poll}（已结束）`,
  closeButton: '结束投票',
  announceTitle: (v: { title: string }) => `读书会下一篇：${v.title}`,
  announceIntro: (v: { poll: number; votes: number; link: string }) => `投票 #${v.poll} 已结束：${v.votes} 票。链接：${v.link}`,
} satisfies typeof readingEn;

/** The reading group's other messages: command summaries, arguments (args.ts), the poll message (render.ts) and history (history.ts). */
export const readingText = defineMessages({ en: readingEn, zh: readingZh });
