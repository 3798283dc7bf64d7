import cron from 'node-cron';
import { UserError } from '../errors.js';
import type { Lang } from '../i18n/index.js';
import { scheduleText, type WeeklyCommand } from './messages.js';

/**
 * A channel's schedule is always stored as a five-field cron expression (minute hour day-of-month
 * month day-of-week); `Monday 09:00` is `0 9 * * 1`. node-cron validates and expands the fields;
 * the slot arithmetic in slots.ts reads the expanded fields.
 */
export type Schedule = {
  expression: string;
  minutes: number[];
  hours: number[];
  /** `'L'` is the last day of the month. */
  daysOfMonth: (number | 'L')[];
  months: number[];
  /** 0 = Sunday … 6 = Saturday. */
  weekdays: number[];
};

const cache = new Map<string, Schedule>();

export function parseSchedule(expression: string): Schedule {
  const normalized = expression.trim().split(/\s+/).join(' ');
  const cached = cache.get(normalized);
  if (cached) return cached;
  const fields = normalized.split(' ');
  if (fields.length !== 5) {
    throw badCron(normalized, scheduleText.text('en', 'cronFieldCount', { fields: fields.length }));
  }
  const checked = cron.validateDetailed(normalized);
  if (!checked.valid || !checked.fields) {
    throw badCron(normalized, checked.errors.map((e) => e.message).join('; ') || 'node-cron rejects it');
  }
  const f = checked.fields;
  const daysOfMonth = f.dayOfMonth.map((d) => (d === 'L' ? 'L' : Number(d)));
  const weekdays = f.dayOfWeek.map(Number);
  if (daysOfMonth.some((d) => d !== 'L' && !Number.isInteger(d)) || weekdays.some((d) => !Number.isInteger(d))) {
    throw badCron(normalized, 'only numbers, ranges, steps, lists, names and L are supported');
  }
  const schedule: Schedule = {
    expression: normalized,
    minutes: [...f.minute].sort((a, b) => a - b),
    hours: [...f.hour].sort((a, b) => a - b),
    daysOfMonth,
    months: [...f.month],
    weekdays: [...new Set(weekdays.map((d) => d % 7))],
  };
  cache.set(normalized, schedule);
  return schedule;
}

function badCron(expression: string, why: string): UserError {
  return new UserError(
    'bad-cron',
    scheduleText.both('badCron', { expression, why }),
    ['spotlight on "30 9 * * 1"', 'spotlight on friday 16:00'],
  );
}

/**
 * A spotlight (and the digest) posts at most once a day: one hour and one minute, on whichever days.
 * A denser schedule would flood the channel and makes every slot computation walk the whole day.
 */
export function isAtMostDaily(schedule: Schedule | string): boolean {
  const s = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  return s.hours.length === 1 && s.minutes.length === 1;
}

export function requireAtMostDaily(expression: string, command: WeeklyCommand): string {
  if (isAtMostDaily(expression)) return expression;
  throw new UserError(
    'schedule-too-dense',
    scheduleText.both('tooDense', { expression, command }),
    [`${command} on monday 09:00`, `${command} on "0 9 * * 1-5"`],
  );
}

export function weeklyExpression(weekday: number, hour: number, minute: number): string {
  return `${minute} ${hour} * * ${weekday}`;
}

/** The day and time of a plain weekly schedule, or null for any other cron expression. */
export function weeklyParts(expression: string): { weekday: number; hour: number; minute: number } | null {
  const m = /^(\d{1,2}) (\d{1,2}) \* \* (\d)$/.exec(expression);
  if (!m) return null;
  return { minute: Number(m[1]), hour: Number(m[2]), weekday: Number(m[3]) % 7 };
}

/** `every Monday at 09:00` / `每周一 09:00`, or the cron expression itself. */
export function describeSchedule(expression: string, lang: Lang): string {
  const weekly = weeklyParts(expression);
  if (!weekly) return scheduleText.text(lang, 'cronSchedule', { expression });
  const time = `${String(weekly.hour).padStart(2, '0')}:${String(weekly.minute).padStart(2, '0')}`;
  return scheduleText.text(lang, 'weeklySchedule', { weekday: weekly.weekday, time });
}
