import { lookup } from 'node:dns/promises';
import { iso } from '../../clock.js';
import type { Command, CommandInput } from '../../services.js';
import { mustExist, UserError } from '../../errors.js';
import type { Lang } from '../../i18n/index.js';
import { reply, type Card, type Reply } from '../../reply.js';
import { feedText } from './messages.js';
import { bareHost, isPublicAddress } from './guard.js';
import { parseSource, type FeedSource } from './sources.js';
import { feedStore, type FeedRow, type Tenant } from './store.js';

/**
 * `/paper feed add <source> | list | remove <n>`: the feeds that bring new papers into the catalog.
 * Each workspace (Slack team, Discord server) keeps its own list; the papers they bring go into the
 * one catalog.
 */

const tenantOf = ({ invocation }: CommandInput): Tenant => ({ platform: invocation.platform, workspaceId: invocation.workspaceId ?? '' });

/** Adding and removing feeds is for channel managers: the feeds are the lab's. */
function requireManager(input: CommandInput): void {
  if (input.invocation.canManageChannel) return;
  throw new UserError('not-allowed', feedText.both('notAllowed'));
}


/** Refuses a URL whose host is, or resolves to, a non-public address (the poller checks again on every connection). */
async function checkAddress(source: FeedSource, allowPrivate: boolean): Promise<void> {
  if (source.kind !== 'url' || allowPrivate) return;
  const host = bareHost(new URL(source.url).hostname);
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new UserError('feed-dns', feedText.both('hostNotFound', { host }));
  }
  const blocked = addresses.find((a) => !isPublicAddress(a));
  if (blocked) {
    throw new UserError('feed-private', feedText.both('privateAddress', { host, blocked }));
  }
}

async function add(input: CommandInput, rest: string): Promise<Reply> {
  requireManager(input);
  const { services, invocation, lang } = input;
  if (!rest) throw new UserError('feed-missing', feedText.both('missingSource'), ['feed add arxiv:eess.IV']);
  const source = parseSource(rest);
  await checkAddress(source, services.config.feeds.allowPrivate);
  const now = iso(services.clock.now().getTime());
  const row = await feedStore(services.sql).subscribe(tenantOf(input), source, invocation.userId, `${invocation.platform}:${invocation.channelId}`, now);
  if (!row) {
    return reply('feed-add', lang, { intro: [feedText.text(lang, 'alreadyRead', { spec: source.spec })], data: { added: false, source: source.spec } });
  }
  services.log.info(`feeds: ${source.spec} added by ${invocation.userId} in ${invocation.platform}:${invocation.channelId}`);
  return reply('feed-add', lang, {
    visibility: 'channel',
    intro: [
      feedText.text(lang, 'added', { spec: source.spec, minutes: services.config.feeds.pollMinutes }),
    ],
    data: { added: true, feed: row.id, source: source.spec },
  });
}

function stateLine(f: FeedRow, lang: Lang): string {
  if (f.state === 'gone') return feedText.text(lang, 'gone', { at: f.lastErrorAt, error: f.lastError });
  const ok = f.lastSuccessAt ? feedText.text(lang, 'lastRead', { at: f.lastSuccessAt }) : feedText.text(lang, 'notReadYet');
  const failing = f.state === 'failing' ? feedText.text(lang, 'failing', { failures: f.failures }) : '';
  const error = f.lastError && f.failures > 0 ? feedText.text(lang, 'lastError', { at: f.lastErrorAt, error: f.lastError }) : '';
  return [failing, ok, error].filter(Boolean).join(' · ');
}

async function list(input: CommandInput): Promise<Reply> {
  const { services, lang } = input;
  const feeds = await feedStore(services.sql).feeds(tenantOf(input));
  if (feeds.length === 0) {
    return reply('feed-list', lang, {
      intro: [feedText.text(lang, 'noFeeds')],
      data: { feeds: [] },
    });
  }
  const cards: Card[] = feeds.map((f, i) => ({
    title: `${i + 1}. ${f.source}`,
    meta: f.title ?? undefined,
    lines: [
      stateLine(f, lang),
      feedText.text(lang, 'counts', f),
      feedText.text(lang, 'nextRead', { at: f.nextPollAt }),
    ].filter((l) => !(f.state === 'gone' && l.includes(f.nextPollAt))),
  }));
  return reply('feed-list', lang, { title: feedText.text(lang, 'listTitle'), cards, data: { feeds } });
}

async function remove(input: CommandInput, rest: string): Promise<Reply> {
  requireManager(input);
  const { services, lang } = input;
  const feeds = await feedStore(services.sql).feeds(tenantOf(input));
  const n = Number(rest);
  if (!Number.isInteger(n) || n < 1 || n > feeds.length) {
    throw new UserError('feed-number', feedText.both('badNumber', { count: feeds.length }), ['feed list']);
  }
  const feed = mustExist(feeds[n - 1], `feed ${n}`);
  await feedStore(services.sql).unsubscribe(tenantOf(input), feed);
  services.log.info(`feeds: ${feed.source} removed by ${input.invocation.userId}`);
  return reply('feed-remove', lang, {
    visibility: 'channel',
    intro: [feedText.text(lang, 'removed', { source: feed.source })],
    data: { removed: feed.source },
  });
}

export const feedCommand: Command = {
  name: 'feed',
  aliases: ['feeds', '订阅源'],
  summary: feedText.both('summary'),
  examples: ['feed add arxiv:eess.IV', 'feed add pubmed:"deep learning segmentation"', 'feed list'],
  async run(input) {
    const [word = 'list', ...restWords] = input.args.trim().split(/\s+/).filter(Boolean);
    const rest = restWords.join(' ');
    await feedStore(input.services.sql).adopt(tenantOf(input), input.invocation.channelId);
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
        throw new UserError('feed-sub', feedText.both('unknownSubcommand', { word }), ['feed add arxiv:eess.IV', 'feed list', 'feed remove 1']);
    }
  },
};
