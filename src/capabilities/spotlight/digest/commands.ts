import type { Command, CommandInput } from '../../../services.js';
import { UserError } from '../../../errors.js';
import { follows, requireManager } from '../follow/index.js';
import { hasHan, tr } from '../../../i18n/index.js';
import { reply, type Reply } from '../../../reply.js';
import { describeSchedule, weeklyParts } from '../cron.js';
import { iso } from '../deliver.js';
import { parseOnArgs, scheduleFor } from '../parse.js';
import { nextSlot } from '../slots.js';
import { formatLocal } from '../zoned.js';
import { attemptDigest, claimDigest, entriesOf } from './deliver.js';
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

function notOn(): UserError {
  return new UserError('digest-off', { en: 'This channel has no digest. `/paper digest on` starts one (Monday 09:00 by default).', zh: '本频道尚未开启每周摘要。发送 `/paper digest on`（默认每周一 09:00）即可开启。' }, ['digest on', 'digest on friday 16:00 Europe/Berlin']);
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
  const topics = follows(services.db, sub.platform, sub.channel).map((f) => f.query);
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
  const request = parseOnArgs(rest);
  const existing = store.getSubscription(services.db, invocation.platform, invocation.channelId);
  const schedule = rest.trim() === '' && existing ? existing.schedule : scheduleFor(request, existing ? weeklyParts(existing.schedule) : null);
  const timezone = request.timezone ?? existing?.timezone ?? services.config.spotlight.timezone;
  const postLang = request.lang ?? (rest.trim() === '' && existing && !hasHan(input.args) ? existing.lang : lang);
  const now = services.clock.now().getTime();
  const next = nextSlot(schedule, timezone, now);
  if (next === null) throw new UserError('cron-never', { en: `The schedule "${schedule}" never comes round.`, zh: `cron 表达式“${schedule}”永远不会触发。` });
  store.subscribe(services.db, { platform: invocation.platform, channel: invocation.channelId, schedule, timezone, lang: postLang, by: invocation.userId, now: iso(now) });
  const topics = follows(services.db, invocation.platform, invocation.channelId).length;
  services.log.info(`digest ${invocation.platform}:${invocation.channelId}: on, ${schedule} ${timezone} ${postLang}, by ${invocation.userId}`);
  return reply('digest-on', lang, {
    visibility: 'channel',
    title: tr(lang, 'Weekly digest is on', '每周摘要已开启'),
    intro: [
      tr(lang, `${describeSchedule(schedule, 'en')} (${timezone}), paperbot posts here the new papers matching this channel's topics. A week with nothing new posts nothing.`, `${describeSchedule(schedule, 'zh')}（${timezone}），paperbot 会在本频道发布符合关注主题的新论文；没有新论文的一周不发布。`),
      tr(lang, `Next digest: ${formatLocal(next, timezone)} (${timezone}).`, `下一期：${formatLocal(next, timezone)}（${timezone}）。`),
      topics === 0 ? tr(lang, 'This channel follows no topics yet: `/paper follow <query>` adds one.', '本频道尚未关注主题：发送 `/paper follow <主题>` 添加。') : tr(lang, `Topics followed: ${topics}.`, `已关注主题：${topics} 个。`),
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
    intro: [changed ? tr(lang, 'Weekly digest is off for this channel. `/paper digest on` turns it back on.', '本频道的每周摘要已关闭。发送 `/paper digest on` 可重新开启。') : tr(lang, 'The weekly digest was not on in this channel.', '本频道没有开启每周摘要。')],
    data: { changed },
  });
}

function status(input: CommandInput): Reply {
  const { services, lang } = input;
  const sub = subscriptionOf(input);
  const now = services.clock.now().getTime();
  const last = store.lastPosted(services.db, sub.platform, sub.channel);
  const intro: string[] = [];
  if (!sub.enabled) intro.push(tr(lang, 'The weekly digest is off in this channel.', '本频道的每周摘要已关闭。'));
  else if (sub.pausedReason) intro.push(tr(lang, `The weekly digest is paused: paperbot could not post here (${sub.pausedReason}). \`/paper digest on\` resumes it.`, `每周摘要已暂停：无法在本频道发帖（${sub.pausedReason}）。发送 \`/paper digest on\` 恢复。`));
  else intro.push(tr(lang, `Weekly digest: ${describeSchedule(sub.schedule, 'en')} (${sub.timezone}).`, `每周摘要：${describeSchedule(sub.schedule, 'zh')}（${sub.timezone}）。`));
  intro.push(last ? tr(lang, `Last digest: ${formatLocal(Date.parse(last.postedAt ?? last.slot), sub.timezone)} with ${last.paperCount} paper(s).`, `上一期：${formatLocal(Date.parse(last.postedAt ?? last.slot), sub.timezone)}，共 ${last.paperCount} 篇。`) : tr(lang, 'No digest has gone out yet.', '尚未发布过摘要。'));
  const next = sub.enabled && !sub.pausedReason ? nextSlot(sub.schedule, sub.timezone, now) : null;
  const pending = upcoming(input, sub);
  if (next !== null) intro.push(tr(lang, `Next: ${formatLocal(next, sub.timezone)} (${sub.timezone}); it holds ${pending.length} paper(s) so far.`, `下一期：${formatLocal(next, sub.timezone)}（${sub.timezone}），目前有 ${pending.length} 篇。`));
  return reply('digest-status', lang, { intro, data: { state: !sub.enabled ? 'off' : sub.pausedReason ? 'paused' : 'on', lastPosted: last?.postedAt ?? null, nextSlot: next === null ? null : iso(next), upcoming: pending.length } });
}

function preview(input: CommandInput): Reply {
  const { services, lang } = input;
  const sub = subscriptionOf(input);
  const entries = upcoming(input, sub);
  if (entries.length === 0) return reply('digest-preview', lang, { intro: [tr(lang, 'Nothing new matches this channel\'s topics yet.', '目前还没有符合本频道主题的新论文。')], data: { papers: [] } });
  return digestReply({ lang, entries, since: store.windowStart(services.db, sub).slice(0, 10), preview: true });
}

async function now(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, lang } = input;
  const sub = subscriptionOf(input);
  if (!sub.enabled || sub.pausedReason) throw notOn();
  const at = services.clock.now().getTime();
  const claim = claimDigest(services, sub, iso(at), 'now', at, lazyMatcher(services, [sub], at), true);
  if (!claim) return reply('digest-now', lang, { intro: [tr(lang, 'Nothing new matches this channel\'s topics since the last digest.', '自上一期以来，没有符合本频道主题的新论文。')], data: { result: 'empty' } });
  const result = await attemptDigest(services, sub, claim.post, 1, at);
  if (result.kind === 'posted') return reply('digest-now', lang, { intro: [tr(lang, `Posted a digest of ${result.post.papers.length} paper(s) to this channel.`, `已在本频道发布摘要，共 ${result.post.papers.length} 篇。`)], data: { result: 'posted', post: result.post } });
  if (result.kind === 'paused') return reply('digest-now', lang, { intro: [tr(lang, `paperbot cannot post in this channel (${result.reason}), so its digest is paused.`, `paperbot 无法在本频道发帖（${result.reason}），每周摘要已暂停。`)], data: { result: 'paused' } });
  return reply('digest-now', lang, { intro: [tr(lang, `The post did not go through (${result.error}); paperbot will retry on its own.`, `发布失败（${result.error}），paperbot 会自动重试。`)], data: { result: 'retry' } });
}

function more(input: CommandInput, rest: string): Reply {
  const { services, invocation, lang } = input;
  const id = Number(rest);
  const post = Number.isInteger(id) ? store.postById(services.db, id) : store.lastPosted(services.db, invocation.platform, invocation.channelId);
  if (!post || post.platform !== invocation.platform || post.channel !== invocation.channelId) {
    throw new UserError('digest-more', { en: 'There is no such digest in this channel.', zh: '本频道没有这一期摘要。' });
  }
  return moreReply(lang, entriesOf(services, post.id));
}

export const digestCommand: Command = {
  name: 'digest',
  aliases: ['摘要', '每周摘要'],
  summary: { en: "New papers on this channel's topics, weekly: on [day] [HH:MM] [zone] | off | status | preview | now", zh: '每周推送本频道关注主题的新论文：on [星期] [时间] [时区] | off | status | preview | now' },
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
        throw new UserError('digest-sub', { en: `"${word}" is not a digest command.`, zh: `“${word}”不是 digest 的子命令。` }, ['digest on', 'digest off', 'digest status', 'digest preview', 'digest now']);
    }
  },
};
