import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { mustExist } from '../errors.js';
import { projectPath } from '../root.js';
import type { CorrectableField, FieldCorrection, Paper, Term } from './paper.js';
import type { ConceptKind, Vocabulary } from './vocabulary.js';
import { titleKey } from './tokens.js';

export const CORRECTIONS_PATH = pathToFileURL(projectPath('data', 'corrections.json'));

type Value = string | number | string[];

/** One reviewed correction of the published list (data/corrections.json). */
export type Correction = {
  /** The paper, by its title as the list writes it. */
  title: string;
  field: CorrectableField;
  was: Value;
  now: Value;
  why: string;
  /** Where anyone can check it: `doi:…`, `arXiv:…` or a publisher's page. */
  source: string;
};


/** A correction applied to the catalog, or one that no longer matches the list. */
export type CorrectionReport = { correction: Correction; applied: boolean; problem?: string };

const FIELDS = new Set<CorrectableField>(['title', 'venue', 'year', 'regions', 'modalities', 'techniques', 'tasks', 'authors']);
const TERM_KINDS: Partial<Record<CorrectableField, ReadonlySet<ConceptKind>>> = {
  regions: new Set<ConceptKind>(['region', 'term']),
  tasks: new Set<ConceptKind>(['task']),
};

export function loadCorrections(path: URL | string = CORRECTIONS_PATH): Correction[] {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { corrections?: Correction[] };
  const list = file.corrections ?? [];
  for (const [i, c] of list.entries()) {
    if (!c || typeof c.title !== 'string' || !FIELDS.has(c.field) || !c.why || !c.source) {
      throw new Error(`paperbot: data/corrections.json: correction ${i + 1} needs a title, one of the fields ${[...FIELDS].join(', ')}, why and source`);
    }
  }
  return list;
}

/**
 * Applies the corrections to papers read from the list, in place of nothing: returns new paper
 * objects for the corrected ones. A correction is applied only when the field still holds what it
 * says the list has (`was`); otherwise it is reported, so a fixed or changed list never gets a
 * stale correction. Region and task names are read through the vocabulary (both languages).
 */
export function applyCorrections(papers: Paper[], corrections: Correction[], vocabulary: Vocabulary): { papers: Paper[]; report: CorrectionReport[] } {
  const byTitle = new Map<string, number>();
  for (const [i, p] of papers.entries()) byTitle.set(titleKey(p.title), i);
  const out = [...papers];
  const report: CorrectionReport[] = [];
  for (const correction of corrections) {
    const at = byTitle.get(titleKey(correction.title));
    if (at === undefined) {
      report.push({ correction, applied: false, problem: 'no paper in the list has this title' });
      continue;
    }
    const paper = mustExist(out[at], `paper ${at} of the list`);
    const current = currentValue(paper, correction.field);
    if (!same(current, correction.was)) {
      report.push({ correction, applied: false, problem: `the list now says ${show(current)}, not ${show(correction.was)}` });
      continue;
    }
    const now = newValue(correction, vocabulary);
    if (now === null) {
      report.push({ correction, applied: false, problem: `the vocabulary does not know ${show(correction.now)}` });
      continue;
    }
    const mark: FieldCorrection = { field: correction.field, was: show(correction.was), why: correction.why, source: correction.source };
    out[at] = { ...paper, [correction.field]: now, corrections: [...(paper.corrections ?? []), mark] };
    report.push({ correction, applied: true });
  }
  return { papers: out, report };
}

function currentValue(paper: Paper, field: CorrectableField): Value | null {
  if (field === 'regions' || field === 'tasks') return paper[field].map((t) => t.en);
  return paper[field];
}

function newValue(c: Correction, vocabulary: Vocabulary): Paper[CorrectableField] | null {
  const kinds = TERM_KINDS[c.field];
  if (kinds) {
    const terms: Term[] = [];
    for (const name of c.now as string[]) {
      const id = vocabulary.conceptOf(name, kinds);
      if (!id) return null;
      terms.push(vocabulary.term(id));
    }
    return terms;
  }
  return c.now as Paper[CorrectableField];
}

function same(a: Value | null, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: Value | null): string {
  return Array.isArray(value) ? value.join('; ') : String(value ?? '');
}
