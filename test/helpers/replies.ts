import { reply, type Reply } from '../../src/reply.js';

/**
 * The first page of a two-paper search for "gan", as the command layer returns it: one linked and
 * one unlinked card, each with Show, then More and Share. Every renderer is tested on it.
 */
export function twoPaperSearchReply(): Reply {
  return reply('search', 'en', {
    title: '2 papers for "gan" (1–2)',
    cards: [
      { title: 'Paper A', url: 'https://arxiv.org/abs/1', meta: 'GAN · MRI', lines: ['Datasets: ADNI', 'id: a-2017'], action: { label: 'Show', command: 'show a-2017', effect: 'reply' } },
      { title: 'Paper B', meta: 'CNN · CT', lines: ['id: b-2018'], action: { label: 'Show', command: 'show b-2018', effect: 'reply' } },
    ],
    actions: [
      { label: 'More', command: 'gan --page 2', effect: 'update', style: 'primary' },
      { label: 'Share', command: 'share gan', effect: 'post' },
    ],
    footer: 'Page 1 of 2',
  });
}
