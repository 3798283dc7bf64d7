import { ALL_CONTENT } from './documents.js';
import type { MatchQuery } from './match.js';
import type { PaperIndex, Unit } from './paper-index.js';
import { parseQuery, readOperators, type ParsedQuery, type QueryText } from './query.js';
import { titleKey } from '../catalog/tokens.js';

/** Most query words (and filters) read; beyond this a query is not a search any more. */
export const MAX_UNITS = 12;

/** A cleaned query, read: its filters and operators, and the units the matcher works with. */
export type ReadQuery = {
  parsed: ParsedQuery;
  text: QueryText;
  query: MatchQuery;
  /** Every unit that must or may match, filters first, for notices and labels. */
  units: Unit[];
  /** More words than MAX_UNITS were given: the rest were left out. */
  capped: boolean;
};

/**
 * Reads a cleaned query: filters (`year:2016`), then operators (`"phrase"`, `-word`, `NOT word`,
 * `a OR b`), then the plain words through the vocabulary (stop words and question scaffolding
 * dropped, synonyms and both languages as one concept). A malformed filter throws a UserError.
 */
export function readQuery(index: PaperIndex, cleaned: string): ReadQuery {
  const parsed = parseQuery(cleaned, index.isKnownValue);
  const text = readOperators(parsed.text);
  const required = parsed.filters.flatMap((f) => index.filterUnits(f));
  const phrases: string[] = [];
  for (const phrase of text.phrases) {
    // The words of a phrase must all be there (exactly, no related concepts), and then in order.
    for (const unit of index.textUnits(phrase)) required.push({ ...unit, lookups: unit.lookups.filter((l) => l.exact) });
    const key = titleKey(phrase);
    if (key) phrases.push(key);
  }
  let words = index.textUnits(text.words);
  for (const group of text.alternatives) {
    const options = group.flatMap((option) => index.textUnits(option));
    if (options.length === 0) continue;
    words.push({ label: group.join(' OR '), lookups: options.flatMap((u) => u.lookups), readAs: options.some((u) => u.readAs) ? options.flatMap((u) => u.readAs ?? [u.label]) : undefined });
  }
  const excluded = text.excluded.flatMap((word) => index.textUnits(word)).map((u) => ({ ...u, lookups: u.lookups.map((l) => ({ ...l, fields: ALL_CONTENT })) }));
  let capped = false;
  if (required.length + words.length > MAX_UNITS) {
    capped = true;
    words = words.slice(0, Math.max(0, MAX_UNITS - required.length));
    required.splice(MAX_UNITS);
  }
  const plain = parsed.filters.length === 0 && text.phrases.length === 0 && text.excluded.length === 0 && text.alternatives.length === 0;
  const query: MatchQuery = {
    words,
    required,
    excluded,
    phrases,
    exact: plain ? (index.slotById(parsed.text) ?? index.slotById(parsed.text.toLowerCase()) ?? index.slotByTitle(parsed.text)) : undefined,
    titlePhrase: plain && titleKey(parsed.text).split(' ').length >= 3 ? titleKey(parsed.text) : undefined,
  };
  return { parsed, text, query, units: [...required, ...words], capped };
}
