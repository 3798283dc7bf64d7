import { mustExist } from '../errors.js';
import { parseSchedule, type Schedule } from './cron.js';
import { addDays, daysInMonth, localAt, weekdayOf, zonedToUtc } from './zoned.js';

/**
 * The instants a schedule fires in a zone, computed from any "now" (node-cron only answers from the
 * real now). Days are walked in local time and each matching local time is turned into one instant
 * (zoned.ts decides the skipped and repeated hours), so a weekly schedule fires once a week whatever
 * daylight saving does.
 */

/** How far to look for a slot: a schedule that only fires on 29 February still has one in 8 years. */
const MAX_DAYS = 366 * 8 + 2;
/** Above this many times in a day, stop at the first hit instead of sorting the whole day. */
const SMALL_DAY = 96;

type LocalDate = { year: number; month: number; day: number };

function dayMatches(s: Schedule, d: LocalDate): boolean {
  if (!s.months.includes(d.month)) return false;
  if (!s.weekdays.includes(weekdayOf(d.year, d.month, d.day))) return false;
  const last = daysInMonth(d.year, d.month);
  return s.daysOfMonth.some((dom) => (dom === 'L' ? d.day === last : dom === d.day));
}

function* timesOfDay(s: Schedule, descending: boolean): Generator<{ hour: number; minute: number }> {
  const hours = descending ? [...s.hours].reverse() : s.hours;
  const minutes = descending ? [...s.minutes].reverse() : s.minutes;
  for (const hour of hours) for (const minute of minutes) yield { hour, minute };
}

function instantsOn(s: Schedule, zone: string, d: LocalDate, accept: (t: number) => boolean, descending: boolean): number[] {
  const out: number[] = [];
  const small = s.hours.length * s.minutes.length <= SMALL_DAY;
  for (const { hour, minute } of timesOfDay(s, descending)) {
    const t = zonedToUtc({ ...d, hour, minute }, zone);
    if (!accept(t)) continue;
    out.push(t);
    if (!small) break;
  }
  return out;
}

/** The first slot strictly after `after` (ms since the epoch), or null if the schedule never fires. */
export function nextSlot(schedule: Schedule | string, zone: string, after: number): number | null {
  const s = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  const start = addDays(localAt(after, zone), -1);
  for (let i = 0; i < MAX_DAYS; i++) {
    const d = addDays(start, i);
    if (!dayMatches(s, d)) continue;
    const found = instantsOn(s, zone, d, (t) => t > after, false);
    if (found.length) return Math.min(...found);
  }
  return null;
}

/** Per schedule and zone, the last interval [latest, next) computed: a tick every minute mostly lands in it. */
const intervals = new Map<string, { latest: number; next: number }>();
const MAX_INTERVALS = 1000;

/** The last slot at or before `at`, or null if there was none in the last eight years. */
export function latestSlot(schedule: Schedule | string, zone: string, at: number): number | null {
  const s = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  const key = `${s.expression}|${zone}`;
  const known = intervals.get(key);
  if (known && known.latest <= at && at < known.next) return known.latest;
  const latest = searchLatest(s, zone, at);
  const next = latest === null ? null : nextSlot(s, zone, latest);
  if (latest !== null && next !== null && next > at) {
    if (intervals.size >= MAX_INTERVALS) intervals.clear();
    intervals.set(key, { latest, next });
  }
  return latest;
}

function searchLatest(s: Schedule, zone: string, at: number): number | null {
  const start = addDays(localAt(at, zone), 1);
  for (let i = 0; i < MAX_DAYS; i++) {
    const d = addDays(start, -i);
    if (!dayMatches(s, d)) continue;
    const found = instantsOn(s, zone, d, (t) => t <= at, true);
    if (found.length) return Math.max(...found);
  }
  return null;
}

/** Slots in (from, to], oldest first, at most `limit` of them. */
export function slotsBetween(schedule: Schedule | string, zone: string, from: number, to: number, limit: number): number[] {
  const out: number[] = [];
  let t = from;
  while (out.length < limit) {
    const next = nextSlot(schedule, zone, t);
    // `next <= t` cannot happen for a valid schedule; the guard keeps a bad one from spinning forever.
    if (next === null || next > to || next <= t) break;
    out.push(next);
    t = next;
  }
  return out;
}

const dateKey = (d: LocalDate) => d.year * 10_000 + d.month * 100 + d.day;

export type MissedSlots = {
  /** Slots strictly between `from` and `to` within the days scanned. */
  count: number;
  /** The most recent of them, newest first, at most `listed`. */
  recent: number[];
  /** False when `from` lies further back than the scan reached: there were at least `count`. */
  complete: boolean;
};

/**
 * Counts the slots of an at-most-daily schedule strictly between `from` and `to`, walking calendar
 * days back from `to`: inside the range a matching day is one slot, so only the two boundary days
 * and the few listed slots need zone arithmetic. At most `maxDays` days are walked, so the work is
 * bounded whatever the gap (the dense walk it replaces took 27 s after a long gap).
 */
export function missedSlots(schedule: Schedule | string, zone: string, from: number, to: number, maxDays: number, listed: number): MissedSlots {
  const s = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  const first = localAt(from, zone);
  const last = localAt(to, zone);
  const firstKey = dateKey(first);
  const lastKey = dateKey(last);
  const hour = mustExist(s.hours[0], 'the hour of an at-most-daily schedule');
  const minute = mustExist(s.minutes[0], 'the minute of an at-most-daily schedule');
  const out: MissedSlots = { count: 0, recent: [], complete: false };
  for (let i = 0; i <= maxDays; i++) {
    const d = addDays(last, -i);
    const key = dateKey(d);
    if (key < firstKey) {
      out.complete = true;
      return out;
    }
    if (!dayMatches(s, d)) continue;
    const boundary = key === firstKey || key === lastKey;
    const wantInstant = boundary || out.recent.length < listed;
    const t = wantInstant ? zonedToUtc({ ...d, hour, minute }, zone) : NaN;
    if (boundary && !(t > from && t < to)) continue;
    out.count++;
    if (out.recent.length < listed) out.recent.push(t);
  }
  return out;
}

/** The slot a channel's tick is about now: its schedule's latest, unless that came before the channel was switched on. */
export function currentSlot(sub: { schedule: string; timezone: string; enabledAt: string }, at: number): number | null {
  const latest = latestSlot(sub.schedule, sub.timezone, at);
  return latest === null || latest < Date.parse(sub.enabledAt) ? null : latest;
}
