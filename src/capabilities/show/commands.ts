import { UserError } from '../../errors.js';
import { coreText } from '../../i18n/catalog.js';
import { reply } from '../../reply.js';
import { labels, paperDetailLines, paperMeta } from '../../cards.js';
import { paperById } from '../../paper-id.js';
import type { Command } from '../../services.js';
import { showText } from './messages.js';

export const showCommand: Command = {
  name: 'show',
  aliases: ['查看', '详情'],
  summary: showText.both('summary'),
  examples: ['show u-net-convolutional-networks-for-biomedical-image-segmentation-2015'],
  run({ args, lang, services }) {
    const id = args.trim().split(' ')[0] ?? '';
    if (!id) {
      throw new UserError('missing-id', showText.both('missingId'));
    }
    const paper = paperById(services.search, id);
    const related = services.search.related(paper, 3);
    const L = labels(lang);
    const lines = paperDetailLines(paper, lang);
    if (related.length) lines.push(`${L.related}: ${related.map((p) => p.id).join(', ')}`);
    return reply('paper', lang, {
      cards: [{ title: paper.title, url: paper.url || undefined, meta: paperMeta(paper, lang), lines }],
      actions: [{ label: coreText.text(lang, 'action.share'), command: `share show ${paper.id}`, effect: 'post' }],
      papers: [paper],
      data: { related: related.map((p) => p.id) },
    });
  },
};
