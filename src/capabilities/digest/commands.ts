import { mayManage, type Command, type CommandInput } from '../../services.js';
import { UserError } from '../../errors.js';
import { channelOf, describeSchedule, formatLocal, iso, label, nextSlot, parseOnArgs, sameChannel, scheduleFor, weeklyParts, type ChannelRef } from '../../delivery/index.js';
import { hasHan } from '../../i18n/index.js';
import { reply, type Reply } from '../../reply.js';
import { followedTopics } from '../../topics.js';
import { attemptDigest, claimDigest, entriesOf } from './deliver.js';
import { digestText } from './messages.js';
import { lazyMatcher } from './tick.js';
import { digestReply, moreReply, type DigestEntry } from './render.js';
import * as store from './store.js';
import type { DigestSubscription } from './store.js';

/** `/paper digest on [day] [HH:MM] [zone] | off | status | preview | now | more <n>`. */

type Sub = 'on' | 'off' | 'status' | 'preview' | 'now' | 'more';
const WORDS: Record<string, Sub> = {
  on: 'on', enable: 'on', start: 'on', 开启: 'on', 打开: 'on',
  off: 'off', disable: 'off', stop: 'off', 关闭: 'off', 停止: 'off',
  status: 'status', 状态: 'status',
  preview: 'preview', next: 'preview', 预览: 'preview',
  now: 'now', post: 'now', 立即: 'now',
  more: 'more', 更多: 'more',
};

function requireManager(input: CommandInput): void {
  if (mayManage(input.invocation)) return;
  throw new UserError('not-allowed', digestText.both('notAllowed'));
}

function notOn(): UserError {
  return new UserError('digest-off', digestText.both('notOn'), ['digest on', 'digest on friday 16:00 Europe/Berlin']);
}

/** The channel the command was typed in, with what was recorded there before its workspace was known. */
async function channelHere(input: CommandInput): Promise<ChannelRef> {
  const ref = channelOf(input.invocation);
  await store.adopt(input.services.sql, ref);
  return ref;
}

async function subscriptionOf(input: CommandInput): Promise<DigestSubscription> {
  const sub = await store.getSubscription(input.services.sql, await channelHere(input));
  if (!sub) throw notOn();
  return sub;
}

/** The papers the next digest would carry right now. */
async function upcoming(input: CommandInput, sub: DigestSubscription): Promise<DigestEntry[]> {
  const { services } = input;
  const now = services.clock.now().getTime();
  const m = await lazyMatcher(services, [sub], now)();
  const from = await store.windowStart(services.sql, sub);
  const topics = (await followedTopics(services.sql, sub)).map((f) => f.query);
  const sent = await store.deliveredPaperIds(services.sql, sub);
  return m.matcher
    .digestFor(topics, (id) => (m.enteredAt.get(id) ?? '') > from && !sent.has(id))
    .flatMap((item) => {
      const paper = services.search.get(item.paperId);
      return paper ? [{ ...item, paper }] : [];
    });
}

async function turnOn(input: CommandInput, rest: string): Promise<Reply> {
  requireManager(input);
  const { services, invocation, lang } = input;
  const request = parseOnArgs(rest, 'digest');
  const here = await channelHere(input);
  const existing = await store.getSubscription(services.sql, here);
  const schedule = rest.trim() === '' && existing ? existing.schedule : scheduleFor(request, existing ? weeklyParts(existing.schedule) : null);
  const timezone = request.timezone ?? existing?.timezone ?? services.config.spotlight.timezone;
  const postLang = request.lang ?? (rest.trim() === '' && existing && !hasHan(input.args) ? existing.lang : lang);
  const now = services.clock.now().getTime();
  const next = nextSlot(schedule, timezone, now);
  if (next === null) throw new UserError('cron-never', digestText.both('cronNever', { schedule }));
  await store.subscribe(services.sql, { ...here, schedule, timezone, lang: postLang, by: invocation.userId, now: iso(now) });
  const topics = (await followedTopics(services.sql, here)).length;
  services.log.info(`digest ${label(here)}: on, ${schedule} ${timezone} ${postLang}, by ${invocation.userId}`);
  return reply('digest-on', lang, {
    visibility: 'channel',
    title: digestText.text(lang, 'onTitle'),
    intro: [
      digestText.text(lang, 'onIntro', { schedule: describeSchedule(schedule, lang), timezone }),
      digestText.text(lang, 'nextDigest', { local: formatLocal(next, timezone), timezone }),
      topics === 0 ? digestText.text(lang, 'noTopics') : digestText.text(lang, 'topicsFollowed', { count: topics }),
    ],
    data: { schedule, timezone, lang: postLang, nextSlot: iso(next) },
  });
}

async function turnOff(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, lang } = input;
  const changed = await store.unsubscribe(services.sql, await channelHere(input), iso(services.clock.now().getTime()));
  return reply('digest-off', lang, {
    visibility: changed ? 'channel' : 'ephemeral',
    intro: [changed ? digestText.text(lang, 'offDone') : digestText.text(lang, 'offNotOn')],
    data: { changed },
  });
}

async function status(input: CommandInput): Promise<Reply> {
  const { services, lang } = input;
  const sub = await subscriptionOf(input);
  const now = services.clock.now().getTime();
  const last = await store.lastPosted(services.sql, sub);
  const intro: string[] = [];
  if (!sub.enabled) intro.push(digestText.text(lang, 'statusOff'));
  else if (sub.pausedReason) intro.push(digestText.text(lang, 'statusPaused', { reason: sub.pausedReason }));
  else intro.push(digestText.text(lang, 'statusOn', { schedule: describeSchedule(sub.schedule, lang), timezone: sub.timezone }));
  intro.push(last ? digestText.text(lang, 'lastDigest', { local: formatLocal(Date.parse(last.postedAt ?? last.slot), sub.timezone), count: last.paperCount }) : digestText.text(lang, 'noneYet'));
  const next = sub.enabled && !sub.pausedReason ? nextSlot(sub.schedule, sub.timezone, now) : null;
  const pending = await upcoming(input, sub);
  if (next !== null) intro.push(digestText.text(lang, 'nextHolds', { local: formatLocal(next, sub.timezone), timezone: sub.timezone, count: pending.length }));
  return reply('digest-status', lang, { intro, data: { state: !sub.enabled ? 'off' : sub.pausedReason ? 'paused' : 'on', lastPosted: last?.postedAt ?? null, nextSlot: next === null ? null : iso(next), upcoming: pending.length } });
}

async function preview(input: CommandInput): Promise<Reply> {
  const { services, lang } = input;
  const sub = await subscriptionOf(input);
  const entries = await upcoming(input, sub);
  if (entries.length === 0) return reply('digest-preview', lang, { intro: [digestText.text(lang, 'nothingNew')], data: { papers: [] } });
  return digestReply({ lang, entries, since: (await store.windowStart(services.sql, sub)).slice(0, 10), preview: true });
}

async function now(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, lang } = input;
  const sub = await subscriptionOf(input);
  if (!sub.enabled || sub.pausedReason) throw notOn();
  const at = services.clock.now().getTime();
  const claim = await claimDigest(services, sub, iso(at), 'now', at, lazyMatcher(services, [sub], at), { skipEmpty: true });
  if (!claim) return reply('digest-now', lang, { intro: [digestText.text(lang, 'nothingSinceLast')], data: { result: 'empty' } });
  const result = await attemptDigest(services, sub, claim.post, 1, at);
  if (result.kind === 'posted') return reply('digest-now', lang, { intro: [digestText.text(lang, 'posted', { count: result.post.papers.length })], data: { result: 'posted', post: result.post } });
  if (result.kind === 'paused') return reply('digest-now', lang, { intro: [digestText.text(lang, 'cannotPost', { reason: result.reason })], data: { result: 'paused' } });
  return reply('digest-now', lang, { intro: [digestText.text(lang, 'willRetry', { error: result.error })], data: { result: 'retry' } });
}

async function more(input: CommandInput, rest: string): Promise<Reply> {
  const { services, lang } = input;
  const here = await channelHere(input);
  const id = Number(rest);
  const post = Number.isInteger(id) ? await store.postById(services.sql, id) : await store.lastPosted(services.sql, here);
  // A digest of another channel, or of another workspace's channel of the same id, is not there.
  if (!post || !sameChannel(post, here)) {
    throw new UserError('digest-more', digestText.both('noSuchDigest'));
  }
  return moreReply(lang, await entriesOf(services, post.id));
}

export const digestCommand: Command = {
  name: 'digest',
  aliases: ['摘要', '每周摘要'],
  summary: digestText.both('summary'),
  examples: ['digest on monday 09:00 Europe/Berlin', 'digest status', 'digest preview'],
  async run(input) {
    const [word = 'status', ...restWords] = input.args.trim().split(/\s+/).filter(Boolean);
    const rest = restWords.join(' ');
    switch (WORDS[word.toLowerCase()]) {
      case 'on':
        return turnOn(input, rest);
      case 'off':
        return turnOff(input);
      case 'status':
        return status(input);
      case 'preview':
        return preview(input);
      case 'now':
        return now(input);
      case 'more':
        return more(input, rest);
      default:
        throw new UserError('digest-sub', digestText.both('unknownSubcommand', { word }), ['digest on', 'digest off', 'digest status', 'digest preview', 'digest now']);
    }
  },
};
