import { Index } from 'flexsearch';
import type { Paper } from '../catalog/paper.js';
import { STOP, type Vocabulary } from '../catalog/vocabulary.js';
import { isHan, titleKey } from '../catalog/tokens.js';
import { boundedDistance, typoBudget, withPrefix } from './fuzzy.js';
import { documentTerms, Field, FIELD_COUNT, FIELD_WEIGHTS, TAG_FIELDS, TermReader } from './documents.js';
import { KnownValues } from './known-values.js';
import type { Filter, FilterField } from './query.js';

const CONTENT_FIELDS = [Field.Task, Field.Region, Field.Technique, Field.Modality, Field.Venue, Field.Dataset, Field.Author, Field.Title, Field.Aux];
/** A filter restricts; it should barely move the ranking (weight × this ≈ 0.1). */
const FILTER_FACTOR = 0.03;
const FILTER_FIELDS = {
  task: [Field.Task], region: [Field.Region], technique: [Field.Technique], modality: [Field.Modality],
  venue: [Field.Venue], dataset: [Field.Dataset], author: [Field.Author],
} as const;
/** Most query words (and filters) read; beyond this a query is not a search any more. */
export const MAX_UNITS = 12;
const PREFIX_LIMIT = 40;
/** The shortest word read as the start of a longer one. */
const MIN_PREFIX = 3;
/**
 * A prefix or typo reading counts as much as the exact word: readings are only tried when the exact
 * word is nowhere in the index, so the reading is what the user meant (a lower weight only reordered
 * papers by how the user spelled, not by what they are about).
 */
const READING_FACTOR = 1;

/** One thing every result must match: a query word (with its synonyms, prefix or typo readings) or a filter. */
export type Unit = {
  label: string;
  lookups: { term: string; fields: readonly Field[]; factor: number }[];
  /** Set when the word was read as something else (prefix or typo), for the notice. */
  readAs?: string[];
};

type Posting = { field: Field; factor: number; ids: Int32Array };

/**
 * The free text, titles, goes to flexsearch; the short closed-vocabulary fields (task, tags,
 * venue, datasets, authors, implied concepts, filter facets) are sorted id lists of our own, several
 * times cheaper to build for terms that every second paper shares.
 */
const IN_FLEXSEARCH = new Set<Field>([Field.Title]);

/** A term → sorted paper ids map, built in one pass and frozen into typed arrays. */
class TermPostings {
  private building: Map<string, number[]> | null = new Map();
  private frozen = new Map<string, Int32Array>();

  add(doc: number, terms: string[]): void {
    const b = this.building!;
    for (const term of terms) {
      const list = b.get(term);
      // Papers arrive in id order, so a repeated term of the same paper is always the last entry.
      if (!list) b.set(term, [doc]);
      else if (list[list.length - 1] !== doc) list.push(doc);
    }
  }

  freeze(): void {
    for (const [term, ids] of this.building!) this.frozen.set(term, Int32Array.from(ids));
    this.building = null;
  }

  terms(): IterableIterator<string> {
    return this.frozen.keys();
  }

  get(term: string): Int32Array | undefined {
    return this.frozen.get(term);
  }
}

const EMPTY = new Int32Array(0);

/**
 * The index: one flexsearch Index per field over pre-computed terms (the vocabulary has already
 * turned every synonym, abbreviation and language into the same concept term), and the ranking on
 * top: every unit must match (AND across fields), tag matches rank above title mentions.
 */
export class PaperIndex {
  readonly papers: Paper[];
  private readonly flex: (Index | null)[];
  private readonly own: (TermPostings | null)[];
  /** Every `w:` word and every single-token vocabulary synonym, sorted, for prefixes and typos. */
  private readonly words: string[];
  /** The `w:` words some paper holds: a query word found here is read as typed, never as a typo or prefix. */
  private readonly wordSet: Set<string>;
  /** Words found only in author names: a suggestion offers them as `author:` filters, after topic words. */
  private readonly nameOnlyWords: Set<string>;
  /** Concepts some paper has, for telling a useful suggestion from a vocabulary word nobody used; null: unknown, assume all. */
  private readonly presentConcepts: Set<string> | null;
  private readonly wordsByLength = new Map<number, string[]>();
  readonly years: number[];
  private readonly byTitle = new Map<string, number>();
  private readonly byId = new Map<string, number>();
  private readonly titleKeys: string[];
  private readonly knownValues: KnownValues;
  private readonly state: MatchState;
  private stampNow = 0;
  private queryNow = 0;

  constructor(papers: readonly Paper[], readonly vocabulary: Vocabulary) {
    const seen = new Set<string>();
    this.papers = papers.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
    // Terms are computed already; handing flexsearch the array skips a join and a re-split per paper.
    let pending: string[] | null = null;
    const encode = (text: string): string[] => {
      const terms = pending ?? text.split(' ');
      pending = null;
      return terms;
    };
    this.flex = Array.from({ length: FIELD_COUNT }, (_, f) =>
      IN_FLEXSEARCH.has(f) ? new Index({ tokenize: 'strict', resolution: 1, fastupdate: false, encode }) : null,
    );
    this.own = Array.from({ length: FIELD_COUNT }, (_, f) => (IN_FLEXSEARCH.has(f) ? null : new TermPostings()));
    const reader = new TermReader(vocabulary);
    this.knownValues = new KnownValues(vocabulary);
    const words = new Set<string>();
    const years = new Set<number>();
    this.titleKeys = new Array(this.papers.length);
    const title = { tokens: [] as string[] };
    this.papers.forEach((paper, doc) => {
      const fields = documentTerms(paper, reader, title);
      fields.forEach((terms, field) => {
        if (terms.length === 0) return;
        const flex = this.flex[field];
        if (flex) {
          // flexsearch keeps one entry per term and paper, so repeated terms need no dedupe here.
          pending = terms;
          flex.add(doc, ' ');
          pending = null;
        }
        else this.own[field]!.add(doc, terms);
      });
      if (paper.year !== null) years.add(paper.year);
      this.knownValues.addPaper(paper);
      const key = title.tokens.join(' ');
      this.titleKeys[doc] = key;
      if (!this.byTitle.has(key)) this.byTitle.set(key, doc);
      this.byId.set(paper.id.toLowerCase(), doc);
    });
    let concepts: Set<string> | null = new Set<string>();
    for (const flex of this.flex) {
      if (!flex) continue;
      // The index's own term list (`map`, not a documented API): else re-read every title.
      const terms = (flex as unknown as { map?: unknown }).map;
      if (terms instanceof Map) {
        for (const term of terms.keys()) {
          if (typeof term !== 'string') continue;
          if (term.startsWith('w:')) words.add(term.slice(2));
          else if (term.startsWith('c:')) concepts?.add(term.slice(2));
        }
      } else {
        for (const key of this.titleKeys) for (const t of key.split(' ')) words.add(t);
        concepts = null;
      }
    }
    const nameWords: string[] = [];
    this.own.forEach((postings, field) => {
      if (!postings) return;
      postings.freeze();
      for (const term of postings.terms()) {
        if (term.startsWith('c:')) concepts?.add(term.slice(2));
        if (!term.startsWith('w:')) continue;
        if (field === Field.Author) nameWords.push(term.slice(2));
        else words.add(term.slice(2));
      }
    });
    this.nameOnlyWords = new Set(nameWords.filter((w) => !words.has(w)));
    for (const w of nameWords) words.add(w);
    this.wordSet = words;
    this.presentConcepts = concepts;
    const spellable = new Set(words);
    for (const phrase of vocabulary.phrases.keys()) if (!phrase.includes(' ')) spellable.add(phrase);
    this.words = [...spellable].sort();
    for (const w of this.words) {
      const list = this.wordsByLength.get(w.length) ?? [];
      list.push(w);
      this.wordsByLength.set(w.length, list);
    }
    this.years = [...years].sort((a, b) => a - b);
    const n = this.papers.length;
    this.state = {
      count: new Uint8Array(n), total: new Float64Array(n), tagCount: new Uint8Array(n), unitScore: new Float64Array(n),
      unitTag: new Uint8Array(n), stamp: new Uint32Array(n), inQuery: new Uint32Array(n), touched: new Int32Array(n),
      touchedLength: 0, unit: 0, mark: 0, query: 0, weight: 0, isTag: 0,
    };
  }

  /** Reads free text into units: vocabulary concepts first (longest phrase), then words, prefixes, typos. */
  textUnits(text: string): Unit[] {
    const v = this.vocabulary;
    const matches = v.readLongest(v.tokens(text));
    const content = matches.filter((m) => !m.stop);
    // A query of stop words only ("deep learning") is searched word by word rather than dropped.
    const used = content.length > 0 ? content : matches.flatMap((m) => m.text.split(' ').map((text) => ({ ...m, text, concept: null, stop: false })));
    const units: Unit[] = [];
    const labels = new Set<string>();
    for (const m of used) {
      const key = m.concept ? `c:${m.concept}` : `w:${m.text}`;
      if (labels.has(key)) continue;
      labels.add(key);
      units.push(m.concept ? this.conceptUnit(m.text, m.concept) : this.wordUnit(m.text));
    }
    return units;
  }

  private conceptUnit(label: string, concept: string): Unit {
    return { label, lookups: [{ term: `c:${concept}`, fields: CONTENT_FIELDS, factor: 1 }] };
  }

  private wordUnit(word: string): Unit {
    if (this.wordSet.has(word)) return { label: word, lookups: [{ term: `w:${word}`, fields: CONTENT_FIELDS, factor: 1 }] };
    const unit: Unit = { label: word, lookups: [] };
    if (isHan(word)) return unit;
    if (word.length >= MIN_PREFIX) {
      // Three letters are often a whole word of their own (`age`, `map`): read them only as the start
      // of a vocabulary word (`seg`, `mam`), not of any title word (`age` → agent).
      const isReading = (w: string) => w !== word && (word.length > MIN_PREFIX || this.isVocabularyWord(w));
      const found = withPrefix(this.words, word, PREFIX_LIMIT).filter(isReading);
      if (found.length > 0) {
        unit.lookups = this.readings(found);
        unit.readAs = found.length > 3 ? [`${word}…`] : found;
        return unit;
      }
    }
    const budget = typoBudget(word);
    if (budget > 0) {
      const near = this.nearest(word, budget);
      if (near.length > 0) {
        unit.lookups = this.readings(near);
        unit.readAs = near;
      }
    }
    return unit;
  }

  private isVocabularyWord(word: string): boolean {
    const concept = this.vocabulary.phrases.get(word);
    return concept !== undefined && concept !== STOP;
  }

  /** Lookups for words that stand in for the typed one: a vocabulary synonym becomes its concept. */
  private readings(words: string[]): Unit['lookups'] {
    const out: Unit['lookups'] = [];
    const terms = new Set<string>();
    for (const w of words) {
      const concept = this.vocabulary.phrases.get(w);
      const term = concept && concept !== STOP ? `c:${concept}` : `w:${w}`;
      if (!terms.has(term)) (terms.add(term), out.push({ term, fields: CONTENT_FIELDS, factor: READING_FACTOR }));
    }
    return out;
  }

  /** Indexed words within the edit budget, nearest first (only the nearest distance is kept). */
  nearest(word: string, budget: number): string[] {
    let best = budget + 1;
    let out: string[] = [];
    for (let len = word.length - budget; len <= word.length + budget; len++) {
      for (const candidate of this.wordsByLength.get(len) ?? []) {
        const d = boundedDistance(word, candidate, Math.min(best, budget));
        if (d < best) {
          best = d;
          out = [candidate];
        } else if (d === best && d <= budget) out.push(candidate);
      }
    }
    return out.slice(0, 8);
  }

  filterUnits(filter: Filter): Unit[] {
    const v = this.vocabulary;
    if (filter.field === 'year' || filter.field === 'since' || filter.field === 'until') {
      const years = this.years.filter((y) => y >= filter.from && y <= filter.to);
      return [{ label: filter.raw, lookups: years.map((y) => ({ term: `y:${y}`, fields: [Field.Year], factor: 1 })) }];
    }
    const fields = FILTER_FIELDS[filter.field];
    const value = (filter as Extract<Filter, { value: string }>).value;
    const units: Unit[] = [];
    for (const m of v.readLongest(v.tokens(value))) {
      if (m.stop && filter.field !== 'venue') continue;
      const term = m.concept ? `c:${m.concept}` : `w:${m.text}`;
      units.push({ label: `${filter.field}:${m.text}`, lookups: [{ term, fields, factor: FILTER_FACTOR }] });
    }
    if (units.length === 0) units.push({ label: filter.raw, lookups: [] });
    return units;
  }

  private postings(unit: Unit): Posting[] {
    const out: Posting[] = [];
    for (const lookup of unit.lookups) {
      for (const field of lookup.fields) {
        const flex = this.flex[field];
        // flexsearch's plain array is copied so one typed loop (monomorphic, hence fast) reads every list.
        const ids = flex ? Int32Array.from(flex.search(lookup.term, { limit: this.papers.length + 1 }) as number[]) : (this.own[field]!.get(lookup.term) ?? EMPTY);
        if (ids.length > 0) out.push({ field, factor: lookup.factor, ids });
      }
    }
    return out;
  }

  /** How many papers a unit matches on its own. */
  unitSize(unit: Unit): number {
    return this.matchAll([unit]).length;
  }

  /**
   * Papers matching every unit (AND). Per unit, a paper scores the weights of the distinct fields
   * the unit was found in (a word in both the tags and the title counts for both); `tagsOf` counts
   * the units found in a tag field. Scores stay readable until the next call.
   */
  matchAll(units: Unit[]): Int32Array {
    if (units.length === 0) return EMPTY;
    const lists = units.map((u) => this.postings(u));
    const order = lists
      .map((postings, i) => ({ i, size: postings.reduce((s, p) => s + p.ids.length, 0) }))
      .sort((a, b) => a.size - b.size);
    if (order[0].size === 0) return EMPTY;
    const state = this.state;
    state.query = ++this.queryNow;
    let candidates: Int32Array = EMPTY;
    for (let u = 0; u < order.length; u++) {
      state.unit = u;
      state.mark = ++this.stampNow;
      state.touchedLength = 0;
      for (const { field, factor, ids } of lists[order[u].i]) {
        state.weight = FIELD_WEIGHTS[field] * factor;
        state.isTag = TAG_FIELDS.has(field) ? 1 : 0;
        accumulate(state, ids);
      }
      const { touched, count, total, tagCount, unitScore, unitTag } = state;
      for (let k = 0; k < state.touchedLength; k++) {
        const doc = touched[k];
        count[doc] = u + 1;
        total[doc] += unitScore[doc];
        tagCount[doc] += unitTag[doc];
      }
      candidates = touched.slice(0, state.touchedLength);
      if (candidates.length === 0) break;
    }
    return candidates;
  }

  /**
   * The best `k` of the last match by `compare`, skipping `skip`. A cheap check on the leading keys
   * spares the full comparison for most candidates.
   */
  best(docs: Int32Array, k: number, skip: ReadonlySet<number>): number[] {
    if (k <= 0) return [];
    const { tagCount, total } = this.state;
    const better = (a: number, b: number) => this.compare(a, b) < 0;
    const out: number[] = [];
    let worstTags = -1;
    let worstTotal = -Infinity;
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i];
      if (out.length === k) {
        const t = tagCount[doc];
        if (t < worstTags || (t === worstTags && total[doc] < worstTotal)) continue;
      }
      if (skip.size > 0 && skip.has(doc)) continue;
      if (out.length === k && !better(doc, out[k - 1])) continue;
      let lo = 0;
      let hi = out.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (better(doc, out[mid])) hi = mid;
        else lo = mid + 1;
      }
      out.splice(lo, 0, doc);
      if (out.length > k) out.pop();
      if (out.length === k) {
        worstTags = tagCount[out[k - 1]];
        worstTotal = total[out[k - 1]];
      }
    }
    return out;
  }

  /**
   * The ranking of the last match, as a sort comparator: units found in tags first, then score,
   * newer, list order.
   */
  compare(a: number, b: number): number {
    const { tagCount, total } = this.state;
    return tagCount[b] - tagCount[a] || total[b] - total[a] || (this.papers[b].year ?? 0) - (this.papers[a].year ?? 0) || a - b;
  }

  scoreOf(doc: number): number {
    return this.state.total[doc];
  }

  tagsOf(doc: number): number {
    return this.state.tagCount[doc];
  }

  /** Whether a filter value of several words names something the catalog or vocabulary knows. */
  readonly isKnownValue = (field: FilterField, value: string): boolean => this.knownValues.has(field, value);

  docByTitle(text: string): number | undefined {
    return this.byTitle.get(titleKey(text));
  }

  docById(text: string): number | undefined {
    return this.byId.get(text.trim().toLowerCase());
  }

  titleKeyOf(doc: number): string {
    return this.titleKeys[doc];
  }

  /** Every single-token word and synonym, for suggestions. */
  knownWords(): readonly string[] {
    return this.words;
  }

  /** Whether a word finds a paper on its own: an indexed word, or a synonym of a concept some paper has. */
  occurs(word: string): boolean {
    if (this.wordSet.has(word)) return true;
    const concept = this.vocabulary.phrases.get(word);
    return concept !== undefined && concept !== STOP && (this.presentConcepts?.has(concept) ?? true);
  }

  isNameOnly(word: string): boolean {
    return this.nameOnlyWords.has(word);
  }

  /** The venues papers were published in, as the catalog names them. */
  venues(): string[] {
    return [...new Set(this.papers.map((p) => p.venue).filter(Boolean))].sort();
  }
}

/** Per-query scratch space, allocated once per index: no allocation per paper per query. */
type MatchState = {
  count: Uint8Array;
  total: Float64Array;
  tagCount: Uint8Array;
  unitScore: Float64Array;
  unitTag: Uint8Array;
  stamp: Uint32Array;
  inQuery: Uint32Array;
  touched: Int32Array;
  touchedLength: number;
  unit: number;
  mark: number;
  query: number;
  weight: number;
  isTag: number;
};

/** Adds one posting list to the unit being matched; a paper counts only if it matched every earlier unit. */
function accumulate(s: MatchState, ids: Int32Array): void {
  const { count, total, tagCount, unitScore, unitTag, stamp, inQuery, touched, unit, mark, query, weight, isTag } = s;
  let length = s.touchedLength;
  for (let k = 0; k < ids.length; k++) {
    const doc = ids[k];
    if (unit > 0 && (inQuery[doc] !== query || count[doc] !== unit)) continue;
    if (stamp[doc] !== mark) {
      stamp[doc] = mark;
      unitScore[doc] = 0;
      unitTag[doc] = 0;
      touched[length++] = doc;
      if (unit === 0) {
        inQuery[doc] = query;
        count[doc] = 0;
        total[doc] = 0;
        tagCount[doc] = 0;
      }
    }
    unitScore[doc] += weight;
    if (isTag) unitTag[doc] = 1;
  }
  s.touchedLength = length;
}
