import type { Paper } from '../../catalog/paper.js';
import { datasetLine, labels, paperMeta, showAction, termName, venueYear } from '../../cards.js';
import type { Lang } from '../../i18n/index.js';
import { spotlightText } from './messages.js';
import { reply, type Reply } from '../../reply.js';

/** What a spotlight post says: the paper, why to read it, who wrote it, and what to read next. */

/** One line from the paper's tags: technique, region and task, modality, venue and year, datasets. */
function whyReadIt(paper: Paper, lang: Lang): string {
  return spotlightText.text(lang, 'whyReadIt', {
    techniques: paper.techniques.join('/'),
    regions: paper.regions.map((t) => termName(t, lang)),
    tasks: paper.tasks.map((t) => termName(t, lang)),
    modalities: paper.modalities.map((code) => spotlightText.text(lang, 'modality', { code })),
    venue: venueYear(paper),
    datasets: paper.datasets.map((d) => d.name),
  });
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
  const title = spotlightText.text(lang, preview ? 'previewTitle' : 'postTitle');
  return reply('spotlight', lang, {
    visibility: preview ? 'ephemeral' : 'channel',
    title,
    intro: [whyReadIt(paper, lang)],
    cards: [{ title: paper.title, url: paper.url || undefined, meta: paperMeta(paper, lang), lines, action: showAction(paper, lang) }],
    papers: [paper, ...related],
    data: { paper: { id: paper.id, title: paper.title }, related: related.map((p) => p.id), ...data },
  });
}
