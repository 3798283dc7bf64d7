import { labels, paperDetailLines, paperMeta } from '../../cards.js';
import { CITATION_FORMATS, formatCitations, type CitationFormat } from '../../catalog/citations.js';
import type { Paper } from '../../catalog/paper.js';
import { MAX_ADD, type AddFailure } from '../../catalog/service.js';
import { IDENTIFIER_EXAMPLES } from '../../catalog/sources/identifiers.js';
import { readTag, type Tag } from '../../catalog/tags.js';
import { UserError } from '../../errors.js';
import type { Lang } from '../../i18n/index.js';
import { paperById } from '../../paper-id.js';
import { reply, type Card, type Reply } from '../../reply.js';
import type { Command, CommandInput } from '../../services.js';
import { catalogText as T } from './messages.js';

/** The card of an added, merged or tagged paper: everything known, its identifiers, inferred tags marked as such. */
function catalogCard(paper: Paper, lang: Lang, note?: string): Card {
  const lines = paperDetailLines(paper, lang);
  const version = paper.arxivVersion ? `v${paper.arxivVersion}` : '';
  const ids = [paper.doi && `doi:${paper.doi}`, paper.arxivId && `arXiv:${paper.arxivId}${version}`, paper.pmid && `PMID ${paper.pmid}`, paper.pmcid]
    .filter(Boolean)
    .join(' · ');
  if (ids) lines.unshift(ids);
  if (paper.inferred?.length) lines.push(T.text(lang, 'inferred', { tags: paper.inferred.join(', ') }));
  if (note) lines.unshift(note);
  return {
    title: paper.title,
    url: paper.url || undefined,
    meta: paperMeta(paper, lang),
    lines,
    action: { label: labels(lang).show, command: `show ${paper.id}`, effect: 'reply' },
  };
}

function failureLine(failure: AddFailure, lang: Lang): string {
  const kind = failure.error.kind;
  const what =
    kind === 'unavailable'
      ? T.text(lang, 'failedUnavailable')
      : kind === 'withdrawn'
        ? T.text(lang, 'failedWithdrawn')
        : T.text(lang, 'failedNotFound', { examples: IDENTIFIER_EXAMPLES.slice(0, 4).join(', ') });
  return `${failure.identifier}: ${failure.error.detail} — ${what}`;
}

export const addCommand: Command = {
  name: 'add',
  aliases: ['添加'],
  summary: T.both('addSummary'),
  examples: ['add 1505.04597', 'add https://doi.org/10.7554/eLife.01567 PMID:24520159'],
  async run({ args, lang, services, invocation }: CommandInput): Promise<Reply> {
    const identifiers = args.split(/[\s,]+/).filter(Boolean);
    if (identifiers.length === 0) {
      throw new UserError('missing-identifier', T.both('missingIdentifier'), IDENTIFIER_EXAMPLES.slice(0, 3).map((e) => `add ${e}`));
    }
    if (identifiers.length > MAX_ADD) throw new UserError('too-many', T.both('tooMany', { max: MAX_ADD, given: identifiers.length }));
    const report = await services.catalog.addIdentifiers(identifiers, `${invocation.platform}:${invocation.userId}`);
    const cards = report.outcomes.map((o) =>
      catalogCard(o.paper, lang, T.text(lang, o.merged ? 'merged' : 'added', { identifier: o.identifier })),
    );
    const added = report.outcomes.filter((o) => !o.merged);
    const merged = report.outcomes.filter((o) => o.merged);
    const intro: string[] = [];
    if (report.outcomes.length) intro.push(T.text(lang, 'addCounts', { added: added.length, merged: merged.length }));
    intro.push(...report.failures.map((f) => failureLine(f, lang)));
    return reply(report.outcomes.length ? 'paper-added' : 'error', lang, {
      intro,
      cards,
      papers: report.outcomes.map((o) => o.paper),
      data: {
        added: added.map((o) => o.paper.id),
        merged: merged.map((o) => o.paper.id),
        failed: report.failures.map((f) => ({ identifier: f.identifier, kind: f.error.kind, detail: f.error.detail })),
      },
    });
  },
};

function firstWord(args: string, usage: 'removeUsage' | 'tagUsage' | 'citeUsage'): [string, string] {
  const [id = '', ...rest] = args.trim().split(/\s+/);
  if (!id) throw new UserError('missing-id', T.both(usage));
  return [id, rest.join(' ')];
}

export const removeCommand: Command = {
  name: 'remove',
  aliases: ['删除'],
  summary: T.both('removeSummary'),
  examples: ['remove automated-quantitative-histology-reveals-vascular-morphodynamics-during-arabidopsis-2014'],
  async run({ args, lang, services, invocation }) {
    const [id] = firstWord(args, 'removeUsage');
    if (!invocation.canManageChannel) throw new UserError('not-allowed', T.both('notAllowed'));
    const paper = paperById(services.search, id, T.both('nothingRemoved'));
    await services.catalog.remove(paper.id);
    const values = { title: paper.title, id: paper.id };
    return reply('paper-removed', lang, {
      intro: [T.text(lang, paper.origin === 'bundled' ? 'hidden' : 'removed', values)],
      data: { removed: paper.id },
    });
  },
};

export const tagCommand: Command = {
  name: 'tag',
  aliases: ['标签'],
  summary: T.both('tagSummary'),
  examples: ['tag u-net-convolutional-networks-for-biomedical-image-segmentation-2015 +region:lung -task:classification'],
  async run({ args, lang, services }) {
    const [id, rest] = firstWord(args, 'tagUsage');
    const words = rest.split(/\s+/).filter(Boolean);
    if (words.length === 0) throw new UserError('missing-tags', T.both('tagUsage'), [`tag ${id} +region:lung`]);
    const changes: { add: Tag[]; remove: Tag[] } = { add: [], remove: [] };
    for (const word of words) {
      const sign = word[0];
      const tag = sign === '+' || sign === '-' ? readTag(word.slice(1), services.catalog.vocabulary) : null;
      if (!tag) throw new UserError('bad-tag', T.both('badTag', { word }), ['+region:lung', '-task:classification', '+modality:CT']);
      (sign === '+' ? changes.add : changes.remove).push(tag);
    }
    const paper = paperById(services.search, id, T.both('nothingChanged'));
    // Removed by someone else meanwhile: said as for an unknown id.
    const next = (await services.catalog.tag(paper, changes)) ?? paperById(services.search, id, T.both('nothingChanged'));
    return reply('paper-tagged', lang, {
      intro: [T.text(lang, 'tagged')],
      cards: [catalogCard(next, lang)],
      papers: [next],
      data: { personTags: next.personTags },
    });
  },
};

export const citeCommand: Command = {
  name: 'cite',
  aliases: ['引用'],
  summary: T.both('citeSummary'),
  examples: ['cite u-net-convolutional-networks-for-biomedical-image-segmentation-2015 bibtex'],
  async run({ args, lang, services }) {
    const [id, rest] = firstWord(args, 'citeUsage');
    const format = (rest.trim().toLowerCase() || 'apa') as CitationFormat;
    if (!CITATION_FORMATS.includes(format) || format === 'csl-json') {
      throw new UserError('bad-format', T.both('badFormat', { format: rest.trim() }), [`cite ${id} bibtex`, `cite ${id} apa`]);
    }
    const paper = paperById(services.search, id);
    const text = await formatCitations([paper], format);
    return reply('citation', lang, { title: paper.title, intro: [text.trim()], papers: [paper], data: { format, citation: text } });
  },
};
