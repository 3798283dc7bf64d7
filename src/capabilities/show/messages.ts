import { defineMessages } from '../../i18n/index.js';

const en = {
  summary: 'One paper in full: links, datasets, authors, tasks in both languages',
  missingId: 'Say which paper: `/paper show <id>`, the start of an id, a whole title, or a result number of your last search (`/paper show 2`).',
  corrected: (v: { field: string; was: string; why: string; source: string }) => `Corrected ${v.field} (the published list says "${v.was}"): ${v.why} Source: ${v.source}`,
  'field.title': 'title',
  'field.venue': 'venue',
  'field.year': 'year',
  'field.regions': 'body regions',
  'field.modalities': 'modalities',
  'field.techniques': 'techniques',
  'field.tasks': 'tasks',
  'field.authors': 'authors',
};

const zh = {
  summary: '查看一篇论文的全部信息',
  missingId: '请给出论文编号：`/paper show <编号>`，也可以是编号开头、完整标题，或上次搜索结果的序号（`/paper show 2`）。',
  corrected: (v: { field: string; was: string; why: string; source: string }) => `已更正${v.field}（原列表为“${v.was}”）：${v.why} 来源：${v.source}`,
  'field.title': '标题',
  'field.venue': '会议/期刊',
  'field.year': '年份',
  'field.regions': '部位',
  'field.modalities': '模态',
  'field.techniques': '技术',
  'field.tasks': '任务',
  'field.authors': '作者',
} satisfies typeof en;

export const showText = defineMessages({ en, zh });
