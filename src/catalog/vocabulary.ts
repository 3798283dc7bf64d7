import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { mustExist } from '../errors.js';
import { projectPath } from '../root.js';
import { isHan, surfaceTokens, tokenize } from './tokens.js';
import type { Term } from './paper.js';

export type ConceptKind = 'region' | 'task' | 'modality' | 'technique' | 'term' | 'venue' | 'dataset';

export type Concept = {
  id: string;
  kind: ConceptKind;
  en: string;
  zh: string;
  synonyms: string[];
  broader?: string[];
};

export type Correction = { zh: string; en: string; why: string };

export type VocabularyFile = {
  concepts: Concept[];
  cells: { compounds: Record<string, string[]>; empty: string[] };
  corrections: { heading: Correction[]; area: Correction[] };
  columns: Record<string, string[] | string>;
  stopwords: { words: string[]; scaffolding?: string[]; domain?: string[] };
};

/** A stretch of tokens the vocabulary recognised: a concept, a stop word, or a word it does not know. */
export type Match = { start: number; end: number; concept: string | null; stop: boolean; text: string };

export const STOP = '\u0000stop';

const NO_KINDS: ReadonlySet<ConceptKind> = new Set();

/** A token in the phrase tree: the phrase so far, its concept (or STOP) if it is a whole phrase, and the tokens that can follow. */
type PhraseNode = { key: string; value: string | undefined; next: Map<string, PhraseNode> | undefined };

export const VOCABULARY_PATH = pathToFileURL(projectPath('data', 'vocabulary.json'));

/**
 * The reviewed zh↔en vocabulary (data/vocabulary.json) as lookups: phrase → concept, Han words for
 * segmenting Chinese without spaces, broader concepts, labels in both languages.
 */
export class Vocabulary {
  readonly concepts = new Map<string, Concept>();
  /** Normalised phrase (tokens joined by a space) → concept id, or STOP for a stop word. */
  readonly phrases = new Map<string, string>();
  readonly hanWords = new Set<string>();
  /** What the whole list is about ("deep learning", 医学图像): restricts nothing, never the reason a paper ranks. */
  readonly domainPhrases = new Set<string>();
  /**
   * The phrases as a tree of tokens, so matching walks from token to token (no joined string per
   * step) and stops as soon as no phrase can continue.
   */
  private readonly phraseTree = new Map<string, PhraseNode>();
  readonly columns = new Map<string, string>();
  readonly emptyCells: Set<string>;
  readonly compounds = new Map<string, string[]>();
  readonly headingCorrections: Correction[];
  readonly areaCorrections: Correction[];
  private readonly maxHan: number;
  private readonly closures = new Map<string, string[]>();

  constructor(readonly file: VocabularyFile) {
    let maxHan = 1;
    const addPhrase = (text: string, value: string, where: string) => {
      const tokens = this.tokens(text, false);
      if (tokens.length === 0) return;
      const key = tokens.join(' ');
      const existing = this.phrases.get(key);
      if (existing !== undefined && existing !== value && value !== STOP && existing !== STOP) {
        throw new Error(`paperbot: data/vocabulary.json: "${text}" (${where}) already belongs to ${existing}`);
      }
      if (existing === undefined || existing === STOP) this.phrases.set(key, value);
      for (const t of tokens) if (isHan(t)) maxHan = Math.max(maxHan, t.length);
    };
    // Han words first, so that synonyms containing several Han runs tokenize consistently.
    for (const concept of file.concepts) {
      for (const s of [concept.zh, ...concept.synonyms]) for (const t of tokenize(s)) if (isHan(t)) this.hanWords.add(t);
    }
    const stopwords = [...file.stopwords.words, ...(file.stopwords.scaffolding ?? []), ...(file.stopwords.domain ?? [])];
    for (const w of stopwords) for (const t of tokenize(w)) if (isHan(t)) this.hanWords.add(t);
    for (const concept of file.concepts) {
      if (this.concepts.has(concept.id)) throw new Error(`paperbot: data/vocabulary.json: concept id ${concept.id} is listed twice`);
      this.concepts.set(concept.id, concept);
    }
    for (const concept of file.concepts) {
      for (const b of concept.broader ?? []) {
        if (!this.concepts.has(b)) throw new Error(`paperbot: data/vocabulary.json: ${concept.id} names an unknown broader concept ${b}`);
      }
      for (const s of new Set([concept.en, concept.zh, ...concept.synonyms])) addPhrase(s, concept.id, concept.id);
    }
    for (const w of stopwords) addPhrase(w, STOP, 'stopwords');
    for (const w of file.stopwords.domain ?? []) this.domainPhrases.add(this.tokens(w, false).join(' '));
    for (const [field, names] of Object.entries(file.columns)) {
      if (!Array.isArray(names)) continue;
      for (const n of names) this.columns.set(this.tokens(n, false).join(' '), field);
    }
    this.emptyCells = new Set(file.cells.empty.map((e) => this.tokens(e, false).join(' ')));
    for (const [cell, ids] of Object.entries(file.cells.compounds)) this.compounds.set(this.tokens(cell, false).join(' '), ids);
    this.headingCorrections = file.corrections.heading;
    this.areaCorrections = file.corrections.area;
    for (const [key, value] of this.phrases) this.addToTree(key, value);
    this.maxHan = maxHan;
  }

  private addToTree(key: string, value: string): void {
    const tokens = key.split(' ');
    let level = this.phraseTree;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] ?? '';
      let node = level.get(token);
      if (!node) level.set(token, (node = { key: tokens.slice(0, i + 1).join(' '), value: undefined, next: undefined }));
      if (i === tokens.length - 1) node.value = value;
      else level = node.next ??= new Map();
    }
  }

  static load(path: URL | string = VOCABULARY_PATH): Vocabulary {
    return new Vocabulary(JSON.parse(readFileSync(path, 'utf8')) as VocabularyFile);
  }

  /** Tokens with Han runs cut into vocabulary words (longest first), leftover Han as single characters. */
  tokens(text: string, segment = true, stemmed = true): string[] {
    const out: string[] = [];
    for (const token of stemmed ? tokenize(text) : surfaceTokens(text)) {
      if (segment && isHan(token)) out.push(...this.segmentHan(token));
      else out.push(token);
    }
    return out;
  }

  segmentHan(run: string): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < run.length) {
      let taken = 1;
      for (let len = Math.min(this.maxHan, run.length - i); len > 1; len--) {
        if (this.hanWords.has(run.slice(i, i + len))) {
          taken = len;
          break;
        }
      }
      out.push(run.slice(i, i + taken));
      i += taken;
    }
    return out;
  }

  /** Leftmost-longest reading of a token list: what a query means. */
  readLongest(tokens: string[]): Match[] {
    const out: Match[] = [];
    let i = 0;
    while (i < tokens.length) {
      let found: Match | null = null;
      this.scan(tokens, i, (end, key, value) => {
        found = { start: i, end, concept: value === STOP ? null : value, stop: value === STOP, text: key };
      });
      const match: Match = found ?? { start: i, end: i + 1, concept: null, stop: false, text: tokens[i] ?? '' };
      out.push(match);
      i = match.end;
    }
    return out;
  }

  /** Every concept named anywhere in the tokens, nested phrases included: what a title mentions. */
  conceptsIn(tokens: string[], exclude: ReadonlySet<ConceptKind> = NO_KINDS): string[] {
    const found: string[] = [];
    for (let i = 0; i < tokens.length; i++) this.conceptsAt(tokens, i, exclude, found);
    return found;
  }

  /** Whether some phrase is or begins with this token: only then can `conceptsAt` find anything where it stands. */
  startsPhrase(token: string): boolean {
    return this.phraseTree.has(token);
  }

  /** Adds to `found`, once each, the concepts named by phrases starting at `start`, shortest first. */
  conceptsAt(tokens: string[], start: number, exclude: ReadonlySet<ConceptKind>, found: string[]): void {
    let node = this.phraseTree.get(tokens[start] ?? '');
    for (let end = start + 1; node; end++) {
      const value = node.value;
      if (value !== undefined && value !== STOP && !exclude.has(this.concept(value).kind) && !found.includes(value)) found.push(value);
      node = end < tokens.length ? node.next?.get(tokens[end] ?? '') : undefined;
    }
  }

  /** Calls `hit` for each phrase starting at `start`, shortest first, stopping when no phrase can continue. */
  private scan(tokens: string[], start: number, hit: (end: number, key: string, value: string) => void): void {
    let node = this.phraseTree.get(tokens[start] ?? '');
    for (let end = start + 1; node; end++) {
      if (node.value !== undefined) hit(end, node.key, node.value);
      node = end < tokens.length ? node.next?.get(tokens[end] ?? '') : undefined;
    }
  }

  /** The concept and every broader one, transitively. */
  closure(id: string): string[] {
    let cached = this.closures.get(id);
    if (!cached) {
      const seen = new Set<string>();
      const visit = (c: string) => {
        if (seen.has(c)) return;
        seen.add(c);
        for (const b of this.concepts.get(c)?.broader ?? []) visit(b);
      };
      visit(id);
      cached = [...seen];
      this.closures.set(id, cached);
    }
    return cached;
  }

  /** The concept and every broader one, each with its fewest steps up (the concept itself: 0). */
  distances(id: string): [string, number][] {
    const best = new Map<string, number>([[id, 0]]);
    let frontier = [id];
    for (let d = 1; frontier.length > 0; d++) {
      const next: string[] = [];
      for (const c of frontier) {
        for (const b of this.concepts.get(c)?.broader ?? []) {
          if (best.has(b)) continue;
          best.set(b, d);
          next.push(b);
        }
      }
      frontier = next;
    }
    return [...best];
  }

  /** The concept a whole phrase names (e.g. a table cell), if the vocabulary knows the phrase. */
  conceptOf(text: string, kinds?: ReadonlySet<ConceptKind>): string | null {
    const tokens = this.tokens(text);
    const id = this.phrases.get(tokens.join(' '));
    if (id !== undefined && id !== STOP && (!kinds || kinds.has(this.concept(id).kind))) return id;
    if (!kinds) return null;
    // A longer cell that holds exactly one concept of the wanted kind ("Detection / Localization").
    const inside = this.readLongest(tokens).flatMap((m) => (m.concept && kinds.has(this.concept(m.concept).kind) ? [m.concept] : []));
    const distinct = new Set(inside);
    return distinct.size === 1 ? ([...distinct][0] ?? null) : null;
  }

  /** A concept by an id this vocabulary gave out (phrases and readings only hold ids of its concepts). */
  private concept(id: string): Concept {
    return mustExist(this.concepts.get(id), `vocabulary concept "${id}"`);
  }

  term(id: string, writtenEn?: string): Term {
    const c = this.concept(id);
    return { en: writtenEn ?? c.en, zh: c.zh };
  }

  isEmptyCell(text: string): boolean {
    return this.emptyCells.has(this.tokens(text, false).join(' '));
  }

  /** `MP` → `Medical Physics`, `IEEE transactions on medical imaging` → `IEEE-TMI`; unknown venues as written. */
  normaliseVenue(text: string): string {
    const trimmed = text.trim();
    if (!trimmed) return '';
    const venues = new Set<ConceptKind>(['venue']);
    const id = this.conceptOf(trimmed, venues);
    return id ? this.concept(id).en : trimmed;
  }
}

let shared: Vocabulary | null = null;

/** The bundled vocabulary, read once per process. */
export function bundledVocabulary(): Vocabulary {
  shared ??= Vocabulary.load();
  return shared;
}
