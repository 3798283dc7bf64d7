import { STOP } from '../catalog/vocabulary.js';
import { detectLang, type Lang, type LocalText } from '../i18n/index.js';
import { boundedDistance, typoBudget } from './fuzzy.js';
import { match } from './match.js';
import type { PaperIndex, Unit } from './paper-index.js';
import { FILTER_EXAMPLES, type Filter, type FilterField } from './query.js';
import { readQuery } from './reading.js';
import { searchEngineText } from './messages.js';

/** Alternatives tried per part of a query that matched nothing. */
const MAX_TRIES = 6;

/** How many papers hold every one of these units (filters and words alike). */
function countMatching(index: PaperIndex, units: Unit[]): number {
  if (units.length === 0) return 0;
  return match(index, { words: [], required: units, excluded: [], phrases: [] }, 0).full;
}

/**
 * What to try when nothing matched. For each part that matches nothing: what it might have meant
 * (a nearby year range or venue, the broader concepts of a concept no paper has, the nearest
 * indexed words), put back in place of that part when the rest of the query still matches, else
 * alone. Then the query without the failing parts, or without one part when each matches alone.
 * Never a function word, never a fragment of the query.
 */
export function suggest(index: PaperIndex, units: Unit[], hasFilters: boolean): string[] {
  const out: string[] = [];
  const sizes = units.map((u) => countMatching(index, [u]));
  const matches = (query: string) => {
    try {
      return countMatching(index, readQuery(index, query).units) > 0;
    } catch {
      return false;
    }
  };
  units.forEach((u, i) => {
    if ((sizes[i] ?? 0) > 0) return;
    const inPlace = (alternative: string) => spell(units.flatMap((other, j) => (j === i ? [alternative] : (sizes[j] ?? 0) > 0 ? [other.label] : [])));
    // Each try is a search of its own: a few, not every word two edits away.
    let found = 0;
    for (const alternative of alternatives(index, u).slice(0, MAX_TRIES)) {
      const query = [inPlace(alternative), alternative].find(matches);
      if (query) out.push(query);
      if (query && ++found === 3) break;
    }
  });
  const failing = units.filter((_, i) => sizes[i] === 0);
  const candidates = failing.length > 0 ? [units.filter((_, i) => (sizes[i] ?? 0) > 0)] : units.length >= 2 ? units.map((_, i) => units.filter((__, j) => j !== i)) : [];
  for (const rest of candidates) {
    if (rest.length > 0 && countMatching(index, rest) > 0) out.push(spell(rest.map((u) => u.label)));
  }
  if (out.length === 0 && hasFilters) out.push(...FILTER_EXAMPLES.split(', ').slice(0, 3));
  const v = index.vocabulary;
  const isFunctionWord = (s: string) => s.split(' ').some((w) => v.phrases.get(w) === STOP);
  return [...new Set(out)].filter((s) => !isFunctionWord(s)).slice(0, 5);
}

const NAMED_FIELDS = new Set(['venue', 'task', 'modality', 'region', 'technique', 'author', 'dataset']);
const MAX_LISTED = 12;

/**
 * What to tell a reader whose query matched nothing at all: for a filter value no paper has, the
 * values that exist for that field, nearest first (`region:` the regions, `author:` the closest
 * names); for words the list does not cover, what the list covers (its size and years).
 */
export function noMatchNotices(index: PaperIndex, units: Unit[], filters: Filter[], lang: Lang): LocalText[] {
  const notices: LocalText[] = [];
  for (const filter of filters) {
    if (!('value' in filter) || !NAMED_FIELDS.has(filter.field) || countMatching(index, index.filterUnits(filter)) > 0) continue;
    const values = nearestValues(index, filter.field, filter.value.toLowerCase(), lang);
    if (values.length === 0) continue;
    notices.push(searchEngineText.both('noSuchValue', { field: filter.field, value: filter.value, values }));
  }
  // Words that find nothing on their own, and no filter to blame: a topic the list does not cover.
  if (notices.length === 0 && filters.length === 0 && units.every((u) => countMatching(index, [u]) === 0)) {
    const years = index.years;
    notices.push(searchEngineText.both('listCovers', { size: index.size, from: years[0] ?? null, to: years[years.length - 1] ?? null }));
  }
  return notices;
}

/** A field's values, nearest to `value` first: those starting with it, then by edit distance, then by name. */
function nearestValues(index: PaperIndex, field: FilterField, value: string, lang: Lang): string[] {
  const seen = new Set<string>();
  const values: { shown: string; d: number }[] = [];
  for (const raw of index.valuesOf(field)) {
    const shown = field === 'author' ? displayName(raw) : raw;
    const key = shown.toLowerCase();
    // Labels are listed in the language the reader typed (the list gives both).
    if (seen.has(key) || (field !== 'author' && detectLang(shown) !== lang)) continue;
    seen.add(key);
    const words = key.split(/[\s,]+/);
    const d = key.startsWith(value) || words.some((w) => w.startsWith(value)) ? 0 : Math.min(...words.map((w) => boundedDistance(value, w, 6)), boundedDistance(value, key, 6));
    values.push({ shown, d });
  }
  const limit = field === 'author' ? 5 : MAX_LISTED;
  return values.sort((a, b) => a.d - b.d || a.shown.localeCompare(b.shown)).slice(0, limit).map((v) => v.shown);
}

/** `Ronneberger, Olaf` → `Olaf Ronneberger`. */
function displayName(author: string): string {
  const comma = author.indexOf(',');
  return comma < 0 ? author : `${author.slice(comma + 1).trim()} ${author.slice(0, comma).trim()}`;
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
    const years = index.years;
    if (['year', 'since', 'until'].includes(field) || /^\d{4}/.test(value)) {
      return years.length ? [`year:${years[0]}-${years[years.length - 1]}`] : [];
    }
    if (!NAMED_FIELDS.has(field)) return [];
    // The values that exist for the field, nearest first (the family name for an author).
    return nearestValues(index, field as FilterField, value, detectLang(value))
      .slice(0, 3)
      .map((v) => `${field}:${(field === 'author' ? v.split(' ').pop()! : v).toLowerCase()}`);
  }
  const exact = unit.lookups.filter((l) => l.exact);
  const [only] = exact;
  const concept = !unit.readAs && exact.length === 1 && only !== undefined && only.term.startsWith('c:') ? only.term.slice(2) : null;
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
    .wordsNear(word, 2)
    .filter(({ word: w }) => w.length >= 3 && v.phrases.get(w) !== STOP && index.occurs(w))
    .map(({ word: w, distance: d }) => ({ w, d, group: group(w) }))
    .filter((x) => x.d <= (x.group === 2 ? nameBudget : 2))
    .sort((a, b) => a.group - b.group || a.d - b.d || a.w.localeCompare(b.w))
    .map((x) => (x.group === 2 ? `author:${x.w}` : (index.shown([x.w])[0] ?? x.w)));
}
