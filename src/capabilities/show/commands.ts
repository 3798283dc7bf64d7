import { UserError } from '../../errors.js';
import { coreText } from '../../i18n/catalog.js';
import { reply } from '../../reply.js';
import { labels, paperDetailLines, paperMeta } from '../../cards.js';
import { paperById } from '../../paper-id.js';
import type { Command } from '../../services.js';
import { showText } from './messages.js';
import { recentResult } from '../../recent-results.js';

export const showCommand: Command = {
  name: 'show',
  aliases: ['查看', '详情'],
  summary: showText.both('summary'),
  examples: ['show u-net-convolutional-networks-for-biomedical-image-segmentation-2015', 'show deeplung', 'show 1'],
  // One word (an id, the start of one, a result number) or a whole title; `show me work on …` is a search.
  fits: (args, services) => !args.includes(' ') || services.search.resolve(args) !== null,
  run({ args, lang, services, invocation }) {
    const typed = args.trim();
    if (!typed) {
      throw new UserError('missing-id', showText.both('missingId'));
    }
    // A result number of the asker's last search here, then an id, its unambiguous start, or a whole title.
    const numbered = /^\d{1,3}$/.test(typed) ? recentResult(services, invocation, Number(typed)) : undefined;
    const paper = services.search.resolve(numbered ?? typed) ?? paperById(services.search, typed.split(' ')[0] ?? typed);
    const related = services.search.related(paper, 3);
    const L = labels(lang);
    const lines = paperDetailLines(paper, lang);
    // What the published list said before a reviewed correction, and where to check it.
    for (const c of paper.corrections ?? []) lines.push(showText.text(lang, 'corrected', { field: showText.text(lang, `field.${c.field}`), was: c.was, why: c.why, source: c.source }));
    if (related.length) lines.push(`${L.related}: ${related.map((p) => p.id).join(', ')}`);
    return reply('paper', lang, {
      cards: [{ title: paper.title, url: paper.url || undefined, meta: paperMeta(paper, lang), lines }],
      actions: [{ label: coreText.text(lang, 'action.share'), command: `share show ${paper.id}`, effect: 'post' }],
      papers: [paper],
      data: { related: related.map((p) => p.id) },
    });
  },
};
