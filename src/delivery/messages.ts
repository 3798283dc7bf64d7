import { countOf, defineMessages } from '../i18n/index.js';

/** The weekly posts a schedule belongs to: the command word its examples name. */
export type WeeklyCommand = 'spotlight' | 'digest';

const EN_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ZH_DAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

const en = {
  badTime: (v: { token: string }) => `"${v.token}" is not a time of day. Use 24-hour HH:MM, from 00:00 to 23:59.`,
  badLang: (v: { value: string }) => `"${v.value}" is not a language paperbot posts in: use lang:en or lang:zh.`,
  badZone: (v: { token: string }) => `"${v.token}" is not an IANA time zone. Use a name such as Europe/Berlin, America/New_York or Asia/Shanghai.`,
  badWord: (v: { token: string; command: WeeklyCommand }) =>
    `"${v.token}" is not a day, a time or a time zone I know. Write e.g. \`${v.command} on monday 09:00 Europe/Berlin\`, or a cron expression in quotes.`,
  badCron: (v: { expression: string; why: string }) => `"${v.expression}" is not a usable cron schedule: ${v.why}.`,
  cronFieldCount: (v: { fields: number }) => `it has ${countOf(v.fields, 'field')}; a cron schedule has 5 (minute hour day month weekday)`,
  tooDense: (v: { expression: string; command: WeeklyCommand }) =>
    `"${v.expression}" would post more than once a day; a ${v.command} posts at most once a day. Give one time of day, on the days you want (e.g. "0 9 * * 1-5" for weekdays at 09:00).`,
  cronSchedule: (v: { expression: string }) => `on the cron schedule "${v.expression}"`,
  weeklySchedule: (v: { weekday: number; time: string }) => `every ${EN_DAYS[v.weekday]} at ${v.time}`,
};

const zh = {
  badTime: (v: { token: string }) => `“${v.token}”不是有效的时间，请用 24 小时制 HH:MM（00:00–23:59）。`,
  badLang: (v: { value: string }) => `不支持语言“${v.value}”，请用 lang:zh 或 lang:en。`,
  badZone: (v: { token: string }) => `“${v.token}”不是 IANA 时区名，请使用 Asia/Shanghai、Europe/Berlin 这样的名称。`,
  badWord: (v: { token: string; command: WeeklyCommand }) =>
    `无法识别“${v.token}”：请写星期、时间和时区，例如 \`${v.command} on 周一 09:00 Asia/Shanghai\`，或用引号写 cron 表达式。`,
  badCron: (v: { expression: string; why: string }) => `“${v.expression}”不是可用的 cron 表达式：${v.why}。`,
  // node-cron's own reasons are English, so the Chinese message quotes the English count too.
  cronFieldCount: (v: { fields: number }) => `it has ${countOf(v.fields, 'field')}; a cron schedule has 5 (minute hour day month weekday)`,
  tooDense: (v: { expression: string; command: WeeklyCommand }) =>
    `“${v.expression}”每天会发布不止一次；${v.command === 'digest' ? '每周摘要' : '每周论文'}每天最多发布一次。请只给一个时间点，并选择日期（例如 "0 9 * * 1-5" 表示工作日 09:00）。`,
  cronSchedule: (v: { expression: string }) => `按 cron 表达式 “${v.expression}”`,
  weeklySchedule: (v: { weekday: number; time: string }) => `每${ZH_DAYS[v.weekday]} ${v.time}`,
} satisfies typeof en;

/** The words of a schedule, shared by every weekly post (spotlight, digest): what `on` reads and how a schedule is described. */
export const scheduleText = defineMessages({ en, zh });
