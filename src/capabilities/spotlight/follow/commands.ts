import type { Command, CommandInput } from '../../../services.js';
import { mustExist, UserError } from '../../../errors.js';
import { tr } from '../../../i18n/index.js';
import { reply, type Reply } from '../../../reply.js';
import { cleanInput } from '../../../text.js';
import * as store from './store.js';

/** `/paper follow <query>`, `following`, `unfollow <n>`: the topics a channel's digest brings. */

/** Most topics one channel follows. */
const MAX_FOLLOWS = 25;

export function requireManager(input: CommandInput): void {
  if (input.invocation.canManageChannel) return;
  throw new UserError('not-allowed', {
    en: 'Only people who may manage this channel can change what it follows (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).',
    zh: '只有可以管理本频道的人才能更改关注的主题（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。',
  });
}

function follow(input: CommandInput): Reply {
  requireManager(input);
  const { services, invocation, lang } = input;
  const query = cleanInput(input.args).text.trim();
  if (!query) throw new UserError('follow-empty', { en: 'Say what to follow, in the words of a search: `/paper follow segmentation mri`.', zh: '请给出要关注的主题（与搜索相同的写法）：`/paper follow 肺结节`。' }, ['follow segmentation mri', 'follow author:"Kamnitsas"']);
  // The search reads it now: a malformed filter gets the search's own message.
  const check = services.search.search(query, { limit: 1 });
  const matchesNow = check.total - check.related;
  if (check.notices.some((n) => /no words or filters/.test(n.en))) {
    throw new UserError('follow-nothing', { en: `"${query}" has no words or filters to follow.`, zh: `“${query}”中没有可关注的词语或筛选条件。` });
  }
  const existing = store.followsOf(services.db, invocation.platform, invocation.channelId);
  if (existing.length >= MAX_FOLLOWS) throw new UserError('follow-many', { en: `A channel follows at most ${MAX_FOLLOWS} topics; \`/paper unfollow <n>\` makes room.`, zh: `每个频道最多关注 ${MAX_FOLLOWS} 个主题；可用 \`/paper unfollow <编号>\` 腾出位置。` });
  const added = store.addFollow(services.db, invocation.platform, invocation.channelId, query, invocation.userId, services.clock.now().toISOString());
  const count = existing.length + (added ? 1 : 0);
  return reply('follow', lang, {
    visibility: added ? 'channel' : 'ephemeral',
    intro: [
      added
        ? tr(lang, `This channel now follows “${query}” (${count} topic(s)). New matching papers go into its weekly digest; \`/paper digest on\` starts one.`, `本频道已关注“${query}”（共 ${count} 个主题）。符合的新论文会进入每周摘要；发送 \`/paper digest on\` 开启摘要。`)
        : tr(lang, `This channel already follows “${query}”.`, `本频道已关注“${query}”。`),
      tr(lang, `Today ${matchesNow} paper(s) in the catalog match it.`, `目前清单中有 ${matchesNow} 篇论文符合。`),
    ],
    data: { added, query, matchesNow },
  });
}

function following(input: CommandInput): Reply {
  const { services, invocation, lang } = input;
  const follows = store.followsOf(services.db, invocation.platform, invocation.channelId);
  if (follows.length === 0) {
    return reply('following', lang, { intro: [tr(lang, 'This channel follows no topics. `/paper follow <query>` adds one.', '本频道尚未关注任何主题。发送 `/paper follow <主题>` 添加。')], data: { follows: [] } });
  }
  return reply('following', lang, {
    title: tr(lang, 'Topics this channel follows', '本频道关注的主题'),
    intro: follows.map((f, i) => `${i + 1}. ${f.query}`),
    data: { follows: follows.map((f) => f.query) },
  });
}

function unfollow(input: CommandInput): Reply {
  requireManager(input);
  const { services, invocation, lang } = input;
  const follows = store.followsOf(services.db, invocation.platform, invocation.channelId);
  const n = Number(input.args.trim());
  if (!Number.isInteger(n) || n < 1 || n > follows.length) {
    throw new UserError('unfollow-number', { en: `Give the number of a topic from \`/paper following\` (1 to ${follows.length}).`, zh: `请给出 \`/paper following\` 中的编号（1 到 ${follows.length}）。` }, ['following']);
  }
  const gone = mustExist(follows[n - 1], `followed topic ${n}`);
  store.removeFollow(services.db, gone.id);
  return reply('unfollow', lang, { visibility: 'channel', intro: [tr(lang, `This channel no longer follows “${gone.query}”.`, `本频道已取消关注“${gone.query}”。`)], data: { removed: gone.query } });
}

export const followCommand: Command = {
  name: 'follow',
  aliases: ['关注'],
  summary: { en: "Follow a topic (a search) for this channel's weekly digest", zh: '为本频道的每周摘要关注一个主题（一条搜索）' },
  examples: ['follow segmentation mri', 'follow author:"Kamnitsas"', 'follow 肺结节 -classification'],
  run: follow,
};

export const followingCommand: Command = {
  name: 'following',
  aliases: ['关注列表'],
  summary: { en: 'The topics this channel follows, numbered', zh: '本频道关注的主题（带编号）' },
  examples: ['following'],
  run: following,
};

export const unfollowCommand: Command = {
  name: 'unfollow',
  aliases: ['取消关注'],
  summary: { en: 'Stop following topic <n>', zh: '取消关注第 <n> 个主题' },
  examples: ['unfollow 1'],
  run: unfollow,
};
