import type { Paper } from '../catalog/paper.js';
import { STOP, type ConceptKind, type Vocabulary } from '../catalog/vocabulary.js';
import type { FilterField } from './query.js';

type NamedField = Exclude<FilterField, 'year' | 'since' | 'until'>;

/** What the papers added to the values, for a snapshot: per field, the strings seen and the keys they gave. */
export type KnownValuesState = { seen: [string, string[]][]; keys: [string, string[]][] };

const FIELD_OF_KIND: Record<ConceptKind, NamedField | null> = {
  region: 'region', task: 'task', modality: 'modality', technique: 'technique', venue: 'venue', dataset: 'dataset', term: null,
};

/**
 * The values of several words a filter may name without quotes (`venue:medical physics`,
 * `dataset:lidc idri`, `author:hao chen`): every multi-word vocabulary name of the field's kind and
 * every multi-word value in the catalog. Only these let a filter value take the words after it, so
 * `author:chen liver` stays a filter and a free word.
 */
export class KnownValues {
  private readonly byField = new Map<NamedField, Set<string>>();
  private readonly seen = new Map<NamedField, Set<string>>();

  constructor(private readonly vocabulary: Vocabulary) {
    for (const [phrase, id] of vocabulary.phrases) {
      const field = id === STOP ? null : FIELD_OF_KIND[vocabulary.concepts.get(id)!.kind];
      if (field && phrase.includes(' ')) this.keys(field).add(phrase);
    }
  }

  /** Records what a paper names; each distinct string is read once, however many papers share it. */
  addPaper(paper: Paper): void {
    if (paper.venue) this.add('venue', paper.venue);
    for (const d of paper.datasets) this.add('dataset', d.name);
    for (const a of paper.authors) this.add('author', a);
    for (const t of paper.tasks) (this.add('task', t.en), this.add('task', t.zh));
    for (const r of paper.regions) (this.add('region', r.en), this.add('region', r.zh));
    for (const m of paper.modalities) this.add('modality', m);
    for (const t of paper.techniques) this.add('technique', t);
  }

  exportState(): KnownValuesState {
    return { seen: [...this.seen].map(([f, set]) => [f, [...set]]), keys: [...this.byField].map(([f, set]) => [f, [...set]]) };
  }

  /** Takes back what `exportState` gave (the vocabulary's own keys are among them). */
  importState(state: KnownValuesState): void {
    for (const [field, values] of state.seen) this.seen.set(field as NamedField, new Set(values));
    for (const [field, keys] of state.keys) this.byField.set(field as NamedField, new Set(keys));
  }

  /** Every value papers give for a field, as written (both languages for labels). */
  values(field: FilterField): string[] {
    return [...(this.seen.get(field as NamedField) ?? [])];
  }

  has(field: FilterField, value: string): boolean {
    const keys = this.byField.get(field as NamedField);
    return keys !== undefined && keys.has(this.key(value));
  }

  private add(field: NamedField, text: string): void {
    let seen = this.seen.get(field);
    if (!seen) this.seen.set(field, (seen = new Set()));
    if (seen.has(text)) return;
    seen.add(text);
    for (const form of field === 'author' ? nameForms(text) : [text]) {
      const key = this.key(form);
      if (key.includes(' ')) this.keys(field).add(key);
    }
  }

  private keys(field: NamedField): Set<string> {
    let keys = this.byField.get(field);
    if (!keys) this.byField.set(field, (keys = new Set()));
    return keys;
  }

  private key(text: string): string {
    return this.vocabulary.tokens(text, false).join(' ');
  }
}

/** `Chen, Hao` (BibTeX) or `Hao Chen`: users type the family name alone, or either order. */
function nameForms(author: string): string[] {
  const comma = author.indexOf(',');
  const space = author.trim().lastIndexOf(' ');
  if (comma < 0 && space < 0) return [author];
  const [family, given] = comma >= 0 ? [author.slice(0, comma), author.slice(comma + 1)] : [author.slice(space + 1), author.slice(0, space)];
  return [family, `${given} ${family}`, `${family} ${given}`];
}
