import { countOf, defineMessages } from '../../i18n/index.js';

/** A schedule already described in the message's language. */
type Schedule = { schedule: string; timezone: string };
type When = { local: string; timezone: string };

const en = {
  summary: "New papers on this channel's topics, weekly: on [day] [HH:MM] [zone] | off | status | preview | now",
  notAllowed:
    'Only people who may manage this channel can change its digest (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).',
  notOn: 'This channel has no digest. `/paper digest on` starts one (Monday 09:00 by default).',
  cronNever: (v: { schedule: string }) => `The schedule "${v.schedule}" never comes round.`,
  onTitle: 'Weekly digest is on',
  onIntro: (v: Schedule) =>
    `${v.schedule} (${v.timezone}), paperbot posts here the new papers matching this channel's topics. A week with nothing new posts nothing.`,
  nextDigest: (v: When) => `Next digest: ${v.local} (${v.timezone}).`,
  noTopics: 'This channel follows no topics yet: `/paper follow <query>` adds one.',
  topicsFollowed: (v: { count: number }) => `Topics followed: ${v.count}.`,
  offDone: 'Weekly digest is off for this channel. `/paper digest on` turns it back on.',
  offNotOn: 'The weekly digest was not on in this channel.',
  statusOff: 'The weekly digest is off in this channel.',
  statusPaused: (v: { reason: string }) => `The weekly digest is paused: paperbot could not post here (${v.reason}). \`/paper digest on\` resumes it.`,
  statusOn: (v: Schedule) => `Weekly digest: ${v.schedule} (${v.timezone}).`,
  lastDigest: (v: { local: string; count: number }) => `Last digest: ${v.local} with ${countOf(v.count, 'paper')}.`,
  noneYet: 'No digest has gone out yet.',
  nextHolds: (v: When & { count: number }) => `Next: ${v.local} (${v.timezone}); it holds ${countOf(v.count, 'paper')} so far.`,
  nothingNew: "Nothing new matches this channel's topics yet.",
  nothingSinceLast: "Nothing new matches this channel's topics since the last digest.",
  posted: (v: { count: number }) => `Posted a digest of ${countOf(v.count, 'paper')} to this channel.`,
  cannotPost: (v: { reason: string }) => `paperbot cannot post in this channel (${v.reason}), so its digest is paused.`,
  willRetry: (v: { error: string }) => `The post did not go through (${v.error}); paperbot will retry on its own.`,
  noSuchDigest: 'There is no such digest in this channel.',
  unknownSubcommand: (v: { word: string }) => `"${v.word}" is not a digest command.`,
  topic: (v: { topic: string }) => `Topic: ${v.topic}`,
  header: (v: { count: number; since: string; shown: number | null }) =>
    `${countOf(v.count, 'new paper')} on this channel's topics since ${v.since}${v.shown === null ? '' : `; the first ${v.shown} below`}.`,
  previewTitle: 'Next digest (preview, only you see this)',
  postTitle: '📰 New papers on your topics',
  moreButton: (v: { count: number }) => `More (${v.count})`,
  morePapers: (v: { count: number }) => `${countOf(v.count, 'more paper')} from the digest.`,
  noMore: 'That digest had no more papers.',
};

const zh = {
  summary: '每周推送本频道关注主题的新论文：on [星期] [时间] [时区] | off | status | preview | now',
  notAllowed: '只有可以管理本频道的人才能更改每周摘要（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。',
  notOn: '本频道尚未开启每周摘要。发送 `/paper digest on`（默认每周一 09:00）即可开启。',
  cronNever: (v: { schedule: string }) => `cron 表达式“${v.schedule}”永远不会触发。`,
  onTitle: '每周摘要已开启',
  onIntro: (v: Schedule) => `${v.schedule}（${v.timezone}），paperbot 会在本频道发布符合关注主题的新论文；没有新论文的一周不发布。`,
  nextDigest: (v: When) => `下一期：${v.local}（${v.timezone}）。`,
  noTopics: '本频道尚未关注主题：发送 `/paper follow <主题>` 添加。',
  topicsFollowed: (v: { count: number }) => `已关注主题：${v.count} 个。`,
  offDone: '本频道的每周摘要已关闭。发送 `/paper digest on` 可重新开启。',
  offNotOn: '本频道没有开启每周摘要。',
  statusOff: '本频道的每周摘要已关闭。',
  statusPaused: (v: { reason: string }) => `每周摘要已暂停：无法在本频道发帖（${v.reason}）。发送 \`/paper digest on\` 恢复。`,
  statusOn: (v: Schedule) => `每周摘要：${v.schedule}（${v.timezone}）。`,
  lastDigest: (v: { local: string; count: number }) => `上一期：${v.local}，共 ${v.count} 篇。`,
  noneYet: '尚未发布过摘要。',
  nextHolds: (v: When & { count: number }) => `下一期：${v.local}（${v.timezone}），目前有 ${v.count} 篇。`,
  nothingNew: '目前还没有符合本频道主题的新论文。',
  nothingSinceLast: '自上一期以来，没有符合本频道主题的新论文。',
  posted: (v: { count: number }) => `已在本频道发布摘要，共 ${v.count} 篇。`,
  cannotPost: (v: { reason: string }) => `paperbot 无法在本频道发帖（${v.reason}），每周摘要已暂停。`,
  willRetry: (v: { error: string }) => `发布失败（${v.error}），paperbot 会自动重试。`,
  noSuchDigest: '本频道没有这一期摘要。',
  unknownSubcommand: (v: { word: string }) => `“${v.word}”不是 digest 的子命令。`,
  topic: (v: { topic: string }) => `主题：${v.topic}`,
  header: (v: { count: number; since: string; shown: number | null }) =>
    `自 ${v.since} 以来，本频道关注的主题有 ${v.count} 篇新论文${v.shown === null ? '' : `，下面列出前 ${v.shown} 篇`}。`,
  previewTitle: '下一期摘要（预览，仅你可见）',
  postTitle: '📰 关注主题的新论文',
  moreButton: (v: { count: number }) => `更多（${v.count}）`,
  morePapers: (v: { count: number }) => `摘要中另外 ${v.count} 篇论文。`,
  noMore: '该期摘要没有更多论文。',
} satisfies typeof en;

/** The weekly digest's messages: its command (commands.ts) and its posts (render.ts). */
export const digestText = defineMessages({ en, zh });
