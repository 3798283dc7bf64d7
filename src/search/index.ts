import type { Catalog } from '../catalog/index.js';
import type { Paper } from '../catalog/paper.js';
import { bundledVocabulary } from '../catalog/vocabulary.js';
import { titleKey } from '../catalog/tokens.js';
import { detectLang, type Lang, type LocalText } from '../i18n/index.js';
import { cleanInput } from '../text.js';
import { PaperIndex, MAX_UNITS, type Unit } from './engine.js';
import { boundedDistance, typoBudget } from './fuzzy.js';
import { parseQuery, FILTER_EXAMPLES, type ParsedQuery } from './query.js';
import type { PaperSearch, SearchHit, SearchResult } from './types.js';

export { PaperIndex } from './engine.js';
export { parseQuery } from './query.js';

const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 1000;
/** Alternatives tried per part of a query that matched nothing. */
const MAX_TRIES = 6;

/**
 * The search engine over a catalog. Every query word must match some field of every result (AND);
 * synonyms, abbreviations and both languages are one vocabulary; typos and prefixes are read only
 * when the exact word is nowhere in the index. Malformed filters throw a UserError.
 */
export function createSearch(catalog: Catalog): PaperSearch {
  return searchOver(new PaperIndex(catalog.papers, catalog.vocabulary ?? bundledVocabulary()));
}

/** A cleaned query read into the units every result must match, filters first. */
export function queryUnits(index: PaperIndex, cleaned: string): { parsed: ParsedQuery; units: Unit[] } {
  const parsed = parseQuery(cleaned, index.isKnownValue);
  return { parsed, units: [...parsed.filters.flatMap((f) => index.filterUnits(f)), ...index.textUnits(parsed.text)] };
}

/** The search over an index already built (the benchmark keeps the index to check results). */
export function searchOver(index: PaperIndex): PaperSearch {
  const papers = index.papers;
  const byId = new Map(papers.map((p) => [p.id, p]));
  const tagConcepts = tagConceptReader(index);

  return {
    search(rawQuery, options = {}): SearchResult {
      const { text: cleaned, truncated } = cleanInput(String(rawQuery ?? ''));
      const lang = detectLang(cleaned);
      const notices: LocalText[] = [];
      if (truncated) notices.push({ en: 'Your query was long, so only its first 500 characters were searched.', zh: '查询过长，只搜索了前 500 个字符。' });
      const limit = clampInt(options.limit, DEFAULT_LIMIT, 0, MAX_LIMIT);
      const offset = clampInt(options.offset, 0, 0, Number.MAX_SAFE_INTEGER);
      const empty = (suggestions: string[] = []): SearchResult => ({ query: cleaned, lang, hits: [], total: 0, suggestions, notices });

      const read = queryUnits(index, cleaned);
      const parsed = read.parsed;
      let units = read.units;
      if (units.length === 0) {
        notices.push({ en: 'The query has no words or filters to search for.', zh: '查询中没有可搜索的词语或筛选条件。' });
        return empty(['gan mri', '肺结节', 'year:2016']);
      }
      if (units.length > MAX_UNITS) {
        units = units.slice(0, MAX_UNITS);
        notices.push({ en: `Only the first ${MAX_UNITS} words and filters were used.`, zh: `只使用了前 ${MAX_UNITS} 个词语和筛选条件。` });
      }
      for (const u of units) {
        if (u.readAs) notices.push({ en: `"${u.label}" was read as ${u.readAs.join(', ')}.`, zh: `“${u.label}”按 ${u.readAs.join('、')} 搜索。` });
      }

      const docs = index.matchAll(units);
      // An exact title or id puts that paper first, whatever the words say.
      const exact = parsed.filters.length === 0 ? (index.docById(parsed.text) ?? index.docByTitle(parsed.text)) : undefined;
      const total = docs.length + (exact !== undefined && !docs.includes(exact) ? 1 : 0);
      if (total === 0) return empty(suggest(index, units, parsed.filters.length > 0));

      // Then papers whose title holds the query as a phrase (a title typed in part), then the rest.
      const phrase = titleKey(parsed.text);
      const phraseDocs: number[] = [];
      if (phrase.split(' ').length >= 3 && docs.length <= 5000) {
        for (const doc of docs) if (doc !== exact && index.titleKeyOf(doc).includes(phrase)) phraseDocs.push(doc);
      }
      const want = offset + limit;
      const head = [...(exact !== undefined ? [exact] : []), ...phraseDocs.sort((a, b) => index.compare(a, b))];
      const skip = new Set(head);
      const rest = want > head.length ? index.best(docs, want - head.length, skip) : [];
      const ordered = [...head, ...rest].slice(offset, want);
      const hits: SearchHit[] = ordered.map((doc) => ({
        paper: papers[doc],
        // For explaining a hit only (the order is decided above): each rule outweighs the ones after it.
        score: Math.round((index.scoreOf(doc) + index.tagsOf(doc) * 10 + (doc === exact ? 200 : skip.has(doc) ? 100 : 0)) * 100) / 100,
        matched: units.map((u) => u.label),
      }));
      return { query: cleaned, lang, hits, total, suggestions: [], notices };
    },

    get: (id) => byId.get(id) ?? null,

    complete(prefix, limit) {
      const p = cleanInput(String(prefix ?? '')).text.toLowerCase();
      if (!p || limit <= 0) return [];
      const score = (paper: Paper) => {
        const title = paper.title.toLowerCase();
        if (title.startsWith(p)) return 3;
        if (paper.id.startsWith(p)) return 2;
        return title.includes(p) || paper.id.includes(p) ? 1 : 0;
      };
      const out: { paper: Paper; s: number }[] = [];
      for (const paper of papers) {
        const s = score(paper);
        if (s > 0) out.push({ paper, s });
      }
      return out.sort((a, b) => b.s - a.s).slice(0, limit).map((x) => x.paper);
    },

    related(paper, limit) {
      if (limit <= 0) return [];
      const mine = tagConcepts(paper);
      const scored: { p: Paper; s: number }[] = [];
      for (const other of papers) {
        if (other.id === paper.id) continue;
        let s = 0;
        for (const c of tagConcepts(other)) if (mine.has(c)) s++;
        if (s > 0) scored.push({ p: other, s: s - Math.abs((other.year ?? 0) - (paper.year ?? 0)) * 0.01 });
      }
      return scored.sort((a, b) => b.s - a.s).slice(0, limit).map((x) => x.p);
    },
  };
}

/** The concepts a paper's tags name, read once per paper for this search. */
function tagConceptReader(index: PaperIndex): (paper: Paper) => Set<string> {
  const cache = new WeakMap<Paper, Set<string>>();
  const v = index.vocabulary;
  return (paper) => {
    let set = cache.get(paper);
    if (!set) {
      set = new Set<string>();
      const labels = [...paper.techniques, ...paper.modalities, ...paper.regions.map((r) => r.en), ...paper.tasks.map((t) => t.en)];
      for (const label of labels) for (const m of v.readLongest(v.tokens(label))) if (m.concept) set.add(m.concept);
      cache.set(paper, set);
    }
    return set;
  };
}

/**
 * What to try when nothing matched. For each part that matches nothing: what it might have meant
 * (a nearby year range or venue, the broader concepts of a concept no paper has, the nearest
 * indexed words), put back in place of that part when the rest of the query still matches, else
 * alone. Then the query without the failing parts, or without one part when each matches alone.
 */
function suggest(index: PaperIndex, units: Unit[], hasFilters: boolean): string[] {
  const out: string[] = [];
  const sizes = units.map((u) => index.unitSize(u));
  const matches = (query: string) => {
    try {
      return index.matchAll(queryUnits(index, query).units).length > 0;
    } catch {
      return false;
    }
  };
  units.forEach((u, i) => {
    if (sizes[i] > 0) return;
    const inPlace = (alternative: string) => spell(units.flatMap((other, j) => (j === i ? [alternative] : sizes[j] > 0 ? [other.label] : [])));
    // Each try is a search of its own: a few, not every word two edits away.
    let found = 0;
    for (const alternative of alternatives(index, u).slice(0, MAX_TRIES)) {
      const query = [inPlace(alternative), alternative].find(matches);
      if (query) out.push(query);
      if (query && ++found === 3) break;
    }
  });
  const failing = units.filter((_, i) => sizes[i] === 0);
  const candidates = failing.length > 0 ? [units.filter((_, i) => sizes[i] > 0)] : units.length >= 2 ? units.map((_, i) => units.filter((__, j) => j !== i)) : [];
  for (const rest of candidates) {
    if (rest.length > 0 && index.matchAll(rest).length > 0) out.push(spell(rest.map((u) => u.label)));
  }
  if (out.length === 0 && hasFilters) out.push(...FILTER_EXAMPLES.split(', ').slice(0, 3));
  return [...new Set(out)].slice(0, 5);
}

/** Unit labels back into a query a user would type: `author:hao`, `author:chen` → `author:hao chen`. */
function spell(labels: string[]): string {
  const parts: string[] = [];
  let previousField = '';
  for (const label of labels) {
    const field = /^([a-z]+):/.exec(label)?.[1] ?? '';
    const joins = field !== '' && field === previousField && !['year', 'since', 'until'].includes(field);
    if (joins) parts[parts.length - 1] += ` ${label.slice(field.length + 1)}`;
    else parts.push(label);
    previousField = field;
  }
  return parts.join(' ');
}

/** What a part that matches nothing might have meant, most likely first. */
function alternatives(index: PaperIndex, unit: Unit): string[] {
  const colon = unit.label.indexOf(':');
  if (colon > 0) {
    const field = unit.label.slice(0, colon);
    const value = unit.label.slice(colon + 1).toLowerCase();
    if (['year', 'since', 'until'].includes(field) || /^\d{4}/.test(value)) {
      return index.years.length ? [`year:${index.years[0]}-${index.years[index.years.length - 1]}`] : [];
    }
    if (field !== 'venue') return [];
    return index
      .venues()
      .map((name) => ({ name, d: boundedDistance(value, name.toLowerCase(), 3) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 3)
      .map((x) => `venue:${x.name.toLowerCase()}`);
  }
  const concept = !unit.readAs && unit.lookups.length === 1 && unit.lookups[0].term.startsWith('c:') ? unit.lookups[0].term.slice(2) : null;
  // A word the vocabulary knows is no typo: offer what it is part of, not words spelled like it.
  if (concept) return broaderNames(index, concept, detectLang(unit.label));
  const word = unit.label.toLowerCase();
  return word.length >= 3 ? nearWords(index, word) : [];
}

/** The broader concepts of a concept (`brats` → `brain tumor`, `brain`, `tumor`), in the language typed. */
function broaderNames(index: PaperIndex, concept: string, lang: Lang): string[] {
  const v = index.vocabulary;
  const names = (v.concepts.get(concept)?.broader ?? []).map((id) => v.concepts.get(id)![lang].toLowerCase());
  return names.length > 1 ? [names.join(' '), ...names] : names;
}

/**
 * Indexed words a few edits away, best first: vocabulary words (what the list is about), then other
 * title and tag words, and only then author names, as `author:` filters and only within the usual
 * typo budget, so `bratz` suggests `brats` before a co-author called Bram.
 */
function nearWords(index: PaperIndex, word: string): string[] {
  const v = index.vocabulary;
  const group = (w: string) => (v.phrases.has(w) ? 0 : index.isNameOnly(w) ? 2 : 1);
  const nameBudget = Math.max(1, typoBudget(word));
  return index
    .knownWords()
    .filter((w) => w !== word && w.length >= 3 && Math.abs(w.length - word.length) <= 2 && index.occurs(w))
    .map((w) => ({ w, d: boundedDistance(word, w, 2), group: group(w) }))
    .filter((x) => x.d <= (x.group === 2 ? nameBudget : 2))
    .sort((a, b) => a.group - b.group || a.d - b.d || a.w.localeCompare(b.w))
    .map((x) => (x.group === 2 ? `author:${x.w}` : x.w));
}

function clampInt(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}

