/**
 * The one word splitter used by the importer, the index and the query parser, so that a title, a
 * vocabulary synonym and a typed query always break into the same tokens.
 */

const WORD = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HAN = /\p{Script=Han}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included, is meant.
const ASCII = /^[\x00-\x7f]*$/;
const NON_WORD = /[^a-z0-9]+/;

export function isHan(token: string): boolean {
  return HAN.test(token);
}

/**
 * Folds English plural and possessive endings so `nodules`, `alzheimers` and `Alzheimer's` meet
 * `nodule` and `alzheimer`. Deliberately crude: both sides of every comparison go through it.
 */
function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * Lower-cased, NFKC-folded tokens: Latin/digit words (stemmed) and whole Han runs (left for the
 * vocabulary to segment). `U-Net` → `u net`, `3D-CNN` → `3d cnn`, `H&E` → `h e`, `肝脏分割` → `肝脏分割`.
 */
export function tokenize(text: string): string[] {
  // Fast path: most titles and tags are plain ASCII, where NFKC changes nothing and \W splits.
  if (ASCII.test(text)) {
    const out: string[] = [];
    for (const word of text.toLowerCase().replace(/([a-z0-9])'s\b/g, '$1').replace(/'/g, '').split(NON_WORD)) {
      if (word) out.push(stem(word));
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
    out.push(isHan(token) ? token : stem(token));
  }
  return out;
}

/** A key that two spellings of one title share: case, punctuation and spacing ignored. */
export function titleKey(title: string): string {
  return tokenize(title).join(' ');
}

/** `U-net: Convolutional networks…` (2015) → `u-net-convolutional-networks-for-biomedical-image-segmentation-2015`. */
export function slugify(title: string, year: number | null, maxWords = 8): string {
  const words = title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’]/gu, '')
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, ''))
    .filter(Boolean)
    .slice(0, maxWords);
  const base = words.join('-').replace(/-+/g, '-') || 'paper';
  return year === null ? base : `${base}-${year}`;
}
