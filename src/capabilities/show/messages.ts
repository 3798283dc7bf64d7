import { defineMessages } from '../../i18n/index.js';

const en = {
  summary: 'One paper in full: links, datasets, authors, tasks in both languages',
  missingId: 'Say which paper: `/paper show <id>`. Every search result shows its id.',
};

const zh = {
  summary: '查看一篇论文的全部信息',
  missingId: '请给出论文编号：`/paper show <编号>`，搜索结果中列有编号。',
} satisfies typeof en;

export const showText = defineMessages({ en, zh });
