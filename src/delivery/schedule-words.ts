import { isTimeZone } from '../config.js';
import { UserError } from '../errors.js';
import type { Lang } from '../i18n/index.js';
import { parseSchedule, requireAtMostDaily, weeklyExpression } from './cron.js';
import { scheduleText, type WeeklyCommand } from './messages.js';

/** Reads what follows `spotlight on`: a day, a time, a zone and a language, or a cron expression. */
export type OnRequest = {
  weekday?: number;
  hour?: number;
  minute?: number;
  /** A whole cron expression, already validated. */
  cron?: string;
  timezone?: string;
  lang?: Lang;
};

const EN_DAYS: Record<string, number> = {
  sun: 0, sunday: 0, mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6,
};
const ZH_DAY_DIGITS: Record<string, number> = { 日: 0, 天: 0, 七: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };
const ZH_DAY = /^(?:每)?(?:周|星期|礼拜)([一二三四五六日天七])$/;
const LANGS: Record<string, Lang> = { en: 'en', english: 'en', 英文: 'en', 英语: 'en', zh: 'zh', chinese: 'zh', 中文: 'zh', 汉语: 'zh' };
const CRON_START = /^[\d*][\d*,/-]*$/;

function parseDay(token: string): number | undefined {
  const lower = token.toLowerCase().replace(/s$/, '');
  if (lower in EN_DAYS) return EN_DAYS[lower];
  const digit = ZH_DAY.exec(token)?.[1];
  return digit === undefined ? undefined : ZH_DAY_DIGITS[digit];
}

/** `09:00`, `9:30`, `9am`, `4:30pm`, `9点`, `9点半`, `下午3点30分`; undefined when the token is no time at all. */
function parseTime(token: string): { hour: number; minute: number } | undefined {
  let m = /^(\d{1,2}):(\d{1,2})$/.exec(token);
  let hour: number;
  let minute: number;
  if (m) {
    hour = Number(m[1]);
    minute = Number(m[2]);
  } else if ((m = /^(\d{1,2})(?::(\d{2}))?(am|pm)$/i.exec(token))) {
    hour = Number(m[1]);
    minute = m[2] ? Number(m[2]) : 0;
    if (hour < 1 || hour > 12) throw badTime(token);
    hour = (hour % 12) + (m[3]?.toLowerCase() === 'pm' ? 12 : 0);
  } else if ((m = /^(上午|早上|中午|下午|晚上)?(\d{1,2})[点點时](?:(半)|(\d{1,2})分?)?$/.exec(token))) {
    hour = Number(m[2]);
    minute = m[3] ? 30 : m[4] ? Number(m[4]) : 0;
    if ((m[1] === '下午' || m[1] === '晚上') && hour < 12) hour += 12;
  } else {
    return undefined;
  }
  if (hour > 23 || minute > 59) throw badTime(token);
  return { hour, minute };
}

function badTime(token: string): UserError {
  return new UserError(
    'bad-time',
    scheduleText.both('badTime', { token }),
    ['spotlight on monday 09:00', 'spotlight on 周五 16:30'],
  );
}

/** Splits Chinese written without spaces: `周一9:00` → `周一 9:00`. */
function tokenize(text: string): string[] {
  return text
    .replace(/([周期拜][一二三四五六日天七])(?=\S)/g, '$1 ')
    .split(/\s+/)
    .filter(Boolean);
}

/** The zone as the IANA list spells it (`europe/berlin` → `Europe/Berlin`), keeping current names (`Asia/Kolkata`, not ICU's `Asia/Calcutta`). */
function canonicalZone(zone: string): string {
  const lower = zone.toLowerCase();
  const listed = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === lower);
  if (listed) return listed;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === lower ? resolved : zone;
}

/** The arguments of `spotlight on …` or `digest on …`; `command` names the one in examples of a mistake. */
export function parseOnArgs(args: string, command: WeeklyCommand): OnRequest {
  const request: OnRequest = {};
  let text = args;
  const quoted = /["“”'‘’`]([^"“”'‘’`]+)["“”'‘’`]/.exec(text);
  const schedule = quoted?.[1];
  if (quoted && schedule !== undefined) {
    request.cron = requireAtMostDaily(parseSchedule(schedule).expression, command);
    text = text.slice(0, quoted.index) + ' ' + text.slice(quoted.index + quoted[0].length);
  }
  const tokens = tokenize(text);
  const langToken = tokens.findIndex((t) => /^(?:lang|language|语言)[:=：]/i.test(t));
  if (langToken >= 0) {
    const value = tokens[langToken]?.split(/[:=：]/)[1]?.toLowerCase() ?? '';
    const lang = LANGS[value];
    if (!lang) {
      throw new UserError('bad-lang', scheduleText.both('badLang', { value }));
    }
    request.lang = lang;
    tokens.splice(langToken, 1);
  }
  const [firstToken] = tokens;
  if (!request.cron && firstToken !== undefined && CRON_START.test(firstToken)) {
    const fields = tokens.splice(0, Math.min(5, tokens.length));
    request.cron = requireAtMostDaily(parseSchedule(fields.join(' ')).expression, command);
  }
  for (const token of tokens) {
    const day = parseDay(token);
    if (day !== undefined && request.weekday === undefined && !request.cron) {
      request.weekday = day;
      continue;
    }
    const time = parseTime(token);
    if (time && request.hour === undefined && !request.cron) {
      request.hour = time.hour;
      request.minute = time.minute;
      continue;
    }
    if (request.timezone === undefined && /[A-Za-z]/.test(token) && isTimeZone(token)) {
      request.timezone = canonicalZone(token);
      continue;
    }
    if (token.includes('/') && /[A-Za-z]/.test(token)) {
      throw new UserError(
        'bad-zone',
        scheduleText.both('badZone', { token }),
        ['Europe/Berlin', 'Asia/Shanghai', 'UTC'],
      );
    }
    throw new UserError(
      'bad-spotlight-word',
      scheduleText.both('badWord', { token, command }),
      [`${command} on monday 09:00`, `${command} on 周五 16:30 Asia/Shanghai`, `${command} on "0 9 * * 1"`],
    );
  }
  return request;
}

/** The cron expression an `on` request means, filling gaps from the channel's current weekly schedule or Monday 09:00. */
export function scheduleFor(request: OnRequest, current: { weekday: number; hour: number; minute: number } | null): string {
  if (request.cron) return request.cron;
  const base = current ?? { weekday: 1, hour: 9, minute: 0 };
  return weeklyExpression(request.weekday ?? base.weekday, request.hour ?? base.hour, request.minute ?? base.minute);
}
