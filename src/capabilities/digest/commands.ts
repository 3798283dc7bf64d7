import { mayManage, type Command, type CommandInput } from '../../services.js';
import { UserError } from '../../errors.js';
import { describeSchedule, formatLocal, iso, nextSlot, parseOnArgs, scheduleFor, weeklyParts } from '../../delivery/index.js';
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

function subscriptionOf(input: CommandInput): DigestSubscription {
  const sub = store.getSubscription(input.services.db, input.invocation.platform, input.invocation.channelId);
  if (!sub) throw notOn();
  return sub;
}

/** The papers the next digest would carry right now. */
function upcoming(input: CommandInput, sub: DigestSubscription): DigestEntry[] {
  const { services } = input;
  const now = services.clock.now().getTime();
  const m = lazyMatcher(services, [sub], now)();
  const from = store.windowStart(services.db, sub);
  const topics = followedTopics(services.db, sub.platform, sub.channel).map((f) => f.query);
  const sent = store.deliveredPaperIds(services.db, sub.platform, sub.channel);
  return m.matcher
    .digestFor(topics, (id) => (m.enteredAt.get(id) ?? '') > from && !sent.has(id))
    .flatMap((item) => {
      const paper = services.search.get(item.paperId);
      return paper ? [{ ...item, paper }] : [];
    });
}

function turnOn(input: CommandInput, rest: string): Reply {
  requireManager(input);
  const { services, invocation, lang } = input;
  const request = parseOnArgs(rest, 'digest');
  const existing = store.getSubscription(services.db, invocation.platform, invocation.channelId);
  const schedule = rest.trim() === '' && existing ? existing.schedule : scheduleFor(request, existing ? weeklyParts(existing.schedule) : null);
  const timezone = request.timezone ?? existing?.timezone ?? services.config.spotlight.timezone;
  const postLang = request.lang ?? (rest.trim() === '' && existing && !hasHan(input.args) ? existing.lang : lang);
  const now = services.clock.now().getTime();
  const next = nextSlot(schedule, timezone, now);
  if (next === null) throw new UserError('cron-never', digestText.both('cronNever', { schedule }));
  store.subscribe(services.db, { platform: invocation.platform, channel: invocation.channelId, schedule, timezone, lang: postLang, by: invocation.userId, now: iso(now) });
  const topics = followedTopics(services.db, invocation.platform, invocation.channelId).length;
  services.log.info(`digest ${invocation.platform}:${invocation.channelId}: on, ${schedule} ${timezone} ${postLang}, by ${invocation.userId}`);
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

function turnOff(input: CommandInput): Reply {
  requireManager(input);
  const { services, invocation, lang } = input;
  const changed = store.unsubscribe(services.db, invocation.platform, invocation.channelId, iso(services.clock.now().getTime()));
  return reply('digest-off', lang, {
    visibility: changed ? 'channel' : 'ephemeral',
    intro: [changed ? digestText.text(lang, 'offDone') : digestText.text(lang, 'offNotOn')],
    data: { changed },
  });
}

function status(input: CommandInput): Reply {
  const { services, lang } = input;
  const sub = subscriptionOf(input);
  const now = services.clock.now().getTime();
  const last = store.lastPosted(services.db, sub.platform, sub.channel);
  const intro: string[] = [];
  if (!sub.enabled) intro.push(digestText.text(lang, 'statusOff'));
  else if (sub.pausedReason) intro.push(digestText.text(lang, 'statusPaused', { reason: sub.pausedReason }));
  else intro.push(digestText.text(lang, 'statusOn', { schedule: describeSchedule(sub.schedule, lang), timezone: sub.timezone }));
  intro.push(last ? digestText.text(lang, 'lastDigest', { local: formatLocal(Date.parse(last.postedAt ?? last.slot), sub.timezone), count: last.paperCount }) : digestText.text(lang, 'noneYet'));
  const next = sub.enabled && !sub.pausedReason ? nextSlot(sub.schedule, sub.timezone, now) : null;
  const pending = upcoming(input, sub);
  if (next !== null) intro.push(digestText.text(lang, 'nextHolds', { local: formatLocal(next, sub.timezone), timezone: sub.timezone, count: pending.length }));
  return reply('digest-status', lang, { intro, data: { state: !sub.enabled ? 'off' : sub.pausedReason ? 'paused' : 'on', lastPosted: last?.postedAt ?? null, nextSlot: next === null ? null : iso(next), upcoming: pending.length } });
}

function preview(input: CommandInput): Reply {
  const { services, lang } = input;
  const sub = subscriptionOf(input);
  const entries = upcoming(input, sub);
  if (entries.length === 0) return reply('digest-preview', lang, { intro: [digestText.text(lang, 'nothingNew')], data: { papers: [] } });
  return digestReply({ lang, entries, since: store.windowStart(services.db, sub).slice(0, 10), preview: true });
}

async function now(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, lang } = input;
  const sub = subscriptionOf(input);
  if (!sub.enabled || sub.pausedReason) throw notOn();
  const at = services.clock.now().getTime();
  const claim = claimDigest(services, sub, iso(at), 'now', at, lazyMatcher(services, [sub], at), { skipEmpty: true });
  if (!claim) return reply('digest-now', lang, { intro: [digestText.text(lang, 'nothingSinceLast')], data: { result: 'empty' } });
  const result = await attemptDigest(services, sub, claim.post, 1, at);
  if (result.kind === 'posted') return reply('digest-now', lang, { intro: [digestText.text(lang, 'posted', { count: result.post.papers.length })], data: { result: 'posted', post: result.post } });
  if (result.kind === 'paused') return reply('digest-now', lang, { intro: [digestText.text(lang, 'cannotPost', { reason: result.reason })], data: { result: 'paused' } });
  return reply('digest-now', lang, { intro: [digestText.text(lang, 'willRetry', { error: result.error })], data: { result: 'retry' } });
}

function more(input: CommandInput, rest: string): Reply {
  const { services, invocation, lang } = input;
  const id = Number(rest);
  const post = Number.isInteger(id) ? store.postById(services.db, id) : store.lastPosted(services.db, invocation.platform, invocation.channelId);
  if (!post || post.platform !== invocation.platform || post.channel !== invocation.channelId) {
    throw new UserError('digest-more', digestText.both('noSuchDigest'));
  }
  return moreReply(lang, entriesOf(services, post.id));
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
