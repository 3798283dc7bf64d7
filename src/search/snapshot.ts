import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type { Vocabulary } from '../catalog/vocabulary.js';
import { PaperIndex, type IndexState } from './paper-index.js';

/**
 * A built index as bytes, so a bot holding a large catalog starts without reading and indexing
 * every record again. Node's structured serialisation (v8.serialize) stores the typed arrays of the
 * postings as they are, and the records as one block of JSON parsed paper by paper when asked for.
 *
 * A snapshot is only as good as the code and vocabulary that made it: `indexFormat` names both (a
 * hash of the index's own source files, the vocabulary, Node's serialiser), and a snapshot made
 * under any other is never restored. On top of that, a restore recomputes the terms of a few of its
 * papers with the code now running and compares them with the stored postings.
 */

/** Raise when the layout of IndexState changes in a way the source hash would not show. */
const LAYOUT = 1;
/** The files whose code decides what the index holds. */
const INDEX_FILES = ['../catalog/tokens', '../catalog/vocabulary', './documents', './paper-index', './postings', './words', './known-values', './snapshot'];
const CODE_EXTENSION = extname(fileURLToPath(import.meta.url));
/** Papers whose terms a restore recomputes and compares with the stored postings. */
const CHECKED_PAPERS = 8;

const formats = new WeakMap<Vocabulary, string | null>();

/**
 * What a snapshot must have been made with to be restored here: this code, this vocabulary, this
 * Node. Null when the code cannot be read (an unusual packaging): then no snapshot is used or made.
 */
export function indexFormat(vocabulary: Vocabulary): string | null {
  let format = formats.get(vocabulary);
  if (format === undefined) {
    try {
      const hash = createHash('sha256').update(`layout ${LAYOUT}\nv8 ${process.versions.v8}\n`);
      for (const file of INDEX_FILES) hash.update(readFileSync(new URL(file + CODE_EXTENSION, import.meta.url)));
      hash.update(JSON.stringify(vocabulary.file));
      format = hash.digest('hex').slice(0, 32);
    } catch {
      format = null;
    }
    formats.set(vocabulary, format);
  }
  return format;
}

export function encodeIndex(index: PaperIndex): Buffer {
  return v8.serialize(index.exportState());
}

/**
 * The index a snapshot holds, or null when it cannot be trusted: unreadable, or a checked paper's
 * terms differ from what the running code gives. The caller has checked `indexFormat` already.
 */
export function decodeIndex(bytes: Uint8Array, vocabulary: Vocabulary): PaperIndex | null {
  let index: PaperIndex;
  try {
    index = PaperIndex.restore(v8.deserialize(bytes) as IndexState, vocabulary);
  } catch {
    return null;
  }
  return agreesWithCode(index) ? index : null;
}

/** Whether papers spread over the index have exactly the postings the running code would give them. */
function agreesWithCode(index: PaperIndex): boolean {
  const n = index.slotCount;
  const step = Math.max(1, Math.floor(n / CHECKED_PAPERS));
  for (let slot = 0; slot < n; slot += step) {
    const paper = index.paperAt(slot);
    if (!paper) continue;
    for (const [term, { weight, fields }] of index.termsOf(paper)) {
      const list = index.postingList(term);
      if (!list) return false;
      const at = list.positionOf(slot);
      if (at < 0 || list.fields[at] !== fields || list.weights[at] !== Math.fround(weight)) return false;
    }
  }
  return true;
}
