import type { Catalog } from '../catalog/index.js';
import type { Paper } from '../catalog/paper.js';
import { bundledVocabulary, STOP } from '../catalog/vocabulary.js';
import { titleKey } from '../catalog/tokens.js';
import { detectLang, type LocalText } from '../i18n.js';
import { cleanInput } from '../text.js';
import { PaperIndex, MAX_UNITS, type Unit } from './engine.js';
import { boundedDistance } from './fuzzy.js';
import { parseQuery, FILTER_EXAMPLES } from './query.js';
import type { PaperSearch, SearchHit, SearchResult } from './types.js';

export { PaperIndex } from './engine.js';
export { parseQuery } from './query.js';

const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 1000;

/**
 * The search engine over a catalog. Every query word must match some field of every result (AND);
 * synonyms, abbreviations and both languages are one vocabulary; typos and prefixes are read only
 * when the exact word is nowhere in the index. Malformed filters throw a UserError.
 */
export function createSearch(catalog: Catalog): PaperSearch {
  return searchOver(new PaperIndex(catalog.papers, catalog.vocabulary ?? bundledVocabulary()));
}

/** The search over an index already built (the benchmark keeps the index to check results). */
export function searchOver(index: PaperIndex): PaperSearch {
  const papers = index.papers;
  const byId = new Map(papers.map((p) => [p.id, p]));

  return {
    search(rawQuery, options = {}): SearchResult {
      const { text: cleaned, truncated } = cleanInput(String(rawQuery ?? ''));
      const lang = detectLang(cleaned);
      const notices: LocalText[] = [];
      if (truncated) notices.push({ en: 'Your query was long, so only its first 500 characters were searched.', zh: '查询过长，只搜索了前 500 个字符。' });
      const limit = clampInt(options.limit, DEFAULT_LIMIT, 0, MAX_LIMIT);
      const offset = clampInt(options.offset, 0, 0, Number.MAX_SAFE_INTEGER);
      const empty = (suggestions: string[] = []): SearchResult => ({ query: cleaned, lang, hits: [], total: 0, suggestions, notices });

      const parsed = parseQuery(cleaned);
      let units: Unit[] = [...parsed.filters.flatMap((f) => index.filterUnits(f)), ...index.textUnits(parsed.text)];
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
      const cmp = (a: number, b: number) =>
        index.tagsOf(b) - index.tagsOf(a) ||
        index.scoreOf(b) - index.scoreOf(a) ||
        (papers[b].year ?? 0) - (papers[a].year ?? 0) ||
        a - b;
      const want = offset + limit;
      const head = [...(exact !== undefined ? [exact] : []), ...phraseDocs.sort(cmp)];
      const skip = new Set(head);
      const rest = want > head.length ? index.best(docs, want - head.length, skip) : [];
      const ordered = [...head, ...rest].slice(offset, want);
      const hits: SearchHit[] = ordered.map((doc) => ({
        paper: papers[doc],
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
      const mine = tagConcepts(index, paper);
      const scored: { p: Paper; s: number }[] = [];
      for (const other of papers) {
        if (other.id === paper.id) continue;
        let s = 0;
        for (const c of tagConcepts(index, other)) if (mine.has(c)) s++;
        if (s > 0) scored.push({ p: other, s: s - Math.abs((other.year ?? 0) - (paper.year ?? 0)) * 0.01 });
      }
      return scored.sort((a, b) => b.s - a.s).slice(0, limit).map((x) => x.p);
    },
  };
}

const tagCache = new WeakMap<Paper, Set<string>>();

function tagConcepts(index: PaperIndex, paper: Paper): Set<string> {
  let set = tagCache.get(paper);
  if (!set) {
    const v = index.vocabulary;
    set = new Set<string>();
    const labels = [...paper.techniques, ...paper.modalities, ...paper.regions.map((r) => r.en), ...paper.tasks.map((t) => t.en)];
    for (const label of labels) for (const m of v.readLongest(v.tokens(label))) if (m.concept) set.add(m.concept);
    tagCache.set(paper, set);
  }
  return set;
}

/**
 * What to try when nothing matched: for a word found nowhere, the nearest indexed words; when each
 * part matches alone but not together, the query without one part (with its count); for filters,
 * the values that exist.
 */
function suggest(index: PaperIndex, units: Unit[], hasFilters: boolean): string[] {
  const out: string[] = [];
  const sizes = units.map((u) => index.unitSize(u));
  const matches = (query: string) => {
    try {
      return index.matchAll(index.textUnits(query)).length > 0;
    } catch {
      return false;
    }
  };
  units.forEach((u, i) => {
    if (sizes[i] > 0) return;
    const colon = u.label.indexOf(':');
    if (colon > 0) {
      const field = u.label.slice(0, colon);
      const value = u.label.slice(colon + 1).toLowerCase();
      if (['year', 'since', 'until'].includes(field) || /^\d{4}/.test(value)) {
        if (index.years.length) out.push(`year:${index.years[0]}-${index.years[index.years.length - 1]}`);
      } else if (field === 'venue') {
        const venues = index.venues();
        const near = venues
          .map((name) => ({ name, d: boundedDistance(value, name.toLowerCase(), 3) }))
          .sort((a, b) => a.d - b.d)
          .slice(0, 3);
        out.push(...near.map((x) => `venue:${x.name.toLowerCase()}`));
      }
      return;
    }
    const word = u.label.toLowerCase();
    if (word.length >= 3) {
      const near = index
        .knownWords()
        .filter((w) => w !== word && !isStopWord(index, w) && Math.abs(w.length - word.length) <= 2 && w.length >= 3)
        .map((w) => ({ w, d: boundedDistance(word, w, 2) }))
        .filter((x) => x.d <= 2)
        .sort((a, b) => a.d - b.d || a.w.localeCompare(b.w))
        .map((x) => x.w)
        .filter(matches)
        .slice(0, 3);
      out.push(...near);
    }
  });
  // The query without the parts that match nothing, or without one part when each matches alone.
  const failing = units.filter((_, i) => sizes[i] === 0);
  const candidates = failing.length > 0 ? [units.filter((_, i) => sizes[i] > 0)] : units.length >= 2 ? units.map((_, i) => units.filter((__, j) => j !== i)) : [];
  for (const rest of candidates) {
    if (rest.length > 0 && index.matchAll(rest).length > 0) out.push(rest.map((u) => u.label).join(' '));
  }
  if (out.length === 0 && hasFilters) out.push(...FILTER_EXAMPLES.split(', ').slice(0, 3));
  return [...new Set(out)].slice(0, 5);
}

function isStopWord(index: PaperIndex, word: string): boolean {
  return index.vocabulary.phrases.get(word) === STOP;
}

function clampInt(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}

