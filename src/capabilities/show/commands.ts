import { UserError } from '../../errors.js';
import { reply } from '../../reply.js';
import { labels, paperDetailLines, paperMeta } from '../../cards.js';
import { paperById } from '../../paper-id.js';
import type { Command } from '../../services.js';

export const showCommand: Command = {
  name: 'show',
  aliases: ['查看', '详情'],
  summary: { en: 'One paper in full: links, datasets, authors, tasks in both languages', zh: '查看一篇论文的全部信息' },
  examples: ['show u-net-convolutional-networks-for-biomedical-image-segmentation-2015'],
  run({ args, lang, services }) {
    const id = args.trim().split(' ')[0] ?? '';
    if (!id) {
      throw new UserError('missing-id', {
        en: 'Say which paper: `/paper show <id>`. Every search result shows its id.',
        zh: '请给出论文编号：`/paper show <编号>`，搜索结果中列有编号。',
      });
    }
    const paper = paperById(services.search, id);
    const related = services.search.related(paper, 3);
    const L = labels(lang);
    const lines = paperDetailLines(paper, lang);
    if (related.length) lines.push(`${L.related}: ${related.map((p) => p.id).join(', ')}`);
    return reply('paper', lang, {
      cards: [{ title: paper.title, url: paper.url || undefined, meta: paperMeta(paper, lang), lines }],
      actions: [{ label: lang === 'zh' ? '分享到频道' : 'Share', command: `share show ${paper.id}`, effect: 'post' }],
      papers: [paper],
      data: { related: related.map((p) => p.id) },
    });
  },
};
