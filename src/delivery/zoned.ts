/**
 * Wall-clock arithmetic in an IANA zone with nothing but Intl: what local date and time an instant
 * is, and which instant a local date and time is, including the days daylight saving skips or
 * repeats an hour.
 */

import { mustExist } from '../errors.js';

export type LocalDateTime = { year: number; month: number; day: number; hour: number; minute: number };

const MINUTE = 60_000;
const DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function localAt(instant: number, zone: string): LocalDateTime {
  const out: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(instant)) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  const part = (type: string): number => mustExist(out[type], `the ${type} of an instant in ${zone}`);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour') % 24, minute: part('minute') };
}

/** The zone's offset from UTC at an instant, in minutes (Berlin in winter: 60). */
export function offsetAt(instant: number, zone: string): number {
  const l = localAt(instant, zone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
  return Math.round((asUtc - Math.floor(instant / MINUTE) * MINUTE) / MINUTE);
}

/**
 * The instant a local time names. A time that happens twice (clocks go back) is its first
 * occurrence; a time that never happens (clocks go forward) is read with the offset from before
 * the change, so it lands just after the gap (02:30 on the spring-forward night becomes 03:30).
 * Either way each local time yields exactly one instant, which keeps weekly slots weekly.
 */
export function zonedToUtc(local: LocalDateTime, zone: string): number {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const before = offsetAt(asUtc - DAY, zone);
  const after = offsetAt(asUtc + DAY, zone);
  const valid = [asUtc - before * MINUTE, asUtc - after * MINUTE].filter(
    (candidate, i) => offsetAt(candidate, zone) === (i === 0 ? before : after),
  );
  if (valid.length > 0) return Math.min(...valid);
  return asUtc - before * MINUTE;
}

/** Day of week (0 = Sunday) of a calendar date, independent of any zone. */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The calendar date `days` after the given one. */
export function addDays(date: { year: number; month: number; day: number }, days: number) {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** `2026-11-30 09:00` in the zone, for messages. */
export function formatLocal(instant: number, zone: string): string {
  const l = localAt(instant, zone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${l.year}-${p(l.month)}-${p(l.day)} ${p(l.hour)}:${p(l.minute)}`;
}
