import { readFileSync } from 'node:fs';
import { projectPath } from '../root.js';
import * as OpenCC from 'opencc-js/t2cn';
import porter2 from 'wink-porter2-stemmer';

/**
 * The one word splitter used by the importer, the index and the query parser, so that a title, a
 * vocabulary synonym and a typed query always break into the same tokens.
 */

const WORD = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HAN = /\p{Script=Han}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included, is meant.
const ASCII = /^[\x00-\x7f]*$/;

export function isHan(token: string): boolean {
  return HAN.test(token);
}

type SpellingRules = { parts: [string, string][]; endings: [string, string][]; keep: string[] };

/**
 * British spellings as American ones (data/vocabulary.json, `spelling`: reviewed data, not code),
 * read once. Endings are tried longest first so `localisation` becomes `localization`, not
 * `localisatization`.
 */
let spelling: { parts: [string, string][]; endings: [string, string][]; keep: Set<string> } | null = null;
function spellingRules() {
  if (!spelling) {
    const file = JSON.parse(readFileSync(projectPath('data', 'vocabulary.json'), 'utf8')) as { spelling?: SpellingRules };
    const rules = file.spelling ?? { parts: [], endings: [], keep: [] };
    spelling = { parts: rules.parts, endings: [...rules.endings].sort((a, b) => b[0].length - a[0].length), keep: new Set(rules.keep) };
  }
  return spelling;
}

/** `tumour` → `tumor`, `localisation` → `localization`, `haemorrhage` → `hemorrhage`. */
function americanSpelling(word: string): string {
  const rules = spellingRules();
  let out = word;
  for (const [from, to] of rules.parts) if (out.includes(from)) out = out.split(from).join(to);
  if (rules.keep.has(out)) return out;
  for (const [from, to] of rules.endings) {
    if (out.length > from.length + 2 && out.endsWith(from)) return out.slice(0, -from.length) + to;
  }
  return out;
}

/** Stems are cached: titles, tags and queries repeat the same few thousand words. */
const stems = new Map<string, string>();
const MAX_CACHED_STEMS = 200_000;

/**
 * The search form of an English word: American spelling, then the Porter2 (Snowball English)
 * stem, so `detecting`/`detection`, `segmenting`/`segmentation`, `mammograms`/`mammogram` and
 * `tumour`/`tumors` meet. Both sides of every comparison go through it. Words of three letters or
 * fewer (`us`, `mr`, `ct`) and anything but plain letters are left alone.
 */
function stem(word: string): string {
  // Words left alone are cached too: one lookup per word, and the regular expression runs once per distinct word.
  let s = stems.get(word);
  if (s === undefined) {
    s = word.length <= 3 || !/^[a-z]+$/.test(word) ? word : porter2(americanSpelling(word));
    if (stems.size >= MAX_CACHED_STEMS) stems.clear();
    stems.set(word, s);
  }
  return s;
}

/**
 * Lower-cased, NFKC-folded tokens: Latin/digit words (stemmed) and whole Han runs in Simplified
 * script (left for the vocabulary to segment). `U-Net` → `u net`, `3D-CNN` → `3d cnn`, `H&E` → `h e`, `肝脏分割` → `肝脏分割`.
 */
export function tokenize(text: string): string[] {
  return words(text, true);
}

/** The same tokens as `tokenize`, one for one, as written (lower-cased, not stemmed): for showing words back to the user. */
export function surfaceTokens(text: string): string[] {
  return words(text, false);
}

function words(text: string, stemmed: boolean): string[] {
  const fold = stemmed ? stem : (w: string) => w;
  // Fast path: most titles and tags are plain ASCII, where NFKC changes nothing and \W splits.
  if (ASCII.test(text)) {
    const out: string[] = [];
    const lower = text.toLowerCase();
    // Most texts have no apostrophe, and then nothing to strip.
    const bare = lower.includes("'") ? lower.replace(/([a-z0-9])'s\b/g, '$1').replace(/'/g, '') : lower;
    // Runs of [a-z0-9], read by character code: no array of pieces to allocate and walk.
    let start = -1;
    for (let i = 0; i <= bare.length; i++) {
      const c = i < bare.length ? bare.charCodeAt(i) : 0;
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        out.push(fold(bare.slice(start, i)));
        start = -1;
      }
    }
    return out;
  }
  const folded = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/(\p{L})['’]s\b/gu, '$1')
    .replace(/['’]/gu, '');
  const out: string[] = [];
  for (const match of folded.matchAll(WORD)) {
    const token = match[0];
    out.push(isHan(token) ? toSimplified(token) : fold(token));
  }
  return out;
}

let converter: ((text: string) => string) | null = null;

/**
 * Traditional Chinese read as Simplified (乳腺攝影 → 乳腺摄影) through OpenCC's maintained tables
 * (opencc-js), so either script meets the Simplified list. Built on first use: it costs some 50 ms.
 */
function toSimplified(text: string): string {
  const convert = (converter ??= OpenCC.Converter({ from: 't', to: 'cn' }));
  return convert(text);
}

/** A key that two spellings of one title share: case, punctuation and spacing ignored. */
export function titleKey(title: string): string {
  return tokenize(title).join(' ');
}

/** `U-net: Convolutional networks…` (2015) → `u-net-convolutional-networks-for-biomedical-image-segmentation-2015`. */
export function slugify(title: string, year: number | null, maxWords = 8): string {
  // ASCII titles (most of an import) skip NFKC and the Unicode classes, which are their identity there.
  const ascii = /^[\x20-\x7e]*$/.test(title);
  const words = (ascii ? title : title.normalize('NFKC'))
    .toLowerCase()
    .replace(/['’]/gu, '')
    .split(/\s+/)
    .map((w) => (ascii ? w.replace(/[^a-z0-9]+/g, '-') : w.replace(/[^\p{L}\p{N}]+/gu, '-')).replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .slice(0, maxWords);
  const base = words.join('-').replace(/-+/g, '-') || 'paper';
  return year === null ? base : `${base}-${year}`;
}
