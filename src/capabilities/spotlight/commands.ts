import { UserError } from '../../errors.js';
import { hasHan, tr } from '../../i18n/index.js';
import { reply, type Reply } from '../../reply.js';
import { postNow, subscriptionInfo } from './channel.js';
import { describeSchedule, weeklyParts } from './cron.js';
import { iso } from './deliver.js';
import { parseOnArgs, scheduleFor } from './parse.js';
import { spotlightReply } from './post.js';
import { peekNext } from './rotation.js';
import { nextSlot } from './slots.js';
import * as store from './store.js';
import { mayManage, type Command, type CommandInput } from '../../services.js';

type Sub = 'on' | 'off' | 'status' | 'preview' | 'now';

const WORDS: Record<string, Sub> = {
  on: 'on', enable: 'on', start: 'on', subscribe: 'on', 开启: 'on', 打开: 'on', 订阅: 'on', 开: 'on',
  off: 'off', disable: 'off', stop: 'off', unsubscribe: 'off', 关闭: 'off', 取消: 'off', 停止: 'off', 关: 'off',
  status: 'status', 状态: 'status',
  preview: 'preview', next: 'preview', 预览: 'preview', 下一篇: 'preview',
  now: 'now', post: 'now', 立即: 'now', 现在: 'now', 马上: 'now', 立即发布: 'now',
};
// Longest first, so `立即发布` wins over `立即` when Chinese is typed without a space.
const HAN_WORDS = Object.keys(WORDS)
  .filter(hasHan)
  .sort((a, b) => b.length - a.length);

function splitSub(args: string): { sub: Sub | null; word: string; rest: string } {
  const trimmed = args.trim();
  if (!trimmed) return { sub: 'status', word: '', rest: '' };
  const space = trimmed.indexOf(' ');
  let word = space < 0 ? trimmed : trimmed.slice(0, space);
  let rest = space < 0 ? '' : trimmed.slice(space + 1).trim();
  if (!(word.toLowerCase() in WORDS)) {
    const prefix = HAN_WORDS.find((w) => word.startsWith(w));
    if (prefix) {
      rest = `${word.slice(prefix.length)} ${rest}`.trim();
      word = prefix;
    }
  }
  return { sub: WORDS[word.toLowerCase()] ?? null, word, rest };
}

function requireManager(input: CommandInput): void {
  if (mayManage(input.invocation)) return;
  throw new UserError('not-allowed', {
    en: 'Only people who may manage this channel can change its spotlight (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).',
    zh: '只有可以管理本频道的人才能更改每周论文设置（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。',
  });
}

function notSubscribed(): UserError {
  return new UserError(
    'spotlight-off',
    {
      en: 'This channel has no spotlight. `/paper spotlight on` starts one (Monday 09:00 by default).',
      zh: '本频道尚未开启每周论文。发送 `/paper spotlight on`（默认每周一 09:00）即可开启。',
    },
    ['spotlight on', 'spotlight on friday 16:00 Europe/Berlin'],
  );
}

function turnOn(input: CommandInput, rest: string): Reply {
  requireManager(input);
  const { services, invocation } = input;
  const { db, clock, config } = services;
  const request = parseOnArgs(rest);
  const existing = store.getSubscription(db, invocation.platform, invocation.channelId);
  const schedule =
    rest.trim() === '' && existing ? existing.schedule : scheduleFor(request, existing ? weeklyParts(existing.schedule) : null);
  const timezone = request.timezone ?? existing?.timezone ?? config.spotlight.timezone;
  // A bare `spotlight on` (resuming) has no language of its own: it keeps the channel's.
  const postLang = request.lang ?? (input.lang === 'en' && rest.trim() === '' && existing ? existing.lang : input.lang);
  const lang = input.lang;
  const now = clock.now().getTime();
  if (nextSlot(schedule, timezone, now) === null) {
    throw new UserError('cron-never', {
      en: `The schedule "${schedule}" never comes round; pick days that exist (e.g. not 30 February).`,
      zh: `cron 表达式“${schedule}”永远不会触发，请选择存在的日期。`,
    });
  }
  const sub = store.subscribe(db, {
    platform: invocation.platform,
    channel: invocation.channelId,
    schedule,
    timezone,
    lang: postLang,
    by: invocation.userId,
    now: iso(now),
  });
  const info = subscriptionInfo(services, sub, now);
  services.log.info(`spotlight ${sub.platform}:${sub.channel}: on, ${schedule} ${timezone} ${postLang}, by ${invocation.userId}`);
  const when = tr(lang, `${describeSchedule(schedule, lang)} (${timezone})`, `${describeSchedule(schedule, lang)}（${timezone}）`);
  return reply('spotlight-on', lang, {
    visibility: 'channel',
    title: tr(lang, 'Paper spotlight is on', '每周论文推荐已开启'),
    intro: [
      tr(
        lang,
        `${when[0].toUpperCase()}${when.slice(1)}, paperbot posts one paper from the list here: a different one each time until all ${services.papers.length} have been shown, then a new round starts.`,
        `${when}，paperbot 会在本频道推荐一篇论文，每次不同，${services.papers.length} 篇全部推荐完后开始新一轮。`,
      ),
      tr(lang, `Next post: ${info.nextSlotLocal} (${timezone}).`, `下一次推荐：${info.nextSlotLocal}（${timezone}）。`),
    ],
    data: { ...info },
  });
}

function turnOff(input: CommandInput): Reply {
  requireManager(input);
  const { services, invocation, lang } = input;
  const changed = store.unsubscribe(services.db, invocation.platform, invocation.channelId, iso(services.clock.now().getTime()));
  if (changed) services.log.info(`spotlight ${invocation.platform}:${invocation.channelId}: off, by ${invocation.userId}`);
  return reply('spotlight-off', lang, {
    visibility: changed ? 'channel' : 'ephemeral',
    intro: [
      changed
        ? tr(lang, 'Paper spotlight is off for this channel. `/paper spotlight on` turns it back on; the rotation carries on where it stopped.', '本频道的每周论文推荐已关闭。发送 `/paper spotlight on` 可重新开启，推荐顺序会接着上次继续。')
        : tr(lang, 'Paper spotlight was not on in this channel.', '本频道没有开启每周论文推荐。'),
    ],
    data: { changed },
  });
}

function status(input: CommandInput): Reply {
  const { services, invocation, lang } = input;
  const sub = store.getSubscription(services.db, invocation.platform, invocation.channelId);
  if (!sub) throw notSubscribed();
  const info = subscriptionInfo(services, sub, services.clock.now().getTime());
  const intro: string[] = [];
  const when = tr(lang, `${describeSchedule(sub.schedule, lang)} (${sub.timezone})`, `${describeSchedule(sub.schedule, lang)}（${sub.timezone}）`);
  if (info.state === 'off') intro.push(tr(lang, 'Paper spotlight is off in this channel. `/paper spotlight on` turns it back on.', '本频道的每周论文推荐已关闭，发送 `/paper spotlight on` 可重新开启。'));
  else if (info.state === 'paused') {
    intro.push(
      tr(
        lang,
        `Paper spotlight is paused: paperbot could not post here (${sub.pausedReason}). Fix the channel or the bot's permissions, then \`/paper spotlight on\` resumes it.`,
        `每周论文推荐已暂停：无法在本频道发帖（${sub.pausedReason}）。修复频道或机器人权限后，发送 \`/paper spotlight on\` 恢复。`,
      ),
    );
  } else {
    intro.push(tr(lang, `Paper spotlight: ${when}.`, `每周论文推荐：${when}。`));
    intro.push(tr(lang, `Next post: ${info.nextSlotLocal} (${sub.timezone}).`, `下一次推荐：${info.nextSlotLocal}（${sub.timezone}）。`));
  }
  intro.push(
    tr(
      lang,
      `${info.remaining} of ${services.papers.length} papers left before the rotation starts over (round ${info.round}).`,
      `本轮（第 ${info.round} 轮）还剩 ${info.remaining} 篇（共 ${services.papers.length} 篇），之后重新开始。`,
    ),
  );
  return reply('spotlight-status', lang, { intro, data: { ...info } });
}

function preview(input: CommandInput): Reply {
  const { services, invocation, lang } = input;
  const sub = store.getSubscription(services.db, invocation.platform, invocation.channelId);
  if (!sub) throw notSubscribed();
  const pick = peekNext(services.db, sub, services.papers);
  if (!pick) throw new UserError('empty-catalog', { en: 'The catalog has no papers to spotlight.', zh: '清单中没有可推荐的论文。' });
  const next = subscriptionInfo(services, sub, services.clock.now().getTime());
  const r = spotlightReply({
    paper: pick.paper,
    related: services.search.related(pick.paper, 3),
    lang,
    preview: true,
    data: { nextSlot: next.nextSlot, round: pick.round, remainingAfter: pick.remainingAfter },
  });
  if (next.nextSlotLocal) r.footer = tr(lang, `Scheduled for ${next.nextSlotLocal} (${sub.timezone}).`, `计划于 ${next.nextSlotLocal}（${sub.timezone}）发布。`);
  return r;
}

async function now(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, invocation, lang } = input;
  const at = services.clock.now().getTime();
  const result = await postNow(services, invocation.platform, invocation.channelId, at);
  if (result.kind === 'not-subscribed') {
    const sub = store.getSubscription(services.db, invocation.platform, invocation.channelId);
    if (sub?.pausedReason) {
      throw new UserError('spotlight-paused', {
        en: `Paper spotlight is paused here (${sub.pausedReason}). \`/paper spotlight on\` resumes it.`,
        zh: `本频道的每周论文推荐已暂停（${sub.pausedReason}），发送 \`/paper spotlight on\` 恢复。`,
      });
    }
    throw notSubscribed();
  }
  if (result.kind === 'busy') {
    return reply('spotlight-now', lang, { intro: [tr(lang, 'A spotlight post is already on its way to this channel.', '本频道的推荐正在发布中。')], data: { result: 'busy' } });
  }
  if (result.kind === 'posted') {
    const extra = result.post.slot === iso(at);
    const sub = store.getSubscription(services.db, invocation.platform, invocation.channelId)!;
    const next = subscriptionInfo(services, sub, at);
    const intro = [
      tr(lang, `Posted “${result.post.paper.title}” to this channel.`, `已在本频道发布《${result.post.paper.title}》。`),
      extra
        ? tr(lang, "This week's spotlight had already been posted, so this one is extra.", '本周的推荐此前已发布，这一篇为额外推荐。')
        : tr(lang, "It counts as this week's spotlight.", '这一篇算作本周的推荐。'),
    ];
    if (next.nextSlotLocal) intro.push(tr(lang, `Next scheduled post: ${next.nextSlotLocal} (${sub.timezone}).`, `下一次定时推荐：${next.nextSlotLocal}（${sub.timezone}）。`));
    return reply('spotlight-now', lang, { intro, data: { result: 'posted', post: result.post } });
  }
  if (result.kind === 'paused') {
    return reply('spotlight-now', lang, {
      intro: [tr(lang, `paperbot cannot post in this channel (${result.reason}), so its spotlight is paused.`, `paperbot 无法在本频道发帖（${result.reason}），每周论文推荐已暂停。`)],
      data: { result: 'paused', reason: result.reason },
    });
  }
  if (result.kind === 'dropped') {
    throw new UserError('empty-catalog', { en: 'The catalog has no papers to spotlight.', zh: '清单中没有可推荐的论文。' });
  }
  return reply('spotlight-now', lang, {
    intro: [tr(lang, `The post did not go through (${result.error}); paperbot will retry on its own.`, `发布失败（${result.error}），paperbot 会自动重试。`)],
    data: { result: 'retry', nextAttemptAt: result.nextAttemptAt },
  });
}

export const spotlightCommand: Command = {
  name: 'spotlight',
  aliases: ['每周论文', '论文推荐'],
  summary: {
    en: 'A paper of the week posted in this channel: on [day] [HH:MM] [zone] | off | status | preview | now',
    zh: '每周在本频道推荐一篇论文：on [星期] [时间] [时区] | off | status | preview | now',
  },
  examples: ['spotlight on monday 09:00 Europe/Berlin', 'spotlight on 周五 16:30 Asia/Shanghai', 'spotlight status', 'spotlight preview'],
  async run(input) {
    const { sub, word, rest } = splitSub(input.args);
    switch (sub) {
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
      default:
        throw new UserError(
          'unknown-spotlight-command',
          { en: `"${word}" is not a spotlight command.`, zh: `“${word}”不是 spotlight 的子命令。` },
          ['spotlight on', 'spotlight off', 'spotlight status', 'spotlight preview', 'spotlight now'],
        );
    }
  },
};
