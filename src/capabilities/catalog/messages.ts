import { defineMessages } from '../../i18n/index.js';

type Id = { identifier: string };
type Count = { added: number; merged: number };

const en = {
  addSummary: 'Add papers by arXiv id, DOI, PubMed id or PMC id (up to 10 at once)',
  removeSummary: 'Hide a paper from the catalog (channel managers; a bundled paper stays in its list)',
  tagSummary: "Correct a paper's tags: +region:lung -region:heart (task, region, modality, technique)",
  citeSummary: 'A citation of a paper: bibtex, ris or apa (default)',
  missingIdentifier: 'Say which paper to add: `/paper add <arXiv id | DOI | PMID | PMC id>`.',
  tooMany: (v: { max: number; given: number }) => `At most ${v.max} identifiers at once; you gave ${v.given}. Nothing was added.`,
  added: (v: Id) => `${v.identifier}: added`,
  merged: (v: Id) => `${v.identifier}: already in the catalog; merged into it`,
  addCounts: (v: Count) => `Added ${v.added}, merged ${v.merged}.`,
  failedUnavailable: 'nothing was added; try again later, or another identifier of the same paper',
  failedWithdrawn: 'nothing was added',
  failedNotFound: (v: { examples: string }) => `nothing was added; identifiers look like ${v.examples}`,
  inferred: (v: { tags: string }) => `Inferred from title and abstract: ${v.tags}`,
  notAllowed:
    'Only people who may manage this channel can remove papers (on Discord: the Manage Channels permission; on Slack: the users in SLACK_ADMIN_USERS).',
  removeUsage: 'Say which paper: `/paper remove <id>`.',
  nothingRemoved: 'Nothing was removed.',
  hidden: (v: { title: string; id: string }) => `Hidden "${v.title}" (${v.id}); it stays in the bundled list and comes back if someone adds it again.`,
  removed: (v: { title: string; id: string }) => `Removed "${v.title}" (${v.id}) from the catalog.`,
  tagUsage: 'Say which paper and which tags: `/paper tag <id> +region:lung -region:heart`.',
  badTag: (v: { word: string }) =>
    `"${v.word}" is not a tag change. Write +kind:value or -kind:value, kind one of task, region, modality, technique. Nothing was changed.`,
  nothingChanged: 'Nothing was changed.',
  tagged: 'Tags updated; your tags are kept over inferred ones from now on.',
  citeUsage: 'Say which paper: `/paper cite <id> [bibtex|ris|apa]`.',
  badFormat: (v: { format: string }) => `"${v.format}" is not a citation format; use bibtex, ris or apa.`,
};

const zh = {
  addSummary: '按 arXiv 编号、DOI、PubMed 编号或 PMC 编号添加论文（一次最多 10 个）',
  removeSummary: '从目录中隐藏一篇论文（频道管理员；清单中的论文不会被删除）',
  tagSummary: '修改论文标签：+region:肺 -region:心脏（task、region、modality、technique）',
  citeSummary: '论文引用格式：bibtex、ris 或 apa（默认）',
  missingIdentifier: '请给出要添加的论文：`/paper add <arXiv 编号 | DOI | PMID | PMC 编号>`。',
  tooMany: (v: { max: number; given: number }) => `一次最多 ${v.max} 个标识符，您给了 ${v.given} 个。未添加任何论文。`,
  added: (v: Id) => `${v.identifier}：已添加`,
  merged: (v: Id) => `${v.identifier}：已在目录中，已合并`,
  addCounts: (v: Count) => `新增 ${v.added} 篇，合并 ${v.merged} 篇。`,
  failedUnavailable: '未添加；请稍后再试，或换用该论文的其他标识符',
  failedWithdrawn: '未添加',
  failedNotFound: (v: { examples: string }) => `未添加；标识符示例：${v.examples}`,
  inferred: (v: { tags: string }) => `由标题和摘要推断的标签：${v.tags}`,
  notAllowed: '只有可以管理本频道的人才能删除论文（Discord：“管理频道”权限；Slack：SLACK_ADMIN_USERS 中的用户）。',
  removeUsage: '请给出论文编号：`/paper remove <编号>`。',
  nothingRemoved: '未删除任何论文。',
  hidden: (v: { title: string; id: string }) => `已隐藏“${v.title}”（${v.id}）；它仍在内置清单中，再次添加即可恢复。`,
  removed: (v: { title: string; id: string }) => `已从目录中删除“${v.title}”（${v.id}）。`,
  tagUsage: '请给出论文编号和标签：`/paper tag <编号> +region:肺 -region:心脏`。',
  badTag: (v: { word: string }) => `“${v.word}”不是有效的标签修改。请写 +类别:值 或 -类别:值，类别为 task、region、modality、technique。未做任何修改。`,
  nothingChanged: '未做任何修改。',
  tagged: '标签已更新；今后以您的标签为准，不会被自动推断覆盖。',
  citeUsage: '请给出论文编号：`/paper cite <编号> [bibtex|ris|apa]`。',
  badFormat: (v: { format: string }) => `“${v.format}”不是引用格式；请用 bibtex、ris 或 apa。`,
} satisfies typeof en;

export const catalogText = defineMessages({ en, zh });
