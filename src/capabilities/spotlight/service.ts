import { mustExist, UserError } from '../../errors.js';
import { reply, type Reply } from '../../reply.js';
import { mayManage, type CommandInput } from '../../services.js';
import { postNow, subscriptionInfo } from './channel.js';
import { describeSchedule, iso, nextSlot, parseOnArgs, scheduleFor, weeklyParts } from '../../delivery/index.js';
import { spotlightText } from './messages.js';
import { spotlightReply } from './post.js';
import { peekNext } from './rotation.js';
import * as store from './store.js';

/**
 * What each `spotlight` subcommand does to a channel's subscription: turn it on (or change its
 * schedule), off, report it, preview the next paper, post one now. commands.ts only reads the words.
 */

function requireManager(input: CommandInput): void {
  if (mayManage(input.invocation)) return;
  throw new UserError('not-allowed', spotlightText.both('notAllowed'));
}

function notSubscribed(): UserError {
  return new UserError(
    'spotlight-off',
    spotlightText.both('notSubscribed'),
    ['spotlight on', 'spotlight on friday 16:00 Europe/Berlin'],
  );
}

export function turnOn(input: CommandInput, rest: string): Reply {
  requireManager(input);
  const { services, invocation } = input;
  const { db, clock, config } = services;
  const request = parseOnArgs(rest, 'spotlight');
  const existing = store.getSubscription(db, invocation.platform, invocation.channelId);
  const schedule =
    rest.trim() === '' && existing ? existing.schedule : scheduleFor(request, existing ? weeklyParts(existing.schedule) : null);
  const timezone = request.timezone ?? existing?.timezone ?? config.spotlight.timezone;
  // A bare `spotlight on` (resuming) has no language of its own: it keeps the channel's.
  const postLang = request.lang ?? (input.lang === 'en' && rest.trim() === '' && existing ? existing.lang : input.lang);
  const lang = input.lang;
  const now = clock.now().getTime();
  if (nextSlot(schedule, timezone, now) === null) {
    throw new UserError('cron-never', spotlightText.both('cronNever', { schedule }));
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
  return reply('spotlight-on', lang, {
    visibility: 'channel',
    title: spotlightText.text(lang, 'onTitle'),
    intro: [
      spotlightText.text(lang, 'onIntro', { schedule: describeSchedule(schedule, lang), timezone, total: services.papers.length }),
      spotlightText.text(lang, 'nextPost', { local: info.nextSlotLocal, timezone }),
    ],
    data: { ...info },
  });
}

export function turnOff(input: CommandInput): Reply {
  requireManager(input);
  const { services, invocation, lang } = input;
  const changed = store.unsubscribe(services.db, invocation.platform, invocation.channelId, iso(services.clock.now().getTime()));
  if (changed) services.log.info(`spotlight ${invocation.platform}:${invocation.channelId}: off, by ${invocation.userId}`);
  return reply('spotlight-off', lang, {
    visibility: changed ? 'channel' : 'ephemeral',
    intro: [
      spotlightText.text(lang, changed ? 'offDone' : 'offNotOn'),
    ],
    data: { changed },
  });
}

export function showStatus(input: CommandInput): Reply {
  const { services, invocation, lang } = input;
  const sub = store.getSubscription(services.db, invocation.platform, invocation.channelId);
  if (!sub) throw notSubscribed();
  const info = subscriptionInfo(services, sub, services.clock.now().getTime());
  const intro: string[] = [];
  if (info.state === 'off') intro.push(spotlightText.text(lang, 'statusOff'));
  else if (info.state === 'paused') intro.push(spotlightText.text(lang, 'statusPaused', { reason: String(sub.pausedReason) }));
  else {
    intro.push(spotlightText.text(lang, 'statusOn', { schedule: describeSchedule(sub.schedule, lang), timezone: sub.timezone }));
    intro.push(spotlightText.text(lang, 'nextPost', { local: info.nextSlotLocal, timezone: sub.timezone }));
  }
  intro.push(spotlightText.text(lang, 'remaining', { remaining: info.remaining, total: services.papers.length, round: info.round }));
  return reply('spotlight-status', lang, { intro, data: { ...info } });
}

export function showPreview(input: CommandInput): Reply {
  const { services, invocation, lang } = input;
  const sub = store.getSubscription(services.db, invocation.platform, invocation.channelId);
  if (!sub) throw notSubscribed();
  const pick = peekNext(services.db, sub, services.papers);
  if (!pick) throw new UserError('empty-catalog', spotlightText.both('emptyCatalog'));
  const next = subscriptionInfo(services, sub, services.clock.now().getTime());
  const r = spotlightReply({
    paper: pick.paper,
    related: services.search.related(pick.paper, 3),
    lang,
    preview: true,
    data: { nextSlot: next.nextSlot, round: pick.round, remainingAfter: pick.remainingAfter },
  });
  if (next.nextSlotLocal) r.footer = spotlightText.text(lang, 'scheduledFor', { local: next.nextSlotLocal, timezone: sub.timezone });
  return r;
}

export async function postNowHere(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, invocation, lang } = input;
  const at = services.clock.now().getTime();
  const result = await postNow(services, invocation.platform, invocation.channelId, at);
  if (result.kind === 'not-subscribed') {
    const sub = store.getSubscription(services.db, invocation.platform, invocation.channelId);
    if (sub?.pausedReason) {
      throw new UserError('spotlight-paused', spotlightText.both('pausedHere', { reason: sub.pausedReason }));
    }
    throw notSubscribed();
  }
  if (result.kind === 'busy') {
    return reply('spotlight-now', lang, { intro: [spotlightText.text(lang, 'busy')], data: { result: 'busy' } });
  }
  if (result.kind === 'posted') {
    const extra = result.post.slot === iso(at);
    const sub = mustExist(store.getSubscription(services.db, invocation.platform, invocation.channelId), `spotlight subscription of ${invocation.platform}:${invocation.channelId}`);
    const next = subscriptionInfo(services, sub, at);
    const intro = [
      spotlightText.text(lang, 'posted', { title: result.post.paper.title }),
      spotlightText.text(lang, extra ? 'postedExtra' : 'postedCounts'),
    ];
    if (next.nextSlotLocal) intro.push(spotlightText.text(lang, 'nextScheduled', { local: next.nextSlotLocal, timezone: sub.timezone }));
    return reply('spotlight-now', lang, { intro, data: { result: 'posted', post: result.post } });
  }
  if (result.kind === 'paused') {
    return reply('spotlight-now', lang, {
      intro: [spotlightText.text(lang, 'cannotPost', { reason: result.reason })],
      data: { result: 'paused', reason: result.reason },
    });
  }
  if (result.kind === 'dropped') {
    throw new UserError('empty-catalog', spotlightText.both('emptyCatalog'));
  }
  return reply('spotlight-now', lang, {
    intro: [spotlightText.text(lang, 'willRetry', { error: result.error })],
    data: { result: 'retry', nextAttemptAt: result.nextAttemptAt },
  });
}
