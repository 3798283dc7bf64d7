import { labels, paperDetailLines, paperMeta } from '../commands/format.js';
import { paperById } from '../commands/paper-id.js';
import type { Command, CommandInput } from '../commands/types.js';
import { UserError } from '../errors.js';
import { tr, type Lang } from '../i18n.js';
import { reply, type Card, type Reply } from '../reply.js';
import { CITATION_FORMATS, formatCitations, type CitationFormat } from './citations.js';
import type { Paper } from './paper.js';
import { MAX_ADD, type AddFailure } from './service.js';
import { IDENTIFIER_EXAMPLES } from './sources/identifiers.js';
import { readTag, type Tag } from './tags.js';

/** The card of an added, merged or tagged paper: everything known, inferred tags marked as such. */
export function catalogCard(paper: Paper, lang: Lang, note?: string): Card {
  const lines = paperDetailLines(paper, lang);
  const ids = [paper.doi && `doi:${paper.doi}`, paper.arxivId && `arXiv:${paper.arxivId}${paper.arxivVersion ? `v${paper.arxivVersion}` : ''}`, paper.pmid && `PMID ${paper.pmid}`, paper.pmcid]
    .filter(Boolean)
    .join(' · ');
  if (ids) lines.unshift(ids);
  if (paper.inferred?.length) lines.push(tr(lang, `Inferred from title and abstract: ${paper.inferred.join(', ')}`, `由标题和摘要推断的标签：${paper.inferred.join(', ')}`));
  if (note) lines.unshift(note);
  return { title: paper.title, url: paper.url || undefined, meta: paperMeta(paper, lang), lines, action: { label: labels(lang).show, command: `show ${paper.id}`, effect: 'reply' } };
}

function failureLine(failure: AddFailure, lang: Lang): string {
  const what =
    failure.error.kind === 'unavailable'
      ? tr(lang, 'nothing was added; try again later, or another identifier of the same paper', '未添加；请稍后再试，或换用该论文的其他标识符')
      : failure.error.kind === 'withdrawn'
        ? tr(lang, 'nothing was added', '未添加')
        : tr(lang, `nothing was added; identifiers look like ${IDENTIFIER_EXAMPLES.slice(0, 4).join(', ')}`, `未添加；标识符示例：${IDENTIFIER_EXAMPLES.slice(0, 4).join(', ')}`);
  return `${failure.identifier}: ${failure.error.detail} — ${what}`;
}

export const addCommand: Command = {
  name: 'add',
  aliases: ['添加'],
  summary: { en: 'Add papers by arXiv id, DOI, PubMed id or PMC id (up to 10 at once)', zh: '按 arXiv 编号、DOI、PubMed 编号或 PMC 编号添加论文（一次最多 10 个）' },
  examples: ['add 1505.04597', 'add https://doi.org/10.7554/eLife.01567 PMID:24520159'],
  async run({ args, lang, services, invocation }: CommandInput): Promise<Reply> {
    const identifiers = args.split(/[\s,]+/).filter(Boolean);
    if (identifiers.length === 0) {
      throw new UserError(
        'missing-identifier',
        { en: 'Say which paper to add: `/paper add <arXiv id | DOI | PMID | PMC id>`.', zh: '请给出要添加的论文：`/paper add <arXiv 编号 | DOI | PMID | PMC 编号>`。' },
        IDENTIFIER_EXAMPLES.slice(0, 3).map((e) => `add ${e}`),
      );
    }
    if (identifiers.length > MAX_ADD) {
      throw new UserError('too-many', {
        en: `At most ${MAX_ADD} identifiers at once; you gave ${identifiers.length}. Nothing was added.`,
        zh: `一次最多 ${MAX_ADD} 个标识符，您给了 ${identifiers.length} 个。未添加任何论文。`,
      });
    }
    const report = await services.catalog.addIdentifiers(identifiers, `${invocation.platform}:${invocation.userId}`);
    const cards = report.outcomes.map((o) =>
      catalogCard(o.paper, lang, o.merged ? tr(lang, `${o.identifier}: already in the catalog; merged into it`, `${o.identifier}：已在目录中，已合并`) : tr(lang, `${o.identifier}: added`, `${o.identifier}：已添加`)),
    );
    const intro: string[] = [];
    const added = report.outcomes.filter((o) => !o.merged).length;
    const merged = report.outcomes.length - added;
    if (report.outcomes.length) intro.push(tr(lang, `Added ${added}, merged ${merged}.`, `新增 ${added} 篇，合并 ${merged} 篇。`));
    intro.push(...report.failures.map((f) => failureLine(f, lang)));
    return reply(report.outcomes.length ? 'paper-added' : 'error', lang, {
      intro,
      cards,
      papers: report.outcomes.map((o) => o.paper),
      data: {
        added: report.outcomes.filter((o) => !o.merged).map((o) => o.paper.id),
        merged: report.outcomes.filter((o) => o.merged).map((o) => o.paper.id),
        failed: report.failures.map((f) => ({ identifier: f.identifier, kind: f.error.kind, detail: f.error.detail })),
      },
    });
  },
};

function requireManager(input: CommandInput, en: string, zh: string): void {
  if (input.invocation.canManageChannel) return;
  throw new UserError('not-allowed', {
    en: `Only people who may manage this channel can ${en} (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).`,
    zh: `只有可以管理本频道的人才能${zh}（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。`,
  });
}

function idArgument(args: string, usage: { en: string; zh: string }): [string, string] {
  const [id = '', ...rest] = args.trim().split(/\s+/);
  if (!id) throw new UserError('missing-id', usage);
  return [id, rest.join(' ')];
}

export const removeCommand: Command = {
  name: 'remove',
  aliases: ['删除'],
  summary: { en: 'Hide a paper from the catalog (channel managers; a bundled paper stays in its list)', zh: '从目录中隐藏一篇论文（频道管理员；清单中的论文不会被删除）' },
  examples: ['remove u-net-convolutional-networks-for-biomedical-image-segmentation-2015'],
  run(input) {
    const { args, lang, services } = input;
    const [id] = idArgument(args, { en: 'Say which paper: `/paper remove <id>`.', zh: '请给出论文编号：`/paper remove <编号>`。' });
    requireManager(input, 'remove papers', '删除论文');
    const paper = paperById(services.search, id, { en: 'Nothing was removed.', zh: '未删除任何论文。' });
    services.catalog.remove(paper.id);
    return reply('paper-removed', lang, {
      intro: [
        paper.origin === 'bundled'
          ? tr(lang, `Hidden "${paper.title}" (${paper.id}); it stays in the bundled list and comes back if someone adds it again.`, `已隐藏“${paper.title}”（${paper.id}）；它仍在内置清单中，再次添加即可恢复。`)
          : tr(lang, `Removed "${paper.title}" (${paper.id}) from the catalog.`, `已从目录中删除“${paper.title}”（${paper.id}）。`),
      ],
      data: { removed: paper.id },
    });
  },
};

export const tagCommand: Command = {
  name: 'tag',
  aliases: ['标签'],
  summary: { en: 'Correct a paper\'s tags: +region:lung -region:heart (task, region, modality, technique)', zh: '修改论文标签：+region:肺 -region:心脏（task、region、modality、technique）' },
  examples: ['tag u-net-convolutional-networks-for-biomedical-image-segmentation-2015 +region:lung -task:classification'],
  run({ args, lang, services }) {
    const usage = { en: 'Say which paper and which tags: `/paper tag <id> +region:lung -region:heart`.', zh: '请给出论文编号和标签：`/paper tag <编号> +region:肺 -region:心脏`。' };
    const [id, rest] = idArgument(args, usage);
    const words = rest.split(/\s+/).filter(Boolean);
    if (words.length === 0) throw new UserError('missing-tags', usage, [`tag ${id} +region:lung`]);
    const changes: { add: Tag[]; remove: Tag[] } = { add: [], remove: [] };
    for (const word of words) {
      const sign = word[0];
      const tag = sign === '+' || sign === '-' ? readTag(word.slice(1), services.catalog.vocabulary) : null;
      if (!tag) {
        throw new UserError(
          'bad-tag',
          {
            en: `"${word}" is not a tag change. Write +kind:value or -kind:value, kind one of task, region, modality, technique. Nothing was changed.`,
            zh: `“${word}”不是有效的标签修改。请写 +类别:值 或 -类别:值，类别为 task、region、modality、technique。未做任何修改。`,
          },
          ['+region:lung', '-task:classification', '+modality:CT'],
        );
      }
      (sign === '+' ? changes.add : changes.remove).push(tag);
    }
    const paper = paperById(services.search, id, { en: 'Nothing was changed.', zh: '未做任何修改。' });
    const next = services.catalog.tag(paper, changes);
    return reply('paper-tagged', lang, {
      intro: [tr(lang, 'Tags updated; your tags are kept over inferred ones from now on.', '标签已更新；今后以您的标签为准，不会被自动推断覆盖。')],
      cards: [catalogCard(next, lang)],
      papers: [next],
      data: { personTags: next.personTags },
    });
  },
};

export const citeCommand: Command = {
  name: 'cite',
  aliases: ['引用'],
  summary: { en: 'A citation of a paper: bibtex, ris or apa (default)', zh: '论文引用格式：bibtex、ris 或 apa（默认）' },
  examples: ['cite u-net-convolutional-networks-for-biomedical-image-segmentation-2015 bibtex'],
  async run({ args, lang, services }) {
    const [id, rest] = idArgument(args, { en: 'Say which paper: `/paper cite <id> [bibtex|ris|apa]`.', zh: '请给出论文编号：`/paper cite <编号> [bibtex|ris|apa]`。' });
    const wanted = (rest.trim().toLowerCase() || 'apa') as CitationFormat;
    if (!CITATION_FORMATS.includes(wanted) || wanted === 'csl-json') {
      throw new UserError('bad-format', { en: `"${rest.trim()}" is not a citation format; use bibtex, ris or apa.`, zh: `“${rest.trim()}”不是引用格式；请用 bibtex、ris 或 apa。` }, [
        `cite ${id} bibtex`,
        `cite ${id} apa`,
      ]);
    }
    const paper = paperById(services.search, id);
    const text = await formatCitations([paper], wanted);
    return reply('citation', lang, {
      title: paper.title,
      intro: [text.trim()],
      papers: [paper],
      data: { format: wanted, citation: text },
    });
  },
};

export const catalogCommands: Command[] = [addCommand, removeCommand, tagCommand, citeCommand];
