import { UserError } from '../errors.js';
import { searchEngineText } from './messages.js';

export type FilterField = 'year' | 'since' | 'until' | 'venue' | 'task' | 'modality' | 'region' | 'technique' | 'author' | 'dataset';

export type Filter =
  | { field: 'year' | 'since' | 'until'; raw: string; from: number; to: number }
  | { field: Exclude<FilterField, 'year' | 'since' | 'until'>; raw: string; value: string };

export type ParsedQuery = { text: string; filters: Filter[] };

/** Field names users type, in English and Chinese. */
const FIELD_NAMES: Record<string, FilterField> = {
  year: 'year', years: 'year', 年: 'year', 年份: 'year',
  since: 'since', from: 'since', after: 'since', 自: 'since', 从: 'since', 起: 'since',
  until: 'until', before: 'until', to: 'until', 至: 'until', 到: 'until',
  venue: 'venue', journal: 'venue', conference: 'venue', jc: 'venue', 会议: 'venue', 期刊: 'venue', 出处: 'venue',
  task: 'task', 任务: 'task',
  modality: 'modality', modalities: 'modality', 模态: 'modality', 成像: 'modality', 医学技术: 'modality',
  region: 'region', area: 'region', organ: 'region', 部位: 'region', 区域: 'region', 目标区域: 'region', 器官: 'region',
  technique: 'technique', technology: 'technique', method: 'technique', model: 'technique', 技术: 'technique', 方法: 'technique', 计算机技术: 'technique',
  author: 'author', authors: 'author', by: 'author', 作者: 'author',
  dataset: 'dataset', datasets: 'dataset', db: 'dataset', database: 'dataset', data: 'dataset', 数据集: 'dataset', 数据库: 'dataset',
};

export const FILTER_EXAMPLES = 'year:2016, year:2015-2017, since:2017, venue:miccai, task:segmentation, modality:mri, region:lung, technique:gan, author:ronneberger, dataset:adni';
const FILTER_EXAMPLES_ZH = '年份:2016、年份:2015-2017、自:2017、会议:miccai、任务:分割、模态:mri、部位:肺、技术:gan、作者:ronneberger、数据集:adni';

/** `field:value`, `field:"two words"`; the field is letters only so `3:1` or `h&e` stay text. */
const FILTER = /(^|\s)([\p{L}_]{1,16}):("[^"]*"?|\S*)/gu;
/** A plain word after a filter value (not a filter itself, not quoted). */
const NEXT_WORD = /\s+([^\s:"]+)(?=\s|$)/uy;
/** How many more words an unquoted value may take: the longest name in the vocabulary has ten. */
const MAX_VALUE_WORDS = 10;

/** Whether `value` is a whole value the catalog or vocabulary knows for `field` ("medical physics" for venue). */
export type KnownValue = (field: FilterField, value: string) => boolean;

/**
 * Splits field filters from the free text of a cleaned query. An unquoted value takes the words
 * after it when together they name a known value (`venue:medical physics`, `dataset:lidc idri`),
 * the longest such; otherwise those words stay free text. An unknown field or a value that cannot
 * be read is a UserError that lists what works, never a silently empty result.
 */
export function parseQuery(cleaned: string, isKnownValue: KnownValue = () => false): ParsedQuery {
  const filters: Filter[] = [];
  const filter = new RegExp(FILTER);
  let text = '';
  let textFrom = 0;
  for (let m = filter.exec(cleaned); m; m = filter.exec(cleaned)) {
    // Every group of FILTER takes part in a match; the defaults only satisfy the type checker.
    const [whole, lead = '', name = '', rawValue = ''] = m;
    const field = FIELD_NAMES[name.toLowerCase()];
    // "DeepLung: Deep 3D…": a word ending in a colon, then a space, is title text, not a filter.
    if (!field && !rawValue) continue;
    if (!field) {
      throw new UserError(
        'unknown-filter',
        { en: searchEngineText.text('en', 'unknownFilter', { name, examples: FILTER_EXAMPLES }), zh: searchEngineText.text('zh', 'unknownFilter', { name, examples: FILTER_EXAMPLES_ZH }) },
        FILTER_EXAMPLES.split(', '),
      );
    }
    let value = rawValue.replace(/^"|"$/g, '').trim();
    if (!value) {
      throw new UserError('empty-filter', searchEngineText.both('emptyFilter', { name, example: example(field) }), [example(field)]);
    }
    let end = m.index + whole.length;
    if (!rawValue.startsWith('"')) ({ value, end } = widenValue(cleaned, end, field, value, isKnownValue));
    filters.push(readFilter(field, `${name}:${cleaned.slice(m.index + whole.length - rawValue.length, end)}`, value));
    text += cleaned.slice(textFrom, m.index) + lead;
    textFrom = end;
    filter.lastIndex = end;
  }
  text += cleaned.slice(textFrom);
  return { text: text.replace(/\s+/g, ' ').trim(), filters };
}

/** The value with as many following words as complete a known value (longest first), and where it ends. */
function widenValue(cleaned: string, end: number, field: FilterField, value: string, isKnownValue: KnownValue): { value: string; end: number } {
  const next: { word: string; end: number }[] = [];
  const word = new RegExp(NEXT_WORD);
  word.lastIndex = end;
  for (let m = word.exec(cleaned); m && next.length < MAX_VALUE_WORDS; m = word.exec(cleaned)) next.push({ word: m[1] ?? '', end: word.lastIndex });
  for (let k = next.length; k > 0; k--) {
    const wider = [value, ...next.slice(0, k).map((n) => n.word)].join(' ');
    if (isKnownValue(field, wider)) return { value: wider, end: next[k - 1]?.end ?? end };
  }
  return { value, end };
}

function readFilter(field: FilterField, raw: string, value: string): Filter {
  if (field === 'year' || field === 'since' || field === 'until') {
    const range = /^(\d{4})\s*(?:-|–|—|~|\.\.|到|至)\s*(\d{4})$/u.exec(value);
    const single = /^(\d{4})$/.exec(value);
    const open = /^(\d{4})\s*(?:-|–|\+|\.\.)$/u.exec(value);
    let from: number;
    let to: number;
    if (field === 'year' && range) [from, to] = [Number(range[1]), Number(range[2])];
    else if (field === 'year' && open) [from, to] = [Number(open[1]), 9999];
    else if (single) {
      const y = Number(single[1]);
      [from, to] = field === 'since' ? [y, 9999] : field === 'until' ? [0, y] : [y, y];
    } else {
      throw new UserError(
        'bad-year',
        searchEngineText.both('badYear', { raw }),
        ['year:2016', 'year:2015-2017', 'since:2017'],
      );
    }
    if (from > to) {
      throw new UserError('bad-year-range', searchEngineText.both('badYearRange', { raw }), ['year:2015-2017']);
    }
    return { field, raw, from, to };
  }
  return { field, raw, value };
}

function example(field: FilterField): string {
  return FILTER_EXAMPLES.split(', ').find((e) => e.startsWith(`${field}:`)) ?? 'year:2016';
}

/** The free text of a query with its operators read out. */
export type QueryText = {
  /** The plain words, in order, read together (so "skin lesion" can be one concept). */
  words: string;
  /** `"quoted phrase"`: must occur as written. */
  phrases: string[];
  /** `-word`, `NOT word`: no result may hold these. */
  excluded: string[];
  /** `a OR b`, `a | b`, `a 或 b`: one unit that either side satisfies. */
  alternatives: string[][];
};

const PART = /-?"[^"]*"?|\S+/gu;
const OR_WORDS = new Set(['OR', '|', '||', '或', '或者']);
/** 或 inside a run of Chinese (肺或肝) joins two alternatives, as it does between spaces. */
const HAN_OR = /(?<=\p{Script=Han})(?:或者|或)(?=\p{Script=Han})/u;

/**
 * Reads the operators of free text: `"phrase"`, `-word` and `NOT word` (upper case, so a sentence's
 * "not" stays a word), `OR`, `|` and `或` between two parts. A hyphen inside a word (`x-ray`,
 * `u-net`) is no operator. Everything else is plain words.
 */
export function readOperators(text: string): QueryText {
  const parts: string[] = [];
  for (const m of text.matchAll(PART)) {
    const part = m[0];
    const quoted = /^-?"/.test(part);
    if (!quoted && part.includes('|') && part.length > 1) parts.push(...part.split('|').flatMap((p, i) => (i === 0 ? [p] : ['|', p])).filter(Boolean));
    else if (!quoted && HAN_OR.test(part)) parts.push(...part.split(HAN_OR).flatMap((p, i) => (i === 0 ? [p] : ['或', p])).filter(Boolean));
    else parts.push(part);
  }
  const out: QueryText = { words: '', phrases: [], excluded: [], alternatives: [] };
  const words: string[] = [];
  const unquote = (p: string) => p.replace(/^"|"$/g, '').trim();
  /** The group the last part joined, so `a OR b OR c` is one group. */
  let open: string[] | null = null;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === undefined) continue;
    if (part === 'NOT' && i + 1 < parts.length) {
      out.excluded.push(unquote(parts[++i] ?? ''));
      open = null;
    } else if (/^-["\p{L}\p{N}]/u.test(part)) {
      out.excluded.push(unquote(part.slice(1)));
      open = null;
    } else if (OR_WORDS.has(part)) {
      // Joins the part before and the part after; a leading or trailing OR is dropped.
      const next = parts[i + 1];
      if (next === undefined || OR_WORDS.has(next)) continue;
      i++;
      if (open) open.push(unquote(next));
      else if (words.length > 0) out.alternatives.push((open = [words.pop()!, unquote(next)]));
      else words.push(unquote(next));
    } else if (part.startsWith('"')) {
      const phrase = unquote(part);
      if (phrase) out.phrases.push(phrase);
      open = null;
    } else {
      words.push(part);
      open = null;
    }
  }
  out.words = words.join(' ');
  out.alternatives = out.alternatives.map((g) => g.filter(Boolean)).filter((g) => g.length > 0);
  return out;
}
