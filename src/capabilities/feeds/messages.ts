import { countOf, defineMessages } from '../../i18n/index.js';

type FeedCounts = { papersAdded: number; itemsSkipped: number };

const en = {
  summary: 'Feeds that bring new papers: add <arxiv:cat | pubmed:"query" | URL> | list | remove <n>',
  notAllowed:
    'Only people who may manage this channel can add or remove feeds (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).',
  hostNotFound: (v: { host: string }) => `The host "${v.host}" cannot be found. Check the feed's address.`,
  privateAddress: (v: { host: string; blocked: string }) =>
    `"${v.host}" points to ${v.blocked}, a loopback, private, link-local or metadata address; paperbot does not read feeds there. An operator can allow intranet feeds with PAPERBOT_ALLOW_PRIVATE_FEEDS=true.`,
  missingSource: 'Say which feed: `/paper feed add arxiv:eess.IV`.',
  alreadyRead: (v: { spec: string }) => `${v.spec} is already read.`,
  added: (v: { spec: string; minutes: number }) =>
    `Added ${v.spec}. It is read within the minute, then every ${v.minutes} minutes; its new papers join the catalog and the digest. \`/paper feed list\` shows how it goes.`,
  gone: (v: { at: string | null; error: string | null }) => `GONE since ${v.at}: ${v.error}. Remove it, or add it again once it is back.`,
  lastRead: (v: { at: string }) => `last read ${v.at}`,
  notReadYet: 'not read yet',
  failing: (v: { failures: number }) => `FAILING (${v.failures} times in a row)`,
  lastError: (v: { at: string | null; error: string }) => `last error ${v.at}: ${v.error}`,
  noFeeds: 'No feeds yet. A manager can add one: `/paper feed add arxiv:eess.IV`.',
  counts: (v: FeedCounts) => `${countOf(v.papersAdded, 'new paper')} brought, ${countOf(v.itemsSkipped, 'item')} skipped (no title or link)`,
  nextRead: (v: { at: string }) => `next read ${v.at}`,
  listTitle: 'Feeds',
  badNumber: (v: { count: number }) => `Give the number of a feed from \`/paper feed list\` (1 to ${v.count}).`,
  removed: (v: { source: string }) => `Removed ${v.source}. The papers it brought stay in the catalog.`,
  unknownSubcommand: (v: { word: string }) => `"${v.word}" is not a feed command.`,
  badSource: (v: { spec: string }) =>
    `"${v.spec}" is not a feed paperbot can read. Give an arXiv category (arxiv:eess.IV), a PubMed search (pubmed:"deep learning segmentation") or the http(s) address of an RSS or Atom feed.`,
  badScheme: (v: { protocol: string }) => `Only http(s) feeds can be added; "${v.protocol}" addresses are not read.`,
};

const zh = {
  summary: '带来新论文的订阅源：add <arxiv:分类 | pubmed:"检索式" | 网址> | list | remove <编号>',
  notAllowed: '只有可以管理本频道的人才能添加或移除订阅源（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。',
  hostNotFound: (v: { host: string }) => `找不到主机“${v.host}”，请检查订阅源地址。`,
  privateAddress: (v: { host: string; blocked: string }) =>
    `“${v.host}”指向 ${v.blocked}（本机、内网、链路本地或元数据地址），paperbot 不读取此类订阅源。管理员可设置 PAPERBOT_ALLOW_PRIVATE_FEEDS=true 允许内网订阅源。`,
  missingSource: '请给出订阅源：`/paper feed add arxiv:eess.IV`。',
  alreadyRead: (v: { spec: string }) => `${v.spec} 已在订阅中。`,
  added: (v: { spec: string; minutes: number }) =>
    `已添加 ${v.spec}。一分钟内首次读取，之后每 ${v.minutes} 分钟读取一次；新论文会加入清单和每周摘要。发送 \`/paper feed list\` 查看状态。`,
  gone: (v: { at: string | null; error: string | null }) => `已失效（${v.at}）：${v.error}。请移除，或恢复后重新添加。`,
  lastRead: (v: { at: string }) => `上次成功读取 ${v.at}`,
  notReadYet: '尚未读取',
  failing: (v: { failures: number }) => `连续失败 ${v.failures} 次`,
  lastError: (v: { at: string | null; error: string }) => `最近错误 ${v.at}：${v.error}`,
  noFeeds: '还没有订阅源。频道管理员可以添加：`/paper feed add arxiv:eess.IV`。',
  counts: (v: FeedCounts) => `带来新论文 ${v.papersAdded} 篇，跳过 ${v.itemsSkipped} 条（无标题或链接）`,
  nextRead: (v: { at: string }) => `下次读取 ${v.at}`,
  listTitle: '订阅源',
  badNumber: (v: { count: number }) => `请给出 \`/paper feed list\` 中的编号（1 到 ${v.count}）。`,
  removed: (v: { source: string }) => `已移除 ${v.source}，它带来的论文仍保留在清单中。`,
  unknownSubcommand: (v: { word: string }) => `“${v.word}”不是 feed 的子命令。`,
  badSource: (v: { spec: string }) =>
    `“${v.spec}”不是 paperbot 能读取的订阅源。请给出 arXiv 分类（arxiv:eess.IV）、PubMed 检索（pubmed:"deep learning segmentation"）或 RSS/Atom 的 http(s) 地址。`,
  badScheme: (v: { protocol: string }) => `只能添加 http(s) 订阅源，不读取“${v.protocol}”地址。`,
} satisfies typeof en;

/** The feeds' messages: the `feed` command (commands.ts) and the sources it accepts (sources.ts). */
export const feedText = defineMessages({ en, zh });
