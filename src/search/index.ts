import type { Catalog } from '../catalog/index.js';
import type { Paper } from '../catalog/paper.js';
import { bundledVocabulary } from '../catalog/vocabulary.js';
import { detectLang, type LocalText } from '../i18n/index.js';
import { cleanInput } from '../text.js';
import { match } from './match.js';
import { PaperIndex } from './paper-index.js';
import { MAX_UNITS, readQuery } from './reading.js';
import { searchEngineText } from './messages.js';
import { noMatchNotices, suggest } from './suggest.js';
import type { PaperSearch, SearchHit, SearchResult } from './types.js';

export { PaperIndex } from './paper-index.js';
export { decodeIndex, encodeIndex, indexFormat } from './snapshot.js';

/** The search over one index, which it exposes for snapshots, with the papers it holds in slot order. */
export type IndexedSearch = PaperSearch & { readonly index: PaperIndex; papers(): IterableIterator<Paper> };
export { readOperators } from './query.js';
export { readQuery } from './reading.js';

const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 1000;

/**
 * The search engine over a catalog, in three parts a reader can follow: the index
 * (paper-index.ts, documents.ts, postings.ts: what each paper contributes, kept up to date one
 * paper at a time), reading the query (reading.ts, query.ts: filters, operators, vocabulary), and
 * matching and ranking (match.ts: BM25F over the query's posting lists, every word first, then the
 * best partial matches to fill a page). Malformed filters throw a UserError.
 */
export function createSearch(catalog: Catalog): IndexedSearch {
  return searchOver(new PaperIndex(catalog.papers, catalog.vocabulary ?? bundledVocabulary()));
}

/** The search over an index already built (the benchmark keeps the index to check results). */
export function searchOver(index: PaperIndex): IndexedSearch {
  const tagConcepts = tagConceptReader(index);

  return {
    index,
    papers: () => index.papers(),

    search(rawQuery, options = {}): SearchResult {
      const { text: cleaned, truncated } = cleanInput(String(rawQuery ?? ''));
      const lang = detectLang(cleaned);
      const notices: LocalText[] = [];
      if (truncated) notices.push(searchEngineText.both('truncated'));
      const limit = clampInt(options.limit, DEFAULT_LIMIT, 0, MAX_LIMIT);
      const offset = clampInt(options.offset, 0, 0, Number.MAX_SAFE_INTEGER);
      const result = (hits: SearchHit[], total: number, related: number, suggestions: string[] = []): SearchResult => ({ query: cleaned, lang, hits, total, related, suggestions, notices });

      const read = readQuery(index, cleaned);
      const { query, units } = read;
      const asksNothing = units.length === 0 && query.phrases.length === 0;
      if (asksNothing) {
        const reading = index.emptyReading(read.text.words);
        if (reading !== 'domain' && query.excluded.length === 0) {
          notices.push(searchEngineText.both('nothingToSearch'));
          return result([], 0, 0, ['gan mri', '肺结节', 'year:2016']);
        }
        if (reading === 'domain') {
          notices.push(searchEngineText.both('wholeList'));
        }
      }
      if (read.capped) notices.push(searchEngineText.both('capped', { max: MAX_UNITS }));
      for (const u of units) if (u.readAs) notices.push(searchEngineText.both('readAs', { word: u.label, readings: u.readAs }));

      const found = match(index, query, Math.max(offset + limit, limit));
      // Partial matches only fill the first page: when a page's worth holds every word, they are left out.
      const fill = found.full < limit ? Math.min(found.partial, limit - found.full) : 0;
      const total = found.full + fill;
      // Nothing holds every word: say what would (the partial matches below may not be what was meant).
      const suggestions = found.full === 0 ? suggest(index, units, read.parsed.filters.length > 0) : [];
      if (total === 0) {
        notices.push(...noMatchNotices(index, units, read.parsed.filters, lang));
        return result([], 0, 0, suggestions);
      }
      const listed = found.ranked.slice(0, Math.max(found.full, Math.min(total, limit)));
      const labels = units.filter((u) => query.words.includes(u)).map((u) => u.label);
      const hits: SearchHit[] = listed.slice(offset, offset + limit).map(({ slot, score, missing }) => {
        const missed = query.words.map((u, i) => ((missing >> i) & 1 ? u.label : null)).filter((l): l is string => l !== null);
        return {
          paper: index.paperAt(slot)!,
          score: Math.round(score * 1000) / 1000,
          matched: [...query.required.map((u) => u.label), ...labels.filter((l) => !missed.includes(l))],
          missing: missed,
        };
      });
      if (fill > 0) {
        const missedWords = [...new Set(hits.flatMap((h) => h.missing))];
        notices.push(found.full === 0 ? searchEngineText.both('noneHasEvery', { missing: missedWords }) : searchEngineText.both('someHaveEvery', { count: found.full, missing: missedWords }));
      }
      return result(hits, total, fill, suggestions);
    },

    get: (id) => {
      const slot = index.slotById(id);
      return slot === undefined ? null : index.paperAt(slot);
    },

    resolve(text) {
      const typed = cleanInput(String(text ?? '')).text;
      if (!typed) return null;
      const slot = index.slotById(typed) ?? index.slotById(typed.toLowerCase()) ?? index.slotByTitle(typed);
      if (slot !== undefined) return index.paperAt(slot);
      const prefix = typed.toLowerCase();
      if (prefix.length < 3 || /\s/.test(prefix)) return null;
      let found: Paper | null = null;
      for (const paper of index.papers()) {
        if (!paper.id.startsWith(prefix)) continue;
        if (found) return null;
        found = paper;
      }
      return found;
    },

    knows(word) {
      const units = index.textUnits(word);
      return units.length > 0 && units.every((u) => !u.readAs && u.lookups.some((l) => l.exact));
    },

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
      for (const paper of index.papers()) {
        const s = score(paper);
        if (s > 0) out.push({ paper, s });
      }
      return out.sort((a, b) => b.s - a.s).slice(0, limit).map((x) => x.paper);
    },

    related(paper, limit) {
      if (limit <= 0) return [];
      const mine = tagConcepts(paper);
      const scored: { p: Paper; s: number }[] = [];
      for (const other of index.papers()) {
        if (other.id === paper.id) continue;
        let s = 0;
        for (const c of tagConcepts(other)) if (mine.has(c)) s++;
        if (s > 0) scored.push({ p: other, s: s - Math.abs((other.year ?? 0) - (paper.year ?? 0)) * 0.01 });
      }
      return scored.sort((a, b) => b.s - a.s).slice(0, limit).map((x) => x.p);
    },

    upsert: (paper) => index.upsert(paper),
    remove: (id) => index.remove(id),
    get size() {
      return index.size;
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

function clampInt(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}
