import type { Paper } from '../../catalog/paper.js';
import { datasetLine, labels, paperMeta, showAction, termName, venueYear } from '../../cards.js';
import type { Lang } from '../../i18n/index.js';
import { reply, type Reply } from '../../reply.js';

/** What a spotlight post says: the paper, why to read it, who wrote it, and what to read next. */

const MODALITY_NAMES: Record<string, { en: string; zh: string }> = {
  MRI: { en: 'MRI', zh: '磁共振（MRI）' },
  CT: { en: 'CT', zh: 'CT' },
  US: { en: 'ultrasound', zh: '超声' },
  MG: { en: 'mammography', zh: '乳腺 X 线摄影' },
  'H&E': { en: 'H&E histology', zh: 'H&E 病理切片' },
  'X-ray': { en: 'X-ray', zh: 'X 线' },
  PET: { en: 'PET', zh: 'PET' },
  OCT: { en: 'OCT', zh: 'OCT' },
};

function modalityName(m: string, lang: Lang): string {
  return MODALITY_NAMES[m]?.[lang] ?? m;
}

function joinList(items: string[], lang: Lang): string {
  if (lang === 'zh') return items.join('、');
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One line from the paper's tags: technique, region and task, modality, venue and year, datasets. */
function whyReadIt(paper: Paper, lang: Lang): string {
  const techniques = paper.techniques.join('/');
  const regions = paper.regions.map((t) => termName(t, lang));
  const tasks = paper.tasks.map((t) => termName(t, lang));
  const modalities = paper.modalities.map((m) => modalityName(m, lang));
  const venue = venueYear(paper);
  const datasets = paper.datasets.map((d) => d.name);
  if (lang === 'zh') {
    const what = `${joinList(regions, 'zh')}${joinList(tasks, 'zh')}` || '医学图像分析';
    let line = '推荐理由：';
    if (venue) line += `${venue} 发表的`;
    line += techniques ? ` ${techniques} 方法，用于` : '研究，关于';
    if (modalities.length) line += `${joinList(modalities, 'zh')}中的`;
    line += what;
    if (datasets.length) line += `，数据库：${joinList(datasets, 'zh')}`;
    return `${line}。`.replace(/\s+/g, ' ').replace('： ', '：');
  }
  const what = [joinList(regions.map((r) => r.toLowerCase()), 'en'), joinList(tasks.map((t) => t.toLowerCase()), 'en')].filter(Boolean).join(' ');
  let line = 'Why read it: ';
  line += techniques ? `${techniques} for ${what || 'medical image analysis'}` : `a study of ${what || 'medical image analysis'}`;
  if (modalities.length) line += ` on ${joinList(modalities, 'en')}`;
  if (venue) line += ` (${venue})`;
  if (datasets.length) line += `, evaluated on ${joinList(datasets, 'en')}`;
  return `${line}.`;
}

export type SpotlightReplyOptions = {
  paper: Paper;
  related: Paper[];
  lang: Lang;
  /** A preview is shown to the asker only and says so. */
  preview?: boolean;
  data?: Record<string, unknown>;
};

export function spotlightReply({ paper, related, lang, preview = false, data }: SpotlightReplyOptions): Reply {
  const L = labels(lang);
  const lines: string[] = [];
  if (paper.authors.length) lines.push(`${L.authors}: ${paper.authors.join('; ')}`);
  const datasets = datasetLine(paper, lang);
  if (datasets) lines.push(datasets);
  lines.push(`${L.id}: ${paper.id}`);
  if (related.length) {
    lines.push(`${L.related}:`);
    for (const r of related) {
      const when = venueYear(r);
      lines.push(`• ${r.title}${when ? ` (${when})` : ''}${r.url ? ` ${r.url}` : ''}`);
    }
  }
  const title = preview
    ? lang === 'zh'
      ? '下一期每周论文（预览，仅你可见）'
      : 'Next paper of the week (preview, only you see this)'
    : lang === 'zh'
      ? '📌 本周论文'
      : '📌 Paper of the week';
  return reply('spotlight', lang, {
    visibility: preview ? 'ephemeral' : 'channel',
    title,
    intro: [whyReadIt(paper, lang)],
    cards: [{ title: paper.title, url: paper.url || undefined, meta: paperMeta(paper, lang), lines, action: showAction(paper, lang) }],
    papers: [paper, ...related],
    data: { paper: { id: paper.id, title: paper.title }, related: related.map((p) => p.id), ...data },
  });
}
