import type { Paper } from '../catalog/paper.js';
import { STOP, type Vocabulary } from '../catalog/vocabulary.js';
import { isHan, surfaceTokens, titleKey, tokenize } from '../catalog/tokens.js';
import { typoBudget } from './fuzzy.js';
import { ALL_CONTENT, bit, collectDocumentTerms, documentTerms, Field, TermReader, visitDocumentTerms, type FieldMask, type TermWeight, type TitleTokens } from './documents.js';
import { KnownValues } from './known-values.js';
import { Postings, PostingsBuilder, type PostingList, type PostingsState } from './postings.js';
import { mustExist } from '../errors.js';
import type { KnownValuesState } from './known-values.js';
import { WordDictionary } from './words.js';
import type { Filter, FilterField } from './query.js';

/** A filter restricts; it barely moves the ranking. */
const FILTER_FACTOR = 0.03;
const FILTER_FIELDS: Record<Exclude<FilterField, 'year' | 'since' | 'until'>, FieldMask> = {
  task: bit(Field.Task), region: bit(Field.Region), technique: bit(Field.Technique), modality: bit(Field.Modality),
  venue: bit(Field.Venue), dataset: bit(Field.Dataset), author: bit(Field.Author),
};
const PREFIX_LIMIT = 40;
/** The shortest word read as the start of a longer one. */
const MIN_PREFIX = 3;
/**
 * A concept also reaches what it is a kind of (melanoma → skin cancer → skin lesion, LSTM → RNN),
 * at this fraction per step up, three steps at most: such papers are related, not what was asked,
 * so they rank after the papers that name the word and only fill a page.
 */
const RELATED_FACTOR = 0.6;
const RELATED_STEPS = 3;

const EMPTY = new Uint8Array(0);

/** What `PaperIndex.exportState` gives and `PaperIndex.restore` takes: flat arrays, one entry per slot. */
export type IndexState = {
  slotCount: number;
  /** The records as JSON, one after another; `recordEnds[slot]` is where each ends (a removed slot's is empty). */
  records: Uint8Array;
  recordEnds: Int32Array;
  /** '' for a removed slot. */
  ids: string[];
  titleKeys: string[];
  years: Int32Array;
  postings: PostingsState;
  surfaces: [string, string][];
  knownValues: KnownValuesState;
};

/** The JSON of restored records, parsed one at a time when a paper is asked for. */
class StoredRecords {
  private readonly text: Buffer;

  constructor(
    records: Uint8Array,
    private readonly ends: Int32Array,
  ) {
    this.text = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
  }

  bytes(slot: number): Uint8Array {
    return this.text.subarray(slot === 0 ? 0 : (this.ends[slot - 1] ?? 0), this.ends[slot] ?? 0);
  }

  read(slot: number): Paper {
    return JSON.parse(this.bytes(slot).toString()) as Paper;
  }
}

/** One way a unit can match: a term, where it must be found, how much it counts, and whether it is the word itself. */
export type Lookup = { term: string; fields: FieldMask; factor: number; exact: boolean };

/** One thing the query asks for: a word (with its synonyms, prefix or typo readings, related concepts) or a filter. */
export type Unit = {
  label: string;
  lookups: Lookup[];
  /** Set when the word was read as something else (prefix or typo), for the notice. */
  readAs?: string[];
};

/**
 * The index: a posting list per term (concept, word, year) holding each paper's BM25F weight and
 * the fields the term was found in. Papers can be added, changed and removed one at a time; a
 * paper added later takes a new slot at the end, so its postings are appended (filling a removed
 * paper's slot would insert into the middle of every list it touches, copying each).
 */
export class PaperIndex {
  /** The paper in each slot: null when it was removed, undefined while a restored record is not read yet. */
  private readonly slots: (Paper | null | undefined)[] = [];
  /** Records restored from a snapshot, parsed on first use (a start-up reads none of them). */
  private stored: StoredRecords | null = null;
  private readonly slotOf = new Map<string, number>();
  private readonly postings = new Postings();
  private readonly words = new WordDictionary();
  private readonly titleKeys: string[] = [];
  /** Each slot's year (0 when unknown), for ordering ties without reading the paper. */
  private readonly yearOf: number[] = [];
  private readonly byTitle = new Map<string, number>();
  private readonly yearCounts = new Map<number, number>();
  private readonly knownValues: KnownValues;
  private readonly reader: TermReader;
  private readonly vocabularyWords = new Set<string>();
  /** A stem → a spelling of it seen in a title (`segment` → `segmenting`), for showing readings back. */
  private readonly surfaces = new Map<string, string>();
  private live = 0;

  constructor(papers: readonly Paper[], readonly vocabulary: Vocabulary) {
    this.reader = new TermReader(vocabulary);
    this.knownValues = new KnownValues(vocabulary);
    for (const [phrase, id] of vocabulary.phrases) {
      if (id === STOP || phrase.includes(' ') || isHan(phrase)) continue;
      this.vocabularyWords.add(phrase);
      this.words.add(phrase);
    }
    this.addAll(papers);
  }

  /**
   * The build: papers in new slots (the first of several with one id), each read once into term
   * numbers that a `PostingsBuilder` appends to their lists a block at a time.
   */
  private addAll(papers: readonly Paper[]): void {
    const built = new PostingsBuilder(this.postings, papers.length, (id) => this.reader.termName(id), this.learnTerm);
    const title: TitleTokens = { tokens: [], key: '' };
    for (const paper of papers) {
      if (this.slotOf.has(paper.id)) continue;
      const slot = this.slots.length;
      built.slot = slot;
      collectDocumentTerms(paper, this.reader, built, title);
      this.slots[slot] = paper;
      this.slotOf.set(paper.id, slot);
      this.live++;
      this.learnFacts(paper, slot, title);
    }
    built.finish();
  }

  /** Adds a paper, or replaces the one with the same id: only the terms that changed are touched. */
  upsert(paper: Paper): void {
    const existing = this.slotOf.get(paper.id);
    const slot = existing ?? this.slots.length;
    const title: TitleTokens = { tokens: [], key: '' };
    const added = existing === undefined ? null : new Set<string>();
    visitDocumentTerms(
      paper,
      this.reader,
      (term, weight, fields) => {
        this.postings.add(slot, term, weight, fields, this.learnTerm);
        added?.add(term);
      },
      title,
    );
    if (existing !== undefined) {
      const old = mustExist(this.paperAt(existing), 'the paper being replaced');
      const gone = [...documentTerms(old, this.reader).keys()].filter((t) => !added!.has(t));
      this.postings.remove(slot, gone, this.forgetTerm);
      this.forgetFacts(old, slot);
    } else this.live++;
    this.slots[slot] = paper;
    this.slotOf.set(paper.id, slot);
    this.learnFacts(paper, slot, title);
  }

  /** Removes a paper by id; false if there was none. */
  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const paper = mustExist(this.paperAt(slot), 'the paper being removed');
    this.postings.remove(slot, documentTerms(paper, this.reader).keys(), this.forgetTerm);
    this.forgetFacts(paper, slot);
    this.slots[slot] = null;
    this.slotOf.delete(id);
    this.live--;
    return true;
  }

  private readonly learnTerm = (term: string) => {
    if (term.startsWith('w:')) this.words.add(term.slice(2));
  };

  private readonly forgetTerm = (term: string) => {
    if (term.startsWith('w:') && !this.vocabularyWords.has(term.slice(2))) this.words.delete(term.slice(2));
  };

  private learnFacts(paper: Paper, slot: number, title: TitleTokens): void {
    // How a title spells its stems, read only from titles that bring a stem not seen before.
    if (title.tokens.some((t) => !this.surfaces.has(t))) {
      const stems = tokenize(paper.title);
      const written = surfaceTokens(paper.title);
      for (const [i, stem] of stems.entries()) if (!this.surfaces.has(stem)) this.surfaces.set(stem, written[i] ?? stem);
    }
    const key = title.key;
    this.titleKeys[slot] = key;
    this.yearOf[slot] = paper.year ?? 0;
    if (!this.byTitle.has(key)) this.byTitle.set(key, slot);
    if (paper.year !== null) this.yearCounts.set(paper.year, (this.yearCounts.get(paper.year) ?? 0) + 1);
    this.knownValues.addPaper(paper);
  }

  private forgetFacts(paper: Paper, slot: number): void {
    const key = this.titleKeys[slot];
    if (key !== undefined && this.byTitle.get(key) === slot) this.byTitle.delete(key);
    this.titleKeys[slot] = '';
    if (paper.year !== null) {
      const left = (this.yearCounts.get(paper.year) ?? 1) - 1;
      if (left > 0) this.yearCounts.set(paper.year, left);
      else this.yearCounts.delete(paper.year);
    }
  }

  /** How many papers the index holds. */
  get size(): number {
    return this.live;
  }

  /** One past the highest slot in use: the length of per-slot arrays. */
  get slotCount(): number {
    return this.slots.length;
  }

  /** Whether a paper holds this slot. */
  isLive(slot: number): boolean {
    return slot < this.slots.length && this.slots[slot] !== null;
  }

  /** The year of the paper in a slot, 0 when unknown. */
  yearAt(slot: number): number {
    return this.yearOf[slot] ?? 0;
  }

  paperAt(slot: number): Paper | null {
    const held = this.slots[slot];
    if (held !== undefined || !this.stored || slot >= this.slots.length) return held ?? null;
    const paper = this.stored.read(slot);
    this.slots[slot] = paper;
    return paper;
  }

  slotById(id: string): number | undefined {
    return this.slotOf.get(id);
  }

  /** Every paper, in slot order. */
  *papers(): IterableIterator<Paper> {
    for (let slot = 0; slot < this.slots.length; slot++) {
      const paper = this.paperAt(slot);
      if (paper) yield paper;
    }
  }

  postingList(term: string): PostingList | undefined {
    return this.postings.get(term);
  }

  /** BM25 inverse document frequency: rare terms say more. */
  idf(term: string): number {
    const df = this.postings.count(term);
    return Math.log(1 + (this.live - df + 0.5) / (df + 0.5));
  }

  get years(): number[] {
    return [...this.yearCounts.keys()].sort((a, b) => a - b);
  }

  // ---- snapshots ----

  /**
   * Everything the index holds, as flat arrays a snapshot can store (snapshot.ts): what a build
   * computes from the papers (postings, title keys, spellings, filter values) and the records
   * themselves, so a restore reads no paper.
   */
  exportState(): IndexState {
    const ids = this.slots.map(() => '');
    for (const [id, slot] of this.slotOf) ids[slot] = id;
    const records: Uint8Array[] = [];
    const recordEnds = new Int32Array(this.slots.length);
    let end = 0;
    for (let slot = 0; slot < this.slots.length; slot++) {
      const held = this.slots[slot];
      const bytes = held === null ? EMPTY : held === undefined && this.stored ? this.stored.bytes(slot) : Buffer.from(JSON.stringify(held));
      records.push(bytes);
      end += bytes.length;
      recordEnds[slot] = end;
    }
    return {
      slotCount: this.slots.length,
      records: Buffer.concat(records),
      recordEnds,
      ids,
      titleKeys: this.slots.map((_, slot) => this.titleKeys[slot] ?? ''),
      years: Int32Array.from(this.slots, (_, slot) => this.yearOf[slot] ?? 0),
      postings: this.postings.exportLists(),
      surfaces: [...this.surfaces],
      knownValues: this.knownValues.exportState(),
    };
  }

  /** An index as it was exported, its records read only when asked for. */
  static restore(state: IndexState, vocabulary: Vocabulary): PaperIndex {
    const index = new PaperIndex([], vocabulary);
    index.stored = new StoredRecords(state.records, state.recordEnds);
    for (let slot = 0; slot < state.slotCount; slot++) {
      const id = state.ids[slot] ?? '';
      const key = state.titleKeys[slot] ?? '';
      const year = state.years[slot] ?? 0;
      index.titleKeys[slot] = key;
      index.yearOf[slot] = year;
      if (!id) {
        index.slots[slot] = null;
        continue;
      }
      index.slots[slot] = undefined;
      index.slotOf.set(id, slot);
      index.live++;
      if (!index.byTitle.has(key)) index.byTitle.set(key, slot);
      if (year !== 0) index.yearCounts.set(year, (index.yearCounts.get(year) ?? 0) + 1);
    }
    index.postings.importLists(state.postings, index.learnTerm);
    for (const [stem, written] of state.surfaces) index.surfaces.set(stem, written);
    index.knownValues.importState(state.knownValues);
    return index;
  }

  // ---- reading a query into units ----

  /** Free text into units: vocabulary concepts first (longest phrase), then words, prefixes, typos. Stop words are dropped. */
  textUnits(text: string): Unit[] {
    const v = this.vocabulary;
    const units: Unit[] = [];
    const keys = new Set<string>();
    // Labels show the words as typed (`segmenting`), not their stems (`segment`).
    const surface = v.tokens(text, true, false);
    for (const m of v.readLongest(v.tokens(text))) {
      if (m.stop) continue;
      const key = m.concept ? `c:${m.concept}` : `w:${m.text}`;
      if (keys.has(key)) continue;
      keys.add(key);
      const label = surface.slice(m.start, m.end).join(' ').replace(/(?<=\p{Script=Han}) (?=\p{Script=Han})/gu, '') || m.text;
      units.push(m.concept ? this.conceptUnit(label, m.concept) : this.wordUnit(m.text, label));
    }
    return units;
  }

  /** Whether text holds only words that restrict nothing (stop words, "deep learning"), and which kind. */
  emptyReading(text: string): 'none' | 'domain' | 'function' {
    const v = this.vocabulary;
    const matches = v.readLongest(v.tokens(text));
    if (matches.length === 0) return 'function';
    if (matches.some((m) => !m.stop)) return 'none';
    return matches.some((m) => v.domainPhrases.has(m.text)) ? 'domain' : 'function';
  }

  private conceptUnit(label: string, concept: string): Unit {
    const lookups: Lookup[] = [{ term: `c:${concept}`, fields: ALL_CONTENT, factor: 1, exact: true }];
    const v = this.vocabulary;
    if (v.concepts.get(concept)?.kind !== 'venue') {
      for (const [id, steps] of v.distances(concept)) {
        if (steps === 0 || steps > RELATED_STEPS) continue;
        lookups.push({ term: `c:${id}`, fields: ALL_CONTENT, factor: RELATED_FACTOR ** steps, exact: false });
      }
    }
    return { label, lookups };
  }

  private wordUnit(word: string, label: string): Unit {
    const exact: Lookup = { term: `w:${word}`, fields: ALL_CONTENT, factor: 1, exact: true };
    if (this.postings.count(exact.term) > 0) return { label, lookups: [exact] };
    const unit: Unit = { label, lookups: [] };
    if (isHan(word)) return unit;
    // An unfinished word is read as typed (`meas`), not as its stem (`mea`).
    const typed = /^[a-z0-9]+$/.test(label) ? label : word;
    if (typed.length >= MIN_PREFIX) {
      // Three letters are often a whole word of their own (`age`, `map`): read them only as the start
      // of a vocabulary word (`seg`, `mam`), not of any title word (`age` → agent).
      const isReading = (w: string) => typed.length > MIN_PREFIX || this.isVocabularyWord(w);
      const found = this.words.withPrefix(typed, PREFIX_LIMIT).filter(isReading).filter((w) => this.occurs(w));
      if (found.length > 0) {
        unit.lookups = this.readings(found);
        unit.readAs = found.length > 3 ? [`${label}…`] : this.shown(found);
        return unit;
      }
    }
    const budget = typoBudget(word);
    if (budget > 0) {
      let near = this.words.nearest(word, budget).filter((w) => this.occurs(w));
      // A misspelled word most likely meant a word of the field (segment) rather than one that merely looks alike (semantic).
      if (near.some((w) => this.isVocabularyWord(w))) near = near.filter((w) => this.isVocabularyWord(w));
      if (near.length > 0) {
        unit.lookups = this.readings(near);
        unit.readAs = this.shown(near);
      }
    }
    return unit;
  }

  /** Words as a reader would write them: a concept's name, else the word as some title spells it. */
  shown(words: string[]): string[] {
    const out = new Set<string>();
    for (const w of words) {
      const concept = this.vocabulary.phrases.get(w);
      if (concept && concept !== STOP) out.add(this.vocabulary.concepts.get(concept)!.en.toLowerCase());
      else out.add(this.surfaces.get(w) || w);
    }
    return [...out];
  }

  private isVocabularyWord(word: string): boolean {
    const concept = this.vocabulary.phrases.get(word);
    return concept !== undefined && concept !== STOP;
  }

  /**
   * Lookups for words that stand in for the typed one: a vocabulary synonym becomes its concept. A
   * reading counts as much as the exact word: readings are only tried when the exact word is
   * nowhere in the index, so the reading is what the user meant.
   */
  private readings(words: string[]): Lookup[] {
    const out: Lookup[] = [];
    const terms = new Set<string>();
    for (const w of words) {
      const concept = this.vocabulary.phrases.get(w);
      const term = concept && concept !== STOP ? `c:${concept}` : `w:${w}`;
      if (!terms.has(term)) (terms.add(term), out.push({ term, fields: ALL_CONTENT, factor: 1, exact: true }));
    }
    return out;
  }

  filterUnits(filter: Filter): Unit[] {
    const v = this.vocabulary;
    if (filter.field === 'year' || filter.field === 'since' || filter.field === 'until') {
      const years = this.years.filter((y) => y >= filter.from && y <= filter.to);
      return [{ label: filter.raw, lookups: years.map((y) => ({ term: `y:${y}`, fields: bit(Field.Year), factor: 0, exact: true })) }];
    }
    const fields = FILTER_FIELDS[filter.field];
    const units: Unit[] = [];
    const value = (filter as Extract<Filter, { value: string }>).value;
    const surface = v.tokens(value, true, false);
    for (const m of v.readLongest(v.tokens(value))) {
      if (m.stop && filter.field !== 'venue') continue;
      const term = m.concept ? `c:${m.concept}` : `w:${m.text}`;
      const label = surface.slice(m.start, m.end).join(' ') || m.text;
      units.push({ label: `${filter.field}:${label}`, lookups: [{ term, fields, factor: FILTER_FACTOR, exact: true }] });
    }
    if (units.length === 0) units.push({ label: filter.raw, lookups: [] });
    return units;
  }

  // ---- facts for replies and suggestions ----

  /** Whether a filter value of several words names something the catalog or vocabulary knows. */
  readonly isKnownValue = (field: FilterField, value: string): boolean => this.knownValues.has(field, value);

  /** The values papers give for a filter's field, as written. */
  valuesOf(field: FilterField): string[] {
    return this.knownValues.values(field);
  }

  slotByTitle(text: string): number | undefined {
    return this.byTitle.get(titleKey(text));
  }

  titleKeyOf(slot: number): string {
    return this.titleKeys[slot] ?? '';
  }

  /** Whether a word finds a paper on its own: an indexed word, or a synonym of a concept some paper has. */
  occurs(word: string): boolean {
    if (this.postings.count(`w:${word}`) > 0) return true;
    const concept = this.vocabulary.phrases.get(word);
    return concept !== undefined && concept !== STOP && this.postings.count(`c:${concept}`) > 0;
  }

  /** A word found only in author names. */
  isNameOnly(word: string): boolean {
    const list = this.postings.get(`w:${word}`);
    return list !== undefined && list.fieldUnion() === bit(Field.Author);
  }

  /** Indexed words and synonyms within `budget` edits. */
  wordsNear(word: string, budget: number): { word: string; distance: number }[] {
    return this.words.near(word, budget);
  }

  /** The venues papers were published in, as the catalog names them. */
  venues(): string[] {
    const out = new Set<string>();
    for (const p of this.papers()) if (p.venue) out.add(p.venue);
    return [...out].sort();
  }

  /** The terms of a paper, for checks outside the index (the benchmark's). */
  termsOf(paper: Paper): Map<string, TermWeight> {
    return documentTerms(paper, this.reader);
  }
}
