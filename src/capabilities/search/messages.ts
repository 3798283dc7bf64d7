import { countOf, defineMessages } from '../../i18n/index.js';

const en = {
  summary: 'Find papers by topic, technique, modality, region, dataset or filter',
  badPage: (v: { page: string }) => `"${v.page}" is not a page number.`,
  emptyQuery: 'Type what you are looking for after /paper, e.g. `/paper gan mri` or `/paper 肺结节`. `/paper help` lists everything.',
  noMatch: (v: { query: string }) => `No paper matches "${v.query}".`,
  pageOutOfRange: (v: { query: string; pages: number }) => `"${v.query}" has ${countOf(v.pages, 'page')} of results.`,
  title: (v: { query: string; total: number; from: number; to: number }) => `${countOf(v.total, 'paper')} for "${v.query}" (${v.from}–${v.to})`,
  previous: 'Previous',
  more: 'More',
  pageFooter: (v: { page: number; pages: number }) => `Page ${v.page} of ${v.pages}`,
};

const zh = {
  summary: '按主题、技术、模态、部位、数据库或筛选条件查找论文',
  badPage: (v: { page: string }) => `“${v.page}”不是有效的页码。`,
  emptyQuery: '请在 /paper 后输入要找的内容，例如 `/paper 肺结节` 或 `/paper gan mri`。`/paper help` 查看全部用法。',
  noMatch: (v: { query: string }) => `没有找到与“${v.query}”匹配的论文。`,
  pageOutOfRange: (v: { query: string; pages: number }) => `“${v.query}”的结果只有 ${v.pages} 页。`,
  title: (v: { query: string; total: number; from: number; to: number }) => `“${v.query}”：共 ${v.total} 篇论文（第 ${v.from}–${v.to} 篇）`,
  previous: '上一页',
  more: '更多',
  pageFooter: (v: { page: number; pages: number }) => `第 ${v.page}/${v.pages} 页`,
} satisfies typeof en;

export const searchText = defineMessages({ en, zh });
