import type { Paper } from '../catalog/paper.js';
import type { ConceptKind, Vocabulary } from '../catalog/vocabulary.js';
import { isHan, tokenize } from '../catalog/tokens.js';

/** Where a term was found. Filters look in one field; free words in all but Year. */
export enum Field {
  Task = 0,
  Region = 1,
  Technique = 2,
  Modality = 3,
  Venue = 4,
  Dataset = 5,
  Author = 6,
  Title = 7,
  Abstract = 8,
  Aux = 9,
  Year = 10,
}

const FIELD_COUNT = 11;

/** A set of fields as bits, `1 << Field.Title`. */
export type FieldMask = number;
export const bit = (field: Field): FieldMask => 1 << field;
export const ALL_CONTENT: FieldMask = (1 << FIELD_COUNT) - 1 - bit(Field.Year);

/**
 * How much a query word counts when it is found in each field (BM25F field weights). The list's
 * own labels (task, region, technique, modality) say what a paper is about; the title is the
 * authors' own summary and counts nearly as much; datasets and authors name it; the abstract
 * (added by the living catalog) mentions many things in passing, and what is only implied (the
 * disease a dataset is about) counts least. The year is only ever a filter.
 */
const FIELD_WEIGHTS: Record<Field, number> = {
  [Field.Task]: 3,
  [Field.Region]: 3,
  [Field.Technique]: 2.5,
  [Field.Modality]: 2.5,
  [Field.Venue]: 1.2,
  [Field.Dataset]: 2,
  [Field.Author]: 2,
  [Field.Title]: 2.5,
  [Field.Abstract]: 0.8,
  [Field.Aux]: 0.6,
  [Field.Year]: 0,
};

/** The same weights by field number, for the build's inner loop. */
const FIELD_WEIGHT_OF = Float64Array.from({ length: FIELD_COUNT }, (_, f) => FIELD_WEIGHTS[f as Field]);

/**
 * BM25F length normalisation: a word among few labels, or in a short focused title, says more
 * about the paper than the same word among many. Reference lengths are fixed (not the running
 * average) so adding a paper never re-weights the others: the index stays incremental.
 */
const TAG_FIELDS = [Field.Task, Field.Region, Field.Technique, Field.Modality];
const LENGTH_NORMS = { labels: { b: 0.5, reference: 5 }, title: { b: 0.6, reference: 9 }, abstract: { b: 0.75, reference: 150 } };

/** A concept reached through its narrower one (a Liver Tumor label is also a liver label) counts this much less per step. */
const BROADER_DECAY = 0.7;

const TITLE_EXCLUDE = new Set<ConceptKind>(['venue']);

/** A title's tokens as the vocabulary reads them, and its key (`titleKey`), for the index's facts. */
export type TitleTokens = { tokens: string[]; key: string };

/** What one term contributes to one paper: its field-weighted, length-normalised frequency and where it was found. */
export type TermWeight = { weight: number; fields: FieldMask };
export type TermVisitor = (term: string, weight: number, fields: FieldMask) => void;

/** What a label, venue, dataset or author string contributes: concept terms with their distance from the label, and word terms. */
type Reading = { concepts: [string, number][]; words: string[] };

/**
 * Reads strings into index terms, remembering each distinct string: labels, venues, datasets and
 * authors repeat across thousands of papers, so each is read once.
 */
export class TermReader {
  private readonly cache = new Map<string, Reading>();
  private readonly tokenCache = new Map<string, string[]>();
  private readonly closureCache = new Map<string, [string, number][]>();
  private readonly wordTerms = new Map<string, string>();
  private readonly yearTerms = new Map<number, string>();

  constructor(readonly vocabulary: Vocabulary) {}

  /**
   * `w:<word>`, one string per word: a build reads the same words millions of times, and a string
   * made once is hashed once (a fresh concatenation is flattened and hashed at every map lookup).
   */
  wordTerm(word: string): string {
    let term = this.wordTerms.get(word);
    if (term === undefined) {
      term = `w:${word}`;
      if (this.wordTerms.size > 200_000) this.wordTerms.clear();
      this.wordTerms.set(word, term);
    }
    return term;
  }

  /** `y:<year>`, made once per year. */
  yearTerm(year: number): string {
    let term = this.yearTerms.get(year);
    if (term === undefined) this.yearTerms.set(year, (term = `y:${year}`));
    return term;
  }

  /** Plain tokens, no vocabulary: names must not turn into concepts (an author called Pet is no PET scan). */
  tokens(text: string): string[] {
    let t = this.tokenCache.get(text);
    if (!t) {
      t = this.vocabulary.tokens(text);
      if (this.tokenCache.size > 100_000) this.tokenCache.clear();
      this.tokenCache.set(text, t);
    }
    return t;
  }

  read(text: string): Reading {
    let r = this.cache.get(text);
    if (r) return r;
    const v = this.vocabulary;
    const concepts = new Map<string, number>();
    const words = new Set<string>();
    for (const m of v.readLongest(v.tokens(text))) {
      if (m.stop) continue;
      if (m.concept) for (const [id, d] of this.closure(m.concept)) concepts.set(id, Math.min(d, concepts.get(id) ?? d));
      else words.add(m.text);
    }
    // Single Han characters, so a one-character query (癌) finds labels that hold it (肝癌).
    if (isHan(text)) for (const ch of text) if (isHan(ch)) words.add(ch);
    r = { concepts: [...concepts], words: [...words].map((w) => this.wordTerm(w)) };
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(text, r);
    return r;
  }

  /** A concept and every broader one, as `c:<concept>` terms, with how many steps up each is. */
  closure(id: string): [string, number][] {
    let out = this.closureCache.get(id);
    if (!out) {
      out = this.vocabulary.distances(id).map(([c, d]): [string, number] => [`c:${c}`, d]);
      this.closureCache.set(id, out);
    }
    return out;
  }
}

/**
 * Collects the terms of one paper: per term, the best weight per field, summed over fields. One
 * collector serves a whole build (papers are read one after another), so reading a paper
 * allocates little more than its result.
 */
class TermCollector {
  private readonly slotOf = new Map<string, number>();
  private readonly terms: string[] = [];
  /** Per term, the fields it was found in so far. */
  private masks = new Uint16Array(64);
  private best = new Float32Array(64 * FIELD_COUNT);

  add(term: string, field: Field, weight: number): void {
    let at = this.slotOf.get(term);
    if (at === undefined) {
      at = this.terms.length;
      this.slotOf.set(term, at);
      this.terms.push(term);
      if (at === this.masks.length) {
        const masks = new Uint16Array(at * 2);
        masks.set(this.masks);
        this.masks = masks;
        const best = new Float32Array(this.best.length * 2);
        best.set(this.best);
        this.best = best;
      }
      this.best.fill(0, at * FIELD_COUNT, (at + 1) * FIELD_COUNT);
      this.masks[at] = 0;
    }
    const i = at * FIELD_COUNT + field;
    if (weight > (this.best[i] ?? 0)) this.best[i] = weight;
    this.masks[at] = (this.masks[at] ?? 0) | (1 << field);
  }

  /**
   * BM25F: the field-weighted sum of (length-normalised) frequencies, and the fields it was found
   * in, per term, in the order the terms came. Empties the collector.
   */
  finish(norms: Float32Array, visit: TermVisitor): void {
    const { terms, best, masks } = this;
    for (let at = 0; at < terms.length; at++) {
      let weight = 0;
      let fields = 0;
      // Only the fields the term was found in, lowest first (the order of the sum stays the same).
      for (let mask = masks[at] ?? 0; mask !== 0; mask &= mask - 1) {
        const f = 31 - Math.clz32(mask & -mask);
        const w = best[at * FIELD_COUNT + f] ?? 0;
        if (w === 0) continue;
        weight += ((FIELD_WEIGHT_OF[f] ?? 0) * w) / (norms[f] ?? 1);
        fields |= 1 << f;
      }
      visit(terms[at] ?? '', weight, fields);
    }
    this.slotOf.clear();
    terms.length = 0;
  }
}

const collector = new TermCollector();

const norm = (length: number, { b, reference }: { b: number; reference: number }) => 1 - b + (b * Math.max(1, length)) / reference;

/**
 * The index terms of one paper: `c:<concept>` for vocabulary concepts (with every broader concept,
 * weighted down by distance), `w:<word>` for other words, `y:<year>` for the year filter. The same
 * paper always gives the same terms, so removing a paper re-reads it instead of storing its terms.
 */
export function documentTerms(paper: Paper, reader: TermReader, titleOut?: TitleTokens): Map<string, TermWeight> {
  const out = new Map<string, TermWeight>();
  visitDocumentTerms(paper, reader, (term, weight, fields) => out.set(term, { weight, fields }), titleOut);
  return out;
}

/** The same terms, handed one by one to `visit` (what the index build uses: no map per paper). */
export function visitDocumentTerms(paper: Paper, reader: TermReader, visit: TermVisitor, titleOut?: TitleTokens): void {
  const terms = collector;
  const label = (text: string, field: Field) => {
    const r = reader.read(text);
    for (const [term, d] of r.concepts) terms.add(term, field, BROADER_DECAY ** d);
    for (const term of r.words) terms.add(term, field, 1);
  };
  for (const t of paper.tasks) (label(t.en, Field.Task), label(t.zh, Field.Task));
  for (const t of paper.regions) (label(t.en, Field.Region), label(t.zh, Field.Region));
  for (const t of paper.techniques) label(t, Field.Technique);
  for (const m of paper.modalities) label(m, Field.Modality);

  // The title is tokenized once: its key (titleKey) and its vocabulary tokens (Han runs segmented) both come from it.
  const plain = tokenize(paper.title);
  const titleTokens = plain.some(isHan) ? plain.flatMap((t) => (isHan(t) ? reader.vocabulary.segmentHan(t) : [t])) : plain;
  if (titleOut) {
    titleOut.tokens = titleTokens;
    titleOut.key = plain.join(' ');
  }
  const titleLength = freeText(paper.title, titleTokens, Field.Title, terms, reader);
  const abstractLength = paper.abstract ? freeText(paper.abstract, reader.vocabulary.tokens(paper.abstract), Field.Abstract, terms, reader) : 0;

  if (paper.venue) label(paper.venue, Field.Venue);
  for (const d of paper.datasets) {
    const r = reader.read(d.name);
    // What a dataset is about (ADNI → Alzheimer's) is implied, not stated: the weakest field.
    for (const [term, dist] of r.concepts) terms.add(term, dist === 0 ? Field.Dataset : Field.Aux, BROADER_DECAY ** Math.max(0, dist - 1));
    for (const term of r.words) terms.add(term, Field.Dataset, 1);
  }
  // Author names are plain tokens; initials would make every one-letter word hit, so they are left out.
  for (const author of paper.authors) for (const t of reader.tokens(author)) if (t.length > 1) terms.add(reader.wordTerm(t), Field.Author, 1);
  if (paper.year !== null) {
    terms.add(reader.yearTerm(paper.year), Field.Year, 1);
    terms.add(reader.wordTerm(String(paper.year)), Field.Venue, 1);
  }
  const norms = new Float32Array(FIELD_COUNT).fill(1);
  // The labels are read as one short text: a paper with few labels is about each of them more.
  const labels = paper.tasks.length + paper.regions.length + paper.techniques.length + paper.modalities.length;
  for (const f of TAG_FIELDS) norms[f] = norm(labels, LENGTH_NORMS.labels);
  norms[Field.Title] = norm(titleLength, LENGTH_NORMS.title);
  norms[Field.Abstract] = norm(abstractLength, LENGTH_NORMS.abstract);
  terms.finish(norms, visit);
}

/** Title or abstract: every concept named (nested phrases too, with broader ones) and every word; returns its length in words. */
function freeText(text: string, tokens: string[], field: Field, terms: TermCollector, reader: TermReader): number {
  const v = reader.vocabulary;
  for (const id of v.conceptsIn(tokens, TITLE_EXCLUDE)) for (const [term, d] of reader.closure(id)) terms.add(term, field, BROADER_DECAY ** d);
  let length = 0;
  for (const t of tokens) {
    terms.add(reader.wordTerm(t), field, 1);
    if (v.phrases.get(t) === undefined || v.concepts.has(v.phrases.get(t)!)) length++;
  }
  if (isHan(text)) for (const ch of text) if (isHan(ch)) terms.add(reader.wordTerm(ch), field, 1);
  return length;
}
