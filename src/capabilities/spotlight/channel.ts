import type { Platform } from '../../adapter.js';
import type { Services } from '../../services.js';
import type { Lang } from '../../i18n/index.js';
import { addDays, describeSchedule, formatLocal, iso, latestSlot, localAt, nextSlot, weekdayOf, type ChannelRef } from '../../delivery/index.js';
import { attempt, claimSlot, type AttemptResult } from './deliver.js';
import { remainingInRound } from './rotation.js';
import * as store from './store.js';
import type { Subscription } from './store.js';

export type SubscriptionInfo = {
  platform: Platform;
  workspaceId: string;
  channel: string;
  /** Five-field cron expression. */
  schedule: string;
  /** `every Monday at 09:00`. */
  description: string;
  timezone: string;
  lang: Lang;
  state: 'on' | 'paused' | 'off';
  pausedReason: string | null;
  /** The next slot not yet claimed, as an ISO instant; null when off or paused. */
  nextSlot: string | null;
  /** The same in the channel's zone, `2026-11-30 09:00`. */
  nextSlotLocal: string | null;
  round: number;
  /** Papers the channel has still to see in this round. */
  remaining: number;
};

/** The next slot that has no claim yet (a `spotlight now` may have taken this week's). */
async function nextFreeSlot(services: Services, sub: Subscription, now: number): Promise<number | null> {
  let t = nextSlot(sub.schedule, sub.timezone, now);
  for (let i = 0; t !== null && i < 52; i++) {
    if (!(await store.getPost(services.sql, sub, iso(t)))) return t;
    t = nextSlot(sub.schedule, sub.timezone, t);
  }
  return t;
}

export async function subscriptionInfo(services: Services, sub: Subscription, now: number): Promise<SubscriptionInfo> {
  const state = !sub.enabled ? 'off' : sub.pausedReason ? 'paused' : 'on';
  const next = state === 'on' ? await nextFreeSlot(services, sub, now) : null;
  return {
    platform: sub.platform,
    workspaceId: sub.workspaceId,
    channel: sub.channel,
    schedule: sub.schedule,
    description: describeSchedule(sub.schedule, 'en'),
    timezone: sub.timezone,
    lang: sub.lang,
    state,
    pausedReason: sub.pausedReason,
    nextSlot: next === null ? null : iso(next),
    nextSlotLocal: next === null ? null : formatLocal(next, sub.timezone),
    round: sub.round,
    remaining: await remainingInRound(services.sql, sub, services.papers),
  };
}

/** Every subscription, on, paused or off, with its next slot. */
export async function listSubscriptions(services: Services, now: Date = services.clock.now()): Promise<SubscriptionInfo[]> {
  const out: SubscriptionInfo[] = [];
  for (const sub of await store.allSubscriptions(services.sql)) out.push(await subscriptionInfo(services, sub, now.getTime()));
  return out;
}

function mondayOf(instant: number, zone: string): string {
  const l = localAt(instant, zone);
  const m = addDays(l, -((weekdayOf(l.year, l.month, l.day) + 6) % 7));
  return `${m.year}-${m.month}-${m.day}`;
}

/**
 * Which slot `spotlight now` takes: this week's (Monday to Sunday in the channel's zone) scheduled
 * slot if it is still free, whether it has passed or is still to come, so the schedule does not post
 * again that week; otherwise an extra slot at this instant.
 */
async function slotForNow(services: Services, sub: Subscription, now: number): Promise<string> {
  const week = mondayOf(now, sub.timezone);
  const candidates = [latestSlot(sub.schedule, sub.timezone, now), nextSlot(sub.schedule, sub.timezone, now)];
  for (const t of candidates) {
    if (t === null || mondayOf(t, sub.timezone) !== week) continue;
    if (!(await store.getPost(services.sql, sub, iso(t)))) return iso(t);
  }
  return iso(now);
}

export type NowResult = AttemptResult | { kind: 'not-subscribed' } | { kind: 'busy' };

/** Posts the channel's next spotlight at once, through the same claim as the schedule. */
export async function postNow(services: Services, ref: ChannelRef, now: number): Promise<NowResult> {
  const sub = await store.getSubscription(services.sql, ref);
  if (!sub || !sub.enabled || sub.pausedReason) return { kind: 'not-subscribed' };
  if (services.papers.length === 0) return { kind: 'dropped', reason: 'the catalog is empty' };
  const slot = await slotForNow(services, sub, now);
  const claim = await claimSlot(services, ref, slot, 'now', now);
  if (!claim) return { kind: 'busy' };
  return attempt(services, sub, { id: claim.id, slot, paperId: claim.paper.id, attempts: 1 }, now);
}
