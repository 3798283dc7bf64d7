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

/** What a label, venue or dataset string contributes: concept terms with their distance from the label, and word terms, by number. */
type Reading = { concepts: number[]; distances: number[]; words: number[] };

/** What a title or abstract token contributes, read once per distinct token: its word term, whether it counts in the length, whether a phrase starts with it. */
type TokenFacts = { word: number; counts: boolean; startsPhrase: boolean };

/**
 * `BROADER_DECAY ** steps`, by number of steps: a term's weight in a field is passed around as its
 * steps (a whole number) and read from here where it is stored, so no number is boxed per term.
 */
const DECAY = Float64Array.from({ length: 64 }, (_, steps) => BROADER_DECAY ** steps);
const decay = (steps: number): number => (steps < DECAY.length ? (DECAY[steps] ?? 0) : BROADER_DECAY ** steps);

/** Above this many distinct terms, reading a paper on its own starts the term table afresh (see `startDocument`). */
const MAX_TERMS = 1_000_000;
/** Above this many entries, a cache of strings read is emptied (a living catalog meets new names for ever). */
const MAX_CACHED = 100_000;

/**
 * Reads strings into index terms, remembering each distinct string: labels, venues, datasets,
 * authors and title words repeat across thousands of papers, so each is read once. Terms
 * (`c:<concept>`, `w:<word>`, `y:<year>`) are numbered as they are first met, so that a build
 * keys its per-paper and per-term work by number instead of hashing strings millions of times.
 */
export class TermReader {
  private idOf = new Map<string, number>();
  private names: string[] = [];
  private readonly readings = new Map<string, Reading>();
  private readonly authorTerms = new Map<string, number[]>();
  private readonly tokenFacts = new Map<string, TokenFacts>();
  private readonly closures = new Map<string, Reading>();
  private readonly years = new Map<number, [number, number]>();
  private readonly hanChars = new Map<string, number>();

  constructor(readonly vocabulary: Vocabulary) {}

  /** The number of a term, given on first use. */
  termId(term: string): number {
    let id = this.idOf.get(term);
    if (id === undefined) {
      id = this.names.length;
      this.idOf.set(term, id);
      this.names.push(term);
    }
    return id;
  }

  termName(id: number): string {
    return this.names[id] ?? '';
  }

  /**
   * Called before a paper is read on its own (not inside a bulk build, whose buffered term numbers
   * must stay valid): after very many distinct terms (a living catalog's abstracts), the table and
   * every cache holding numbers start afresh.
   */
  startDocument(): void {
    if (this.names.length <= MAX_TERMS) return;
    this.idOf = new Map();
    this.names = [];
    for (const cache of [this.readings, this.authorTerms, this.tokenFacts, this.closures, this.years, this.hanChars]) cache.clear();
  }

  /** The terms of a year: `y:<year>` (the filter) and `w:<year>` (the year as a word). */
  yearTerms(year: number): [number, number] {
    let ids = this.years.get(year);
    if (ids === undefined) this.years.set(year, (ids = [this.termId(`y:${year}`), this.termId(`w:${year}`)]));
    return ids;
  }

  /** An author's word terms. Plain tokens, no vocabulary: an author called Pet is no PET scan; initials are left out, or every one-letter word would hit. */
  authorWords(author: string): number[] {
    let ids = this.authorTerms.get(author);
    if (ids === undefined) {
      ids = this.vocabulary.tokens(author).flatMap((t) => (t.length > 1 ? [this.termId(`w:${t}`)] : []));
      cacheIn(this.authorTerms, author, ids);
    }
    return ids;
  }

  /** A title or abstract token's facts. */
  token(token: string): TokenFacts {
    let facts = this.tokenFacts.get(token);
    if (facts === undefined) {
      const v = this.vocabulary;
      const phrase = v.phrases.get(token);
      // Stop words do not count in a text's length; a token that is a concept, or no phrase, does.
      facts = { word: this.termId(`w:${token}`), counts: phrase === undefined || v.concepts.has(phrase), startsPhrase: v.startsPhrase(token) };
      cacheIn(this.tokenFacts, token, facts);
    }
    return facts;
  }

  /** The word term of a single Han character, or -1 for any other character. */
  hanChar(ch: string): number {
    let id = this.hanChars.get(ch);
    if (id === undefined) this.hanChars.set(ch, (id = isHan(ch) ? this.termId(`w:${ch}`) : -1));
    return id;
  }

  read(text: string): Reading {
    let r = this.readings.get(text);
    if (r) return r;
    const v = this.vocabulary;
    const concepts = new Map<number, number>();
    const words = new Set<number>();
    for (const m of v.readLongest(v.tokens(text))) {
      if (m.stop) continue;
      if (m.concept) {
        const c = this.closure(m.concept);
        c.concepts.forEach((id, i) => concepts.set(id, Math.min(c.distances[i] ?? 0, concepts.get(id) ?? Number.POSITIVE_INFINITY)));
      } else words.add(this.termId(`w:${m.text}`));
    }
    // Single Han characters, so a one-character query (癌) finds labels that hold it (肝癌).
    if (isHan(text)) for (const ch of text) if (isHan(ch)) words.add(this.termId(`w:${ch}`));
    r = { concepts: [...concepts.keys()], distances: [...concepts.values()], words: [...words] };
    cacheIn(this.readings, text, r);
    return r;
  }

  /** A concept and every broader one, as `c:<concept>` terms, with how many steps up each is. */
  closure(id: string): Reading {
    let out = this.closures.get(id);
    if (!out) {
      const distances = this.vocabulary.distances(id);
      out = { concepts: distances.map(([c]) => this.termId(`c:${c}`)), distances: distances.map(([, d]) => d), words: [] };
      this.closures.set(id, out);
    }
    return out;
  }
}

function cacheIn<K, V>(cache: Map<K, V>, key: K, value: V): void {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
}

/**
 * Where a paper's terms go, all at once: `count` term numbers, each once, with its BM25F weight and
 * the fields it was found in (arrays the collector reuses for the next paper).
 */
export type TermSink = { paperTerms(ids: Int32Array, weights: Float64Array, fields: Uint16Array, count: number): void };

/**
 * Collects the terms of one paper: per term, the best weight per field, summed over fields. One
 * collector serves a whole build (papers are read one after another, synchronously), so reading a
 * paper allocates nothing: per term number, where it sits in this paper (-1: not yet).
 */
class TermCollector {
  private positionOf = new Int32Array(1024).fill(-1);
  private ids = new Int32Array(64);
  private count = 0;
  /** Per term, the fields it was found in so far. */
  private masks = new Uint16Array(64);
  private best = new Float32Array(64 * FIELD_COUNT);
  /** What `finish` hands on: per term, its weight and fields. */
  private weights = new Float64Array(64);
  private fields = new Uint16Array(64);

  /** Forgets a paper left half read (an exception while reading it). */
  reset(): void {
    for (let at = 0; at < this.count; at++) this.positionOf[this.ids[at] ?? 0] = -1;
    this.count = 0;
  }

  /** The term found in a field, `steps` concepts up from what the paper names (0: named itself). */
  add(id: number, field: Field, steps: number): void {
    if (id >= this.positionOf.length) {
      const grown = new Int32Array(Math.max(id + 1, this.positionOf.length * 2)).fill(-1);
      grown.set(this.positionOf);
      this.positionOf = grown;
    }
    let at = this.positionOf[id] ?? -1;
    if (at < 0) {
      at = this.count++;
      this.positionOf[id] = at;
      if (at === this.ids.length) {
        this.ids = grow(this.ids, new Int32Array(at * 2));
        this.masks = grow(this.masks, new Uint16Array(at * 2));
        this.best = grow(this.best, new Float32Array(this.best.length * 2));
        this.weights = new Float64Array(at * 2);
        this.fields = new Uint16Array(at * 2);
      }
      this.ids[at] = id;
      this.best.fill(0, at * FIELD_COUNT, (at + 1) * FIELD_COUNT);
      this.masks[at] = 0;
    }
    const i = at * FIELD_COUNT + field;
    const weight = decay(steps);
    if (weight > (this.best[i] ?? 0)) this.best[i] = weight;
    this.masks[at] = (this.masks[at] ?? 0) | (1 << field);
  }

  /**
   * BM25F: the field-weighted sum of (length-normalised) frequencies, and the fields it was found
   * in, per term, in the order the terms came. Empties the collector.
   */
  finish(norms: Float32Array, sink: TermSink): void {
    const { ids, best, masks, weights, fields: fieldsOf } = this;
    const count = this.count;
    this.reset();
    for (let at = 0; at < count; at++) {
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
      weights[at] = weight;
      fieldsOf[at] = fields;
    }
    sink.paperTerms(ids, weights, fieldsOf, count);
  }
}

function grow<T extends Int32Array | Uint16Array | Float32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

const collector = new TermCollector();
/** Per field, a paper's length normalisation (refilled for each paper). */
const norms = new Float32Array(FIELD_COUNT);

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

/** The same terms, by name, handed one by one to `visit` (adding or changing one paper). */
export function visitDocumentTerms(paper: Paper, reader: TermReader, visit: TermVisitor, titleOut?: TitleTokens): void {
  reader.startDocument();
  const sink: TermSink = {
    paperTerms(ids, weights, fields, count) {
      for (let at = 0; at < count; at++) visit(reader.termName(ids[at] ?? 0), weights[at] ?? 0, fields[at] ?? 0);
    },
  };
  collectDocumentTerms(paper, reader, sink, titleOut);
}

/** The same terms, by number (`reader.termName` names them), into a sink: what a bulk build uses. */
export function collectDocumentTerms(paper: Paper, reader: TermReader, sink: TermSink, titleOut?: TitleTokens): void {
  const terms = collector;
  terms.reset();
  for (const t of paper.tasks) (label(terms, reader.read(t.en), Field.Task), label(terms, reader.read(t.zh), Field.Task));
  for (const t of paper.regions) (label(terms, reader.read(t.en), Field.Region), label(terms, reader.read(t.zh), Field.Region));
  for (const t of paper.techniques) label(terms, reader.read(t), Field.Technique);
  for (const m of paper.modalities) label(terms, reader.read(m), Field.Modality);

  // The title is tokenized once: its key (titleKey) and its vocabulary tokens (Han runs segmented) both come from it.
  const plain = tokenize(paper.title);
  const titleTokens = plain.some(isHanToken) ? plain.flatMap((t) => (isHanToken(t) ? reader.vocabulary.segmentHan(t) : [t])) : plain;
  if (titleOut) {
    titleOut.tokens = titleTokens;
    titleOut.key = plain.join(' ');
  }
  const titleLength = freeText(paper.title, titleTokens, Field.Title, terms, reader);
  const abstractLength = paper.abstract ? freeText(paper.abstract, reader.vocabulary.tokens(paper.abstract), Field.Abstract, terms, reader) : 0;

  if (paper.venue) label(terms, reader.read(paper.venue), Field.Venue);
  for (const d of paper.datasets) {
    const r = reader.read(d.name);
    // What a dataset is about (ADNI → Alzheimer's) is implied, not stated: the weakest field.
    for (let i = 0; i < r.concepts.length; i++) {
      const dist = r.distances[i] ?? 0;
      terms.add(r.concepts[i] ?? 0, dist === 0 ? Field.Dataset : Field.Aux, Math.max(0, dist - 1));
    }
    for (const id of r.words) terms.add(id, Field.Dataset, 0);
  }
  for (const author of paper.authors) for (const id of reader.authorWords(author)) terms.add(id, Field.Author, 0);
  if (paper.year !== null) {
    const [filter, word] = reader.yearTerms(paper.year);
    terms.add(filter, Field.Year, 0);
    terms.add(word, Field.Venue, 0);
  }
  norms.fill(1);
  // The labels are read as one short text: a paper with few labels is about each of them more.
  const labels = paper.tasks.length + paper.regions.length + paper.techniques.length + paper.modalities.length;
  for (const f of TAG_FIELDS) norms[f] = norm(labels, LENGTH_NORMS.labels);
  norms[Field.Title] = norm(titleLength, LENGTH_NORMS.title);
  norms[Field.Abstract] = norm(abstractLength, LENGTH_NORMS.abstract);
  terms.finish(norms, sink);
}

function label(terms: TermCollector, r: Reading, field: Field): void {
  for (let i = 0; i < r.concepts.length; i++) terms.add(r.concepts[i] ?? 0, field, r.distances[i] ?? 0);
  for (const id of r.words) terms.add(id, field, 0);
}

/** A token `tokenize` gave is Han or not as a whole; a character below the CJK blocks settles it without a regular expression. */
const isHanToken = (token: string): boolean => token.charCodeAt(0) >= 0x2e80 && isHan(token);

/** Title or abstract: every concept named (nested phrases too, with broader ones) and every word; returns its length in words. */
function freeText(text: string, tokens: string[], field: Field, terms: TermCollector, reader: TermReader): number {
  const v = reader.vocabulary;
  const named: string[] = [];
  for (let i = 0; i < tokens.length; i++) if (reader.token(tokens[i] ?? '').startsPhrase) v.conceptsAt(tokens, i, TITLE_EXCLUDE, named);
  for (const concept of named) label(terms, reader.closure(concept), field);
  let length = 0;
  let han = false;
  for (let i = 0; i < tokens.length; i++) {
    const f = reader.token(tokens[i] ?? '');
    terms.add(f.word, field, 0);
    if (f.counts) length++;
    han ||= isHanToken(tokens[i] ?? '');
  }
  // Every token holding Han means the text does; a text without any skips the character scan.
  if (han) {
    for (const ch of text) {
      const id = reader.hanChar(ch);
      if (id >= 0) terms.add(id, field, 0);
    }
  }
  return length;
}
