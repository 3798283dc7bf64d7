import type { Paper, Term } from './catalog/paper.js';
import { coreText } from './i18n/catalog.js';
import type { Lang } from './i18n/index.js';
import type { Action, Card } from './reply.js';

const LABEL_KEYS = {
  authors: 'label.authors',
  tasks: 'label.tasks',
  regions: 'label.regions',
  techniques: 'label.techniques',
  modalities: 'label.modalities',
  venue: 'label.venue',
  datasets: 'label.datasets',
  id: 'label.id',
  link: 'label.link',
  noLink: 'label.noLink',
  show: 'action.show',
  related: 'label.related',
} as const;

/** The labels on a paper card, in the reader's language. */
export function labels(lang: Lang): Record<keyof typeof LABEL_KEYS, string> {
  const entries = Object.entries(LABEL_KEYS).map(([name, key]) => [name, coreText.text(lang, key)]);
  return Object.fromEntries(entries) as Record<keyof typeof LABEL_KEYS, string>;
}

export function termName(term: Term, lang: Lang): string {
  return lang === 'zh' ? term.zh || term.en : term.en || term.zh;
}

function bilingual(term: Term): string {
  return term.zh && term.zh !== term.en ? `${term.en} / ${term.zh}` : term.en;
}

/** `MICCAI 2017`, or whichever of the two is known; empty when neither is. */
export function venueYear(paper: Pick<Paper, 'venue' | 'year'>): string {
  return [paper.venue, paper.year ?? ''].filter(Boolean).join(' ');
}

/** technique · modality · region · task · venue year, in the reader's language. */
export function paperMeta(paper: Paper, lang: Lang): string {
  const parts = [
    paper.techniques.join(', '),
    paper.modalities.join(', '),
    paper.regions.map((t) => termName(t, lang)).join(', '),
    paper.tasks.map((t) => termName(t, lang)).join(', '),
    venueYear(paper),
  ];
  return parts.filter(Boolean).join(' · ');
}

export function datasetLine(paper: Paper, lang: Lang): string | null {
  if (paper.datasets.length === 0) return null;
  return `${labels(lang).datasets}: ${paper.datasets.map((d) => d.name).join(', ')}`;
}

export function showAction(paper: Paper, lang: Lang): Action {
  return { label: labels(lang).show, command: `show ${paper.id}`, effect: 'reply' };
}

/** The short form used in lists: linked title, tags, datasets, id and a Show button. */
export function paperCard(paper: Paper, lang: Lang): Card {
  const lines = [datasetLine(paper, lang), `${labels(lang).id}: ${paper.id}`].filter((l): l is string => l !== null);
  return { title: paper.title, url: paper.url || undefined, meta: paperMeta(paper, lang), lines, action: showAction(paper, lang) };
}

/** Everything the catalog knows, both languages side by side. */
export function paperDetailLines(paper: Paper, lang: Lang): string[] {
  const L = labels(lang);
  const lines: string[] = [];
  if (paper.authors.length) lines.push(`${L.authors}: ${paper.authors.join('; ')}`);
  if (paper.tasks.length) lines.push(`${L.tasks}: ${paper.tasks.map(bilingual).join(', ')}`);
  if (paper.regions.length) lines.push(`${L.regions}: ${paper.regions.map(bilingual).join(', ')}`);
  if (paper.techniques.length) lines.push(`${L.techniques}: ${paper.techniques.join(', ')}`);
  if (paper.modalities.length) lines.push(`${L.modalities}: ${paper.modalities.join(', ')}`);
  const venue = venueYear(paper);
  if (venue) lines.push(`${L.venue}: ${venue}`);
  if (paper.datasets.length) {
    lines.push(`${L.datasets}: ${paper.datasets.map((d) => (d.url ? `${d.name} (${d.url})` : d.name)).join(', ')}`);
  }
  lines.push(`${L.link}: ${paper.url || L.noLink}`);
  lines.push(`${L.id}: ${paper.id}`);
  return lines;
}
