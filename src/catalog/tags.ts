import type { Paper, Term } from './paper.js';
import type { ConceptKind, Vocabulary } from './vocabulary.js';

/** The four facets a person can tag, and the words accepted for them. */
type TagKind = 'task' | 'region' | 'modality' | 'technique';
const KIND_WORDS: Record<string, TagKind> = {
  task: 'task', 任务: 'task',
  region: 'region', area: 'region', organ: 'region', 区域: 'region', 部位: 'region',
  modality: 'modality', mod: 'modality', 模态: 'modality',
  technique: 'technique', tech: 'technique', method: 'technique', 技术: 'technique',
};
const TAG_KINDS: TagKind[] = ['task', 'region', 'modality', 'technique'];

/** `region:Lung`: one tag, written with the vocabulary's English label where it has one. */
export type Tag = { kind: TagKind; label: string; zh: string };

const tagKey = (t: Pick<Tag, 'kind' | 'label'>) => `${t.kind}:${t.label}`;
const sameKey = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The tags a record carries now, in the `kind:Label` form. */
export function tagsOf(paper: Paper): string[] {
  return [
    ...paper.tasks.map((t) => `task:${t.en}`),
    ...paper.regions.map((t) => `region:${t.en}`),
    ...paper.modalities.map((m) => `modality:${m}`),
    ...paper.techniques.map((m) => `technique:${m}`),
  ];
}

/**
 * Reads `region:lung`, `task:分割`, `technique:GAN` through the vocabulary; an unknown value is kept as
 * typed (a lab may tag what the list never named). Null when the kind is not one of the four.
 */
export function readTag(text: string, vocabulary: Vocabulary): Tag | null {
  const [, kindWord, typed] = text.trim().match(/^([^:：]+)[:：](.+)$/) ?? [];
  if (kindWord === undefined || typed === undefined) return null;
  const kind = KIND_WORDS[kindWord.trim().toLowerCase()];
  const value = typed.trim();
  if (!kind || !value || value.length > 60) return null;
  const concept = vocabulary.conceptOf(value, new Set<ConceptKind>([kind]));
  if (concept) {
    const c = vocabulary.concepts.get(concept)!;
    return { kind, label: c.en, zh: c.zh };
  }
  return { kind, label: value, zh: '' };
}

/** What inference finds in a title and abstract: every vocabulary concept of the four kinds, in either language. */
function inferTags(text: string, vocabulary: Vocabulary): Tag[] {
  const kinds = new Set<ConceptKind>(TAG_KINDS);
  const exclude = new Set<ConceptKind>((['term', 'venue', 'dataset'] as ConceptKind[]).filter((k) => !kinds.has(k)));
  const tags: Tag[] = [];
  for (const id of vocabulary.conceptsIn(vocabulary.tokens(text), exclude)) {
    const c = vocabulary.concepts.get(id)!;
    if (kinds.has(c.kind)) tags.push({ kind: c.kind as TagKind, label: c.en, zh: c.zh });
  }
  return tags;
}

function has(paper: Paper, tag: Tag): boolean {
  switch (tag.kind) {
    case 'task':
      return paper.tasks.some((t) => sameKey(t.en, tag.label));
    case 'region':
      return paper.regions.some((t) => sameKey(t.en, tag.label));
    case 'modality':
      return paper.modalities.some((m) => sameKey(m, tag.label));
    case 'technique':
      return paper.techniques.some((m) => sameKey(m, tag.label));
  }
}

function add(paper: Paper, tag: Tag): void {
  if (has(paper, tag)) return;
  const term: Term = { en: tag.label, zh: tag.zh };
  if (tag.kind === 'task') paper.tasks.push(term);
  else if (tag.kind === 'region') paper.regions.push(term);
  else if (tag.kind === 'modality') paper.modalities.push(tag.label);
  else paper.techniques.push(tag.label);
}

function drop(paper: Paper, key: string): void {
  const [kind, ...rest] = key.split(':');
  const label = rest.join(':');
  if (kind === 'task') paper.tasks = paper.tasks.filter((t) => !sameKey(t.en, label));
  else if (kind === 'region') paper.regions = paper.regions.filter((t) => !sameKey(t.en, label));
  else if (kind === 'modality') paper.modalities = paper.modalities.filter((m) => !sameKey(m, label));
  else if (kind === 'technique') paper.techniques = paper.techniques.filter((m) => !sameKey(m, label));
}

function tagFromKey(key: string, vocabulary: Vocabulary): Tag | null {
  return readTag(key, vocabulary);
}

/**
 * Recomputes a record's inferred tags from its title and abstract, then applies the person's
 * corrections on top: a tag a person added stays (and is not marked inferred), a tag a person removed
 * stays removed whatever inference finds. Tags from the list are never touched. Returns a new record.
 */
export function withInferredTags(paper: Paper, vocabulary: Vocabulary, infer = true): Paper {
  const next: Paper = { ...paper, tasks: [...paper.tasks], regions: [...paper.regions], modalities: [...paper.modalities], techniques: [...paper.techniques] };
  const person = paper.personTags ?? { added: [], removed: [] };
  for (const key of paper.inferred ?? []) if (!person.added.some((k) => sameKey(k, key))) drop(next, key);
  const inferred: string[] = [];
  if (infer) {
    for (const tag of inferTags(`${paper.title}\n${paper.abstract ?? ''}`, vocabulary)) {
      const key = tagKey(tag);
      if (has(next, tag) || person.removed.some((k) => sameKey(k, key)) || inferred.includes(key)) continue;
      add(next, tag);
      inferred.push(key);
    }
  }
  for (const key of person.added) {
    const tag = tagFromKey(key, vocabulary);
    if (tag) add(next, tag);
  }
  for (const key of person.removed) drop(next, key);
  next.inferred = inferred;
  return next;
}

/** A person's `+kind:value -kind:value` applied to the record's corrections; later words win over earlier ones. */
export function correctTags(paper: Paper, changes: { add: Tag[]; remove: Tag[] }, vocabulary: Vocabulary): Paper {
  const added = [...(paper.personTags?.added ?? [])];
  const removed = [...(paper.personTags?.removed ?? [])];
  const without = (list: string[], key: string) => list.filter((k) => !sameKey(k, key));
  let a = added;
  let r = removed;
  for (const tag of changes.add) {
    const key = tagKey(tag);
    r = without(r, key);
    a = [...without(a, key), key];
  }
  for (const tag of changes.remove) {
    const key = tagKey(tag);
    a = without(a, key);
    r = [...without(r, key), key];
  }
  return withInferredTags({ ...paper, personTags: { added: a, removed: r } }, vocabulary, (paper.inferred?.length ?? 0) > 0 || paper.origin !== 'bundled');
}
