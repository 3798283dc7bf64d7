import type { Paper, Term } from '../catalog/paper.js';
import type { ConceptKind, Vocabulary } from '../catalog/vocabulary.js';
import { isHan } from '../catalog/tokens.js';

/** Where a term was found; filters look in one of these fields, free words in all but Year. */
export enum Field {
  Task = 0,
  Region = 1,
  Technique = 2,
  Modality = 3,
  Venue = 4,
  Dataset = 5,
  Author = 6,
  Title = 7,
  Aux = 8,
  Year = 9,
}

export const FIELD_COUNT = 10;

/**
 * How much a query word counts when it is found in each field. The task (the list's own section) is
 * what a paper is about, then its other tags (region, technique, modality), then the facts that name
 * it (venue, dataset, authors); a word that is only in the title counts less, and what is only
 * implied (the disease a dataset is about) least. The year is only ever a filter.
 */
export const FIELD_WEIGHTS = [3.5, 3, 3, 3, 2.5, 2.5, 2.5, 1.5, 1, 0.1] as const;

/** Fields whose match counts as "the paper is tagged with it" for ranking. */
export const TAG_FIELDS = new Set<Field>([Field.Task, Field.Region, Field.Technique, Field.Modality, Field.Venue, Field.Dataset, Field.Author]);

const TITLE_EXCLUDE = new Set<ConceptKind>(['venue']);

/** What a tag, venue, dataset or author string contributes: concepts (with broader ones) and other words. */
type Reading = { concepts: string[]; broader: string[]; words: string[] };

/**
 * Reads strings into index terms, remembering each distinct string: tags, venues, datasets and
 * authors repeat across thousands of papers, so each is read (and its terms built) once.
 */
export class TermReader {
  private readonly cache = new Map<string, Reading>();
  private readonly tokenCache = new Map<string, string[]>();
  private readonly tagCache = new Map<string, string[]>();
  private readonly closureCache = new Map<string, string[]>();

  constructor(readonly vocabulary: Vocabulary) {}

  /** Plain tokens, no vocabulary: names must not turn into concepts (an author called Pet is no PET scan). */
  tokens(text: string): string[] {
    let t = this.tokenCache.get(text);
    if (!t) {
      t = this.vocabulary.tokens(text);
      this.tokenCache.set(text, t);
    }
    return t;
  }

  read(text: string): Reading {
    let r = this.cache.get(text);
    if (r) return r;
    const v = this.vocabulary;
    const concepts = new Set<string>();
    const broader = new Set<string>();
    const words = new Set<string>();
    for (const m of v.readLongest(v.tokens(text))) {
      if (m.stop) continue;
      if (m.concept) {
        concepts.add(m.concept);
        for (const id of v.closure(m.concept)) if (id !== m.concept) broader.add(id);
      } else words.add(m.text);
    }
    // Single Han characters, so a one-character query (癌) finds labels that hold it (肝癌).
    if (isHan(text)) for (const ch of text) if (isHan(ch)) words.add(ch);
    r = { concepts: [...concepts], broader: [...broader], words: [...words] };
    this.cache.set(text, r);
    return r;
  }

  /** `c:`/`w:` terms of a tag string (its concepts with the broader ones, and other words). */
  tag(text: string): string[] {
    let t = this.tagCache.get(text);
    if (!t) {
      const r = this.read(text);
      t = [...r.concepts, ...r.broader].map((id) => `c:${id}`).concat(r.words.map((w) => `w:${w}`));
      this.tagCache.set(text, t);
    }
    return t;
  }

  /** `c:` terms of a concept and every broader one. */
  closure(id: string): string[] {
    let terms = this.closureCache.get(id);
    if (!terms) {
      terms = this.vocabulary.closure(id).map((c) => `c:${c}`);
      this.closureCache.set(id, terms);
    }
    return terms;
  }
}

/**
 * The index terms of one paper, per field (ids are looked up exactly, not indexed): `c:<concept>`
 * for vocabulary concepts (with every broader concept), `w:<word>` for other words, `y:<year>`.
 * A term may repeat within a field.
 */
export function documentTerms(paper: Paper, reader: TermReader, titleOut?: { tokens: string[] }): string[][] {
  const v = reader.vocabulary;
  const fields: string[][] = Array.from({ length: FIELD_COUNT }, () => []);
  const tag = (text: string, field: Field) => fields[field].push(...reader.tag(text));

  for (const t of paper.tasks) {
    tag(t.en, Field.Task);
    tag(t.zh, Field.Task);
  }
  for (const t of paper.regions) {
    tag(t.en, Field.Region);
    tag(t.zh, Field.Region);
  }
  for (const t of paper.techniques) tag(t, Field.Technique);
  for (const m of paper.modalities) tag(m, Field.Modality);

  const title = fields[Field.Title];
  const titleTokens = v.tokens(paper.title);
  if (titleOut) titleOut.tokens = titleTokens;
  for (const id of v.conceptsIn(titleTokens, TITLE_EXCLUDE)) title.push(...reader.closure(id));
  for (const t of titleTokens) title.push(`w:${t}`);
  if (isHan(paper.title)) for (const ch of paper.title) if (isHan(ch)) title.push(`w:${ch}`);

  if (paper.venue) tag(paper.venue, Field.Venue);
  for (const d of paper.datasets) {
    const r = reader.read(d.name);
    for (const id of r.concepts) fields[Field.Dataset].push(`c:${id}`);
    // What a dataset is about (ADNI → Alzheimer's) is implied, not stated: the weakest field.
    for (const id of r.broader) fields[Field.Aux].push(`c:${id}`);
    for (const w of r.words) fields[Field.Dataset].push(`w:${w}`);
  }
  // Author names are plain tokens (an author called Pet is no PET scan); initials would make every
  // one-letter word hit, so they are left out.
  for (const author of paper.authors) for (const t of reader.tokens(author)) if (t.length > 1) fields[Field.Author].push(`w:${t}`);
  if (paper.year !== null) {
    fields[Field.Year].push(`y:${paper.year}`);
    fields[Field.Venue].push(`w:${paper.year}`);
  }
  return fields;
}
