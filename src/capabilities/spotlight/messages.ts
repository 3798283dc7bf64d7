import { defineMessages } from '../../i18n/index.js';

type Schedule = { schedule: string; timezone: string };
/** `local` is null only when the schedule never comes round, which `spotlight on` refuses. */
type NextPost = { local: string | null; timezone: string };
/** The parts of a paper a spotlight's "why read it" line is built from, names already in the post's language. */
type WhyParts = { techniques: string; regions: string[]; tasks: string[]; modalities: string[]; venue: string; datasets: string[] };

const EN_MODALITIES: Record<string, string> = { US: 'ultrasound', MG: 'mammography', 'H&E': 'H&E histology' };
const ZH_MODALITIES: Record<string, string> = { MRI: '磁共振（MRI）', US: '超声', MG: '乳腺 X 线摄影', 'H&E': 'H&E 病理切片', 'X-ray': 'X 线' };

/** `a, b and c`. */
function joinEnglish(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const joinChinese = (items: string[]) => items.join('、');

/** The first letter upper-cased: a schedule description that opens a sentence. */
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const en = {
  summary: 'A paper of the week posted in this channel: on [day] [HH:MM] [zone] | off | status | preview | now',
  notAllowed:
    'Only people who may manage this channel can change its spotlight (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).',
  notSubscribed: 'This channel has no spotlight. `/paper spotlight on` starts one (Monday 09:00 by default).',
  cronNever: (v: { schedule: string }) => `The schedule "${v.schedule}" never comes round; pick days that exist (e.g. not 30 February).`,
  onTitle: 'Paper spotlight is on',
  onIntro: (v: Schedule & { total: number }) =>
    `${capitalized(`${v.schedule} (${v.timezone})`)}, paperbot posts one paper from the list here: a different one each time until all ${v.total} have been shown, then a new round starts.`,
  nextPost: (v: NextPost) => `Next post: ${v.local} (${v.timezone}).`,
  offDone: 'Paper spotlight is off for this channel. `/paper spotlight on` turns it back on; the rotation carries on where it stopped.',
  offNotOn: 'Paper spotlight was not on in this channel.',
  statusOff: 'Paper spotlight is off in this channel. `/paper spotlight on` turns it back on.',
  statusPaused: (v: { reason: string }) =>
    `Paper spotlight is paused: paperbot could not post here (${v.reason}). Fix the channel or the bot's permissions, then \`/paper spotlight on\` resumes it.`,
  statusOn: (v: Schedule) => `Paper spotlight: ${v.schedule} (${v.timezone}).`,
  remaining: (v: { remaining: number; total: number; round: number }) =>
    `${v.remaining} of ${v.total} papers left before the rotation starts over (round ${v.round}).`,
  emptyCatalog: 'The catalog has no papers to spotlight.',
  scheduledFor: (v: NextPost) => `Scheduled for ${v.local} (${v.timezone}).`,
  pausedHere: (v: { reason: string }) => `Paper spotlight is paused here (${v.reason}). \`/paper spotlight on\` resumes it.`,
  busy: 'A spotlight post is already on its way to this channel.',
  posted: (v: { title: string }) => `Posted “${v.title}” to this channel.`,
  postedExtra: "This week's spotlight had already been posted, so this one is extra.",
  postedCounts: "It counts as this week's spotlight.",
  nextScheduled: (v: NextPost) => `Next scheduled post: ${v.local} (${v.timezone}).`,
  cannotPost: (v: { reason: string }) => `paperbot cannot post in this channel (${v.reason}), so its spotlight is paused.`,
  willRetry: (v: { error: string }) => `The post did not go through (${v.error}); paperbot will retry on its own.`,
  unknownSubcommand: (v: { word: string }) => `"${v.word}" is not a spotlight command.`,
  previewTitle: 'Next paper of the week (preview, only you see this)',
  postTitle: '📌 Paper of the week',
  modality: (v: { code: string }) => EN_MODALITIES[v.code] ?? v.code,
  whyReadIt: (v: WhyParts) => {
    const what = [joinEnglish(v.regions.map((r) => r.toLowerCase())), joinEnglish(v.tasks.map((t) => t.toLowerCase()))].filter(Boolean).join(' ');
    let line = 'Why read it: ';
    line += v.techniques ? `${v.techniques} for ${what || 'medical image analysis'}` : `a study of ${what || 'medical image analysis'}`;
    if (v.modalities.length) line += ` on ${joinEnglish(v.modalities)}`;
    if (v.venue) line += ` (${v.venue})`;
    if (v.datasets.length) line += `, evaluated on ${joinEnglish(v.datasets)}`;
    return `${line}.`;
  },
};

const zh = {
  summary: '每周在本频道推荐一篇论文：on [星期] [时间] [时区] | off | status | preview | now',
  notAllowed: '只有可以管理本频道的人才能更改每周论文设置（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。',
  notSubscribed: '本频道尚未开启每周论文。发送 `/paper spotlight on`（默认每周一 09:00）即可开启。',
  cronNever: (v: { schedule: string }) => `cron 表达式“${v.schedule}”永远不会触发，请选择存在的日期。`,
  onTitle: '每周论文推荐已开启',
  onIntro: (v: Schedule & { total: number }) =>
    `${v.schedule}（${v.timezone}），paperbot 会在本频道推荐一篇论文，每次不同，${v.total} 篇全部推荐完后开始新一轮。`,
  nextPost: (v: NextPost) => `下一次推荐：${v.local}（${v.timezone}）。`,
  offDone: '本频道的每周论文推荐已关闭。发送 `/paper spotlight on` 可重新开启，推荐顺序会接着上次继续。',
  offNotOn: '本频道没有开启每周论文推荐。',
  statusOff: '本频道的每周论文推荐已关闭，发送 `/paper spotlight on` 可重新开启。',
  statusPaused: (v: { reason: string }) => `每周论文推荐已暂停：无法在本频道发帖（${v.reason}）。修复频道或机器人权限后，发送 \`/paper spotlight on\` 恢复。`,
  statusOn: (v: Schedule) => `每周论文推荐：${v.schedule}（${v.timezone}）。`,
  remaining: (v: { remaining: number; total: number; round: number }) =>
    `本轮（第 ${v.round} 轮）还剩 ${v.remaining} 篇（共 ${v.total} 篇），之后重新开始。`,
  emptyCatalog: '清单中没有可推荐的论文。',
  scheduledFor: (v: NextPost) => `计划于 ${v.local}（${v.timezone}）发布。`,
  pausedHere: (v: { reason: string }) => `本频道的每周论文推荐已暂停（${v.reason}），发送 \`/paper spotlight on\` 恢复。`,
  busy: '本频道的推荐正在发布中。',
  posted: (v: { title: string }) => `已在本频道发布《${v.title}》。`,
  postedExtra: '本周的推荐此前已发布，这一篇为额外推荐。',
  postedCounts: '这一篇算作本周的推荐。',
  nextScheduled: (v: NextPost) => `下一次定时推荐：${v.local}（${v.timezone}）。`,
  cannotPost: (v: { reason: string }) => `paperbot 无法在本频道发帖（${v.reason}），每周论文推荐已暂停。`,
  willRetry: (v: { error: string }) => `发布失败（${v.error}），paperbot 会自动重试。`,
  unknownSubcommand: (v: { word: string }) => `“${v.word}”不是 spotlight 的子命令。`,
  previewTitle: '下一期每周论文（预览，仅你可见）',
  postTitle: '📌 本周论文',
  modality: (v: { code: string }) => ZH_MODALITIES[v.code] ?? v.code,
  whyReadIt: (v: WhyParts) => {
    const what = `${joinChinese(v.regions)}${joinChinese(v.tasks)}` || '医学图像分析';
    let line = '推荐理由：';
    if (v.venue) line += `${v.venue} 发表的`;
    line += v.techniques ? ` ${v.techniques} 方法，用于` : '研究，关于';
    if (v.modalities.length) line += `${joinChinese(v.modalities)}中的`;
    line += what;
    if (v.datasets.length) line += `，数据库：${joinChinese(v.datasets)}`;
    return `${line}。`.replace(/\s+/g, ' ').replace('： ', '：');
  },
} satisfies typeof en;

/** The spotlight's messages: its commands and its posts (the schedule's words are the delivery layer's). */
export const spotlightText = defineMessages({ en, zh });
