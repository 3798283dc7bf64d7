import { lookup } from 'node:dns/promises';
import type { Command, CommandInput } from '../../services.js';
import { mustExist, UserError } from '../../errors.js';
import { tr, type Lang } from '../../i18n/index.js';
import { reply, type Card, type Reply } from '../../reply.js';
import { bareHost, isPublicAddress } from './guard.js';
import { parseSource, type FeedSource } from './sources.js';
import * as store from './store.js';
import type { FeedRow } from './store.js';

/** `/paper feed add <source> | list | remove <n>`: the feeds that bring new papers into the catalog. */

/** Adding and removing feeds is for channel managers: the feeds are the lab's. */
function requireManager(input: CommandInput): void {
  if (input.invocation.canManageChannel) return;
  throw new UserError('not-allowed', {
    en: 'Only people who may manage this channel can add or remove feeds (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).',
    zh: '只有可以管理本频道的人才能添加或移除订阅源（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。',
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Refuses a URL whose host is, or resolves to, a non-public address (the poller checks again on every connection). */
async function checkAddress(source: FeedSource, allowPrivate: boolean): Promise<void> {
  if (source.kind !== 'url' || allowPrivate) return;
  const host = bareHost(new URL(source.url).hostname);
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new UserError('feed-dns', { en: `The host "${host}" cannot be found. Check the feed's address.`, zh: `找不到主机“${host}”，请检查订阅源地址。` });
  }
  const blocked = addresses.find((a) => !isPublicAddress(a));
  if (blocked) {
    throw new UserError('feed-private', {
      en: `"${host}" points to ${blocked}, a loopback, private, link-local or metadata address; paperbot does not read feeds there. An operator can allow intranet feeds with PAPERBOT_ALLOW_PRIVATE_FEEDS=true.`,
      zh: `“${host}”指向 ${blocked}（本机、内网、链路本地或元数据地址），paperbot 不读取此类订阅源。管理员可设置 PAPERBOT_ALLOW_PRIVATE_FEEDS=true 允许内网订阅源。`,
    });
  }
}

async function add(input: CommandInput, rest: string): Promise<Reply> {
  requireManager(input);
  const { services, invocation, lang } = input;
  if (!rest) throw new UserError('feed-missing', { en: 'Say which feed: `/paper feed add arxiv:eess.IV`.', zh: '请给出订阅源：`/paper feed add arxiv:eess.IV`。' }, ['feed add arxiv:eess.IV']);
  const source = parseSource(rest);
  await checkAddress(source, services.config.feeds.allowPrivate);
  const now = iso(services.clock.now().getTime());
  const row = store.addFeed(services.db, source, invocation.userId, `${invocation.platform}:${invocation.channelId}`, now);
  if (!row) {
    return reply('feed-add', lang, { intro: [tr(lang, `${source.spec} is already read.`, `${source.spec} 已在订阅中。`)], data: { added: false, source: source.spec } });
  }
  services.log.info(`feeds: ${source.spec} added by ${invocation.userId} in ${invocation.platform}:${invocation.channelId}`);
  return reply('feed-add', lang, {
    visibility: 'channel',
    intro: [
      tr(
        lang,
        `Added ${source.spec}. It is read within the minute, then every ${services.config.feeds.pollMinutes} minutes; its new papers join the catalog and the digest. \`/paper feed list\` shows how it goes.`,
        `已添加 ${source.spec}。一分钟内首次读取，之后每 ${services.config.feeds.pollMinutes} 分钟读取一次；新论文会加入清单和每周摘要。发送 \`/paper feed list\` 查看状态。`,
      ),
    ],
    data: { added: true, feed: row.id, source: source.spec },
  });
}

function stateLine(f: FeedRow, lang: Lang): string {
  if (f.state === 'gone') return tr(lang, `GONE since ${f.lastErrorAt}: ${f.lastError}. Remove it, or add it again once it is back.`, `已失效（${f.lastErrorAt}）：${f.lastError}。请移除，或恢复后重新添加。`);
  const ok = f.lastSuccessAt ? tr(lang, `last read ${f.lastSuccessAt}`, `上次成功读取 ${f.lastSuccessAt}`) : tr(lang, 'not read yet', '尚未读取');
  const failing = f.state === 'failing' ? tr(lang, `FAILING (${f.failures} times in a row)`, `连续失败 ${f.failures} 次`) : '';
  const error = f.lastError && f.failures > 0 ? tr(lang, `last error ${f.lastErrorAt}: ${f.lastError}`, `最近错误 ${f.lastErrorAt}：${f.lastError}`) : '';
  return [failing, ok, error].filter(Boolean).join(' · ');
}

function list(input: CommandInput): Reply {
  const { services, lang } = input;
  const feeds = store.allFeeds(services.db);
  if (feeds.length === 0) {
    return reply('feed-list', lang, {
      intro: [tr(lang, 'No feeds yet. A manager can add one: `/paper feed add arxiv:eess.IV`.', '还没有订阅源。频道管理员可以添加：`/paper feed add arxiv:eess.IV`。')],
      data: { feeds: [] },
    });
  }
  const cards: Card[] = feeds.map((f, i) => ({
    title: `${i + 1}. ${f.source}`,
    meta: f.title ?? undefined,
    lines: [
      stateLine(f, lang),
      tr(lang, `${f.papersAdded} new paper(s) brought, ${f.itemsSkipped} item(s) skipped (no title or link)`, `带来新论文 ${f.papersAdded} 篇，跳过 ${f.itemsSkipped} 条（无标题或链接）`),
      tr(lang, `next read ${f.nextPollAt}`, `下次读取 ${f.nextPollAt}`),
    ].filter((l) => !(f.state === 'gone' && l.includes(f.nextPollAt))),
  }));
  return reply('feed-list', lang, { title: tr(lang, 'Feeds', '订阅源'), cards, data: { feeds } });
}

function remove(input: CommandInput, rest: string): Reply {
  requireManager(input);
  const { services, lang } = input;
  const feeds = store.allFeeds(services.db);
  const n = Number(rest);
  if (!Number.isInteger(n) || n < 1 || n > feeds.length) {
    throw new UserError('feed-number', { en: `Give the number of a feed from \`/paper feed list\` (1 to ${feeds.length}).`, zh: `请给出 \`/paper feed list\` 中的编号（1 到 ${feeds.length}）。` }, ['feed list']);
  }
  const feed = mustExist(feeds[n - 1], `feed ${n}`);
  store.removeFeed(services.db, feed.id);
  services.log.info(`feeds: ${feed.source} removed by ${input.invocation.userId}`);
  return reply('feed-remove', lang, {
    visibility: 'channel',
    intro: [tr(lang, `Removed ${feed.source}. The papers it brought stay in the catalog.`, `已移除 ${feed.source}，它带来的论文仍保留在清单中。`)],
    data: { removed: feed.source },
  });
}

export const feedCommand: Command = {
  name: 'feed',
  aliases: ['feeds', '订阅源'],
  summary: { en: 'Feeds that bring new papers: add <arxiv:cat | pubmed:"query" | URL> | list | remove <n>', zh: '带来新论文的订阅源：add <arxiv:分类 | pubmed:"检索式" | 网址> | list | remove <编号>' },
  examples: ['feed add arxiv:eess.IV', 'feed add pubmed:"deep learning segmentation"', 'feed list'],
  async run(input) {
    const [word = 'list', ...restWords] = input.args.trim().split(/\s+/).filter(Boolean);
    const rest = restWords.join(' ');
    switch (word.toLowerCase()) {
      case 'add':
      case '添加':
        return add(input, rest);
      case 'list':
      case '列表':
        return list(input);
      case 'remove':
      case 'rm':
      case '删除':
        return remove(input, rest);
      default:
        throw new UserError('feed-sub', { en: `"${word}" is not a feed command.`, zh: `“${word}”不是 feed 的子命令。` }, ['feed add arxiv:eess.IV', 'feed list', 'feed remove 1']);
    }
  },
};
