import { countOf, defineMessages } from '../../i18n/index.js';

const en = {
  'summary.follow': "Follow a topic (a search) for this channel's weekly digest",
  'summary.following': 'The topics this channel follows, numbered',
  'summary.unfollow': 'Stop following topic <n>',
  notAllowed:
    'Only people who may manage this channel can change what it follows (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).',
  emptyQuery: 'Say what to follow, in the words of a search: `/paper follow segmentation mri`.',
  nothingToFollow: (v: { query: string }) => `"${v.query}" has no words or filters to follow.`,
  tooMany: (v: { max: number }) => `A channel follows at most ${v.max} topics; \`/paper unfollow <n>\` makes room.`,
  followed: (v: { query: string; count: number }) =>
    `This channel now follows “${v.query}” (${countOf(v.count, 'topic')}). New matching papers go into its weekly digest; \`/paper digest on\` starts one.`,
  alreadyFollowed: (v: { query: string }) => `This channel already follows “${v.query}”.`,
  matchesNow: (v: { count: number }) => `Today ${countOf(v.count, 'paper')} in the catalog ${v.count === 1 ? 'matches' : 'match'} it.`,
  noTopics: 'This channel follows no topics. `/paper follow <query>` adds one.',
  listTitle: 'Topics this channel follows',
  badNumber: (v: { count: number }) => `Give the number of a topic from \`/paper following\` (1 to ${v.count}).`,
  unfollowed: (v: { query: string }) => `This channel no longer follows “${v.query}”.`,
};

const zh = {
  'summary.follow': '为本频道的每周摘要关注一个主题（一条搜索）',
  'summary.following': '本频道关注的主题（带编号）',
  'summary.unfollow': '取消关注第 <n> 个主题',
  notAllowed: '只有可以管理本频道的人才能更改关注的主题（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。',
  emptyQuery: '请给出要关注的主题（与搜索相同的写法）：`/paper follow 肺结节`。',
  nothingToFollow: (v: { query: string }) => `“${v.query}”中没有可关注的词语或筛选条件。`,
  tooMany: (v: { max: number }) => `每个频道最多关注 ${v.max} 个主题；可用 \`/paper unfollow <编号>\` 腾出位置。`,
  followed: (v: { query: string; count: number }) =>
    `本频道已关注“${v.query}”（共 ${v.count} 个主题）。符合的新论文会进入每周摘要；发送 \`/paper digest on\` 开启摘要。`,
  alreadyFollowed: (v: { query: string }) => `本频道已关注“${v.query}”。`,
  matchesNow: (v: { count: number }) => `目前清单中有 ${v.count} 篇论文符合。`,
  noTopics: '本频道尚未关注任何主题。发送 `/paper follow <主题>` 添加。',
  listTitle: '本频道关注的主题',
  badNumber: (v: { count: number }) => `请给出 \`/paper following\` 中的编号（1 到 ${v.count}）。`,
  unfollowed: (v: { query: string }) => `本频道已取消关注“${v.query}”。`,
} satisfies typeof en;

/** The messages of `follow`, `following` and `unfollow` (commands.ts). */
export const followText = defineMessages({ en, zh });
