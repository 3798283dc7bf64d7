import { mustExist, UserError } from '../../errors.js';
import { reply, type Reply } from '../../reply.js';
import { mayManage, type CommandInput } from '../../services.js';
import { postNow, subscriptionInfo } from './channel.js';
import { channelOf, describeSchedule, iso, label, nextSlot, parseOnArgs, scheduleFor, weeklyParts, type ChannelRef } from '../../delivery/index.js';
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

/** The channel the command was typed in, with what was recorded there before its workspace was known. */
async function channelHere(input: CommandInput): Promise<ChannelRef> {
  const ref = channelOf(input.invocation);
  await store.adopt(input.services.sql, ref);
  return ref;
}

function notSubscribed(): UserError {
  return new UserError(
    'spotlight-off',
    spotlightText.both('notSubscribed'),
    ['spotlight on', 'spotlight on friday 16:00 Europe/Berlin'],
  );
}

export async function turnOn(input: CommandInput, rest: string): Promise<Reply> {
  requireManager(input);
  const { services, invocation } = input;
  const { clock, config } = services;
  const request = parseOnArgs(rest, 'spotlight');
  const here = await channelHere(input);
  const existing = await store.getSubscription(services.sql, here);
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
  const sub = await store.subscribe(services.sql, {
    ...here,
    schedule,
    timezone,
    lang: postLang,
    by: invocation.userId,
    now: iso(now),
  });
  const info = await subscriptionInfo(services, sub, now);
  services.log.info(`spotlight ${label(sub)}: on, ${schedule} ${timezone} ${postLang}, by ${invocation.userId}`);
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

export async function turnOff(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, invocation, lang } = input;
  const here = await channelHere(input);
  const changed = await store.unsubscribe(services.sql, here, iso(services.clock.now().getTime()));
  if (changed) services.log.info(`spotlight ${label(here)}: off, by ${invocation.userId}`);
  return reply('spotlight-off', lang, {
    visibility: changed ? 'channel' : 'ephemeral',
    intro: [
      spotlightText.text(lang, changed ? 'offDone' : 'offNotOn'),
    ],
    data: { changed },
  });
}

export async function showStatus(input: CommandInput): Promise<Reply> {
  const { services, lang } = input;
  const sub = await store.getSubscription(services.sql, await channelHere(input));
  if (!sub) throw notSubscribed();
  const info = await subscriptionInfo(services, sub, services.clock.now().getTime());
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

export async function showPreview(input: CommandInput): Promise<Reply> {
  const { services, lang } = input;
  const sub = await store.getSubscription(services.sql, await channelHere(input));
  if (!sub) throw notSubscribed();
  const pick = await peekNext(services.sql, sub, services.papers);
  if (!pick) throw new UserError('empty-catalog', spotlightText.both('emptyCatalog'));
  const next = await subscriptionInfo(services, sub, services.clock.now().getTime());
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
  const { services, lang } = input;
  const at = services.clock.now().getTime();
  const here = await channelHere(input);
  const result = await postNow(services, here, at);
  if (result.kind === 'not-subscribed') {
    const sub = await store.getSubscription(services.sql, here);
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
    const sub = mustExist(await store.getSubscription(services.sql, here), `spotlight subscription of ${label(here)}`);
    const next = await subscriptionInfo(services, sub, at);
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
