import { defineMessages } from '../i18n/index.js';

/** What the search engine tells a reader about how it read the query: notices, filter errors, empty results. */
const en = {
  truncated: 'Your query was long, so only its first 500 characters were searched.',
  nothingToSearch: 'The query has no words or filters to search for.',
  wholeList: 'Every paper in the list is about deep learning for medical images, so those words narrow nothing: here is the whole list, newest first.',
  capped: (v: { max: number }) => `Only the first ${v.max} words and filters were used.`,
  readAs: (v: { word: string; readings: string[] }) => `"${v.word}" was read as ${v.readings.join(', ')}.`,
  noneHasEvery: (v: { missing: string[] }) => `No paper matches every word; these match some of them (missing: ${v.missing.join(', ')}).`,
  someHaveEvery: (v: { count: number; missing: string[] }) =>
    `${v.count} paper${v.count === 1 ? ' matches' : 's match'} every word; the rest match some of them (missing: ${v.missing.join(', ')}).`,
  noSuchValue: (v: { field: string; value: string; values: string[] }) =>
    `No paper has ${v.field} "${v.value}". ${v.field === 'author' ? 'The closest names' : `The ${v.field} values in the list`}, nearest first: ${v.values.join(', ')}.`,
  listCovers: (v: { size: number; from: number | null; to: number | null }) =>
    `The list covers ${v.size} papers on deep learning for medical image analysis${v.from !== null ? `, from ${v.from}–${v.to}` : ''}; none of them is about this.`,
  unknownFilter: (v: { name: string; examples: string }) => `"${v.name}:" is not a filter. Filters that work: ${v.examples}.`,
  emptyFilter: (v: { name: string; example: string }) => `"${v.name}:" needs a value, e.g. ${v.example}.`,
  badYear: (v: { raw: string }) => `"${v.raw}" is not a year. Write year:2016, year:2015-2017, since:2017 or until:2016.`,
  badYearRange: (v: { raw: string }) => `"${v.raw}" ends before it starts: write the earlier year first, e.g. year:2015-2017.`,
};

const FIELDS_ZH: Record<string, string> = { venue: '会议/期刊', task: '任务', modality: '模态', region: '部位', technique: '技术', author: '作者', dataset: '数据集' };

const zh = {
  truncated: '查询过长，只搜索了前 500 个字符。',
  nothingToSearch: '查询中没有可搜索的词语或筛选条件。',
  wholeList: '列表中的论文都是关于医学图像深度学习的，这些词不缩小范围：以下是全部论文，最新的在前。',
  capped: (v: { max: number }) => `只使用了前 ${v.max} 个词语和筛选条件。`,
  readAs: (v: { word: string; readings: string[] }) => `“${v.word}”按 ${v.readings.join('、')} 搜索。`,
  noneHasEvery: (v: { missing: string[] }) => `没有论文包含全部词语；以下论文包含其中一部分（缺少：${v.missing.join('、')}）。`,
  someHaveEvery: (v: { count: number; missing: string[] }) => `${v.count} 篇论文包含全部词语，其余的包含其中一部分（缺少：${v.missing.join('、')}）。`,
  noSuchValue: (v: { field: string; value: string; values: string[] }) =>
    `没有论文的${FIELDS_ZH[v.field] ?? v.field}是“${v.value}”。列表中的${FIELDS_ZH[v.field] ?? v.field}（最接近的在前）：${v.values.join('、')}。`,
  listCovers: (v: { size: number; from: number | null; to: number | null }) =>
    `列表收录了 ${v.size} 篇医学图像分析深度学习论文${v.from !== null ? `（${v.from}–${v.to} 年）` : ''}，没有与此相关的论文。`,
  unknownFilter: (v: { name: string; examples: string }) => `“${v.name}:”不是可用的筛选条件。可用的有：${v.examples}。`,
  emptyFilter: (v: { name: string; example: string }) => `“${v.name}:”后面需要一个值，例如 ${v.example}。`,
  badYear: (v: { raw: string }) => `“${v.raw}”不是有效的年份。请写成 年份:2016、年份:2015-2017 或 自:2017。`,
  badYearRange: (v: { raw: string }) => `“${v.raw}”的起止年份颠倒了，请先写较早的年份，例如 年份:2015-2017。`,
} satisfies typeof en;

export const searchEngineText = defineMessages({ en, zh });
