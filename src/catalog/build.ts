import type { Dataset, Paper, Term } from './paper.js';
import type { ConceptKind, Correction, Vocabulary } from './vocabulary.js';
import { titleOf, type Cell, type ListRow, type ParsedList } from './markdown.js';
import type { BibEntry, ParsedBib } from './bibtex.js';
import { slugify, titleKey, tokenize } from './tokens.js';
import { CatalogError, mustExist } from '../errors.js';

const REGION_KINDS = new Set<ConceptKind>(['region', 'term']);
const TASK_KINDS = new Set<ConceptKind>(['task']);
const LIST_SEPARATORS = /\s*[,，、;；/+]\s*/;

/** A Chinese cell the English reference overrides, noted so reviewers can see every fix applied. */
export type AppliedCorrection = { file: string; line: number; zh: string; en: string };

type Draft = Omit<Paper, 'id'> & { key: string; regionIds: Set<string>; taskIds: Set<string> };

export class CatalogBuilder {
  private readonly drafts = new Map<string, Draft>();
  readonly warnings: string[] = [];
  readonly corrections: AppliedCorrection[] = [];

  constructor(private readonly vocabulary: Vocabulary) {}

  /** A link as the records keep it: http(s) or a DOI, or '' with a warning naming the file and line. */
  private link(href: string, file: string, line: number | null): string {
    const { url, dropped } = safeLink(href);
    if (dropped) this.warnings.push(`${file}${line === null ? '' : `:${line}`}: dropped a ${dropped} link (only http, https and DOIs are kept): ${JSON.stringify(href.slice(0, 80))}`);
    return url;
  }

  /** A list in one language. Rows for a paper already present merge into it (both tasks kept). */
  addList(list: ParsedList): void {
    for (const row of list.rows) this.merge(this.draftFromRow(list.file, row, list.lang));
  }

  /**
   * A list and its translation, row for row (the bundled English and Chinese lists). The English
   * row is the reference; the Chinese cells only fill labels the vocabulary lacks, and every
   * disagreement is either a known correction from the vocabulary or a warning.
   */
  addTranslatedPair(reference: ParsedList, translation: ParsedList): void {
    if (reference.rows.length !== translation.rows.length) {
      throw new CatalogError(translation.file, null, `has ${translation.rows.length} table rows but ${reference.file} has ${reference.rows.length}; a translation must list the same rows in the same order`);
    }
    reference.rows.forEach((row, i) => {
      const other = mustExist(translation.rows[i], `row ${i + 1} of ${translation.file}`);
      const a = titleOf(row.cells.title!);
      const b = titleOf(other.cells.title!);
      if (titleKey(a) !== titleKey(b)) {
        throw new CatalogError(translation.file, other.line, `row title "${b}" does not match "${a}" at ${reference.file}:${row.line}`);
      }
      const draft = this.draftFromRow(reference.file, row, 'en', other);
      this.checkTranslation(translation.file, row, other);
      draft.sources.push(translation.file);
      this.merge(draft);
    });
  }

  /** Bullet-list mentions are the same papers as table rows: they add a source and a missing link, never a paper. */
  addBullets(list: ParsedList): void {
    for (const bullet of list.bullets) {
      const draft = this.find(bullet.title);
      if (!draft) continue;
      if (!draft.url && bullet.url) draft.url = this.link(bullet.url, list.file, bullet.line);
      if (!draft.sources.includes(list.file)) draft.sources.push(list.file);
    }
  }

  /** BibTeX: authors (and missing venue/year/link) for papers already listed; with `add`, new papers too. */
  addBib(bib: ParsedBib, mode: 'enrich' | 'add'): void {
    for (const entry of bib.entries) {
      const draft = this.find(entry.title);
      if (draft) {
        if (draft.authors.length === 0) draft.authors = entry.authors;
        if (!draft.venue && entry.venue) draft.venue = this.vocabulary.normaliseVenue(entry.venue);
        draft.year ??= entry.year;
        if (!draft.url && entry.url) draft.url = this.link(entry.url, bib.file, entry.line);
        if (!draft.sources.includes(bib.file)) draft.sources.push(bib.file);
      } else if (mode === 'add') {
        this.merge(this.draftFromBib(bib.file, entry));
      }
    }
  }

  papers(): Paper[] {
    const used = new Set<string>();
    const out: Paper[] = [];
    for (const d of this.drafts.values()) {
      let id = slugify(d.title, d.year);
      for (let n = 2; used.has(id); n++) id = `${slugify(d.title, d.year)}-${n}`;
      used.add(id);
      const { key: _key, regionIds: _r, taskIds: _t, ...rest } = d;
      out.push({ id, ...rest });
    }
    return out;
  }

  private draftFromRow(file: string, row: ListRow, lang: 'en' | 'zh', translated?: ListRow): Draft {
    const v = this.vocabulary;
    const titleCell = row.cells.title!;
    const title = titleOf(titleCell);
    const year = row.cells.year?.text.trim() ? Number(row.cells.year.text.trim()) : null;
    const regions = this.regions(file, row, lang, translated);
    const task = this.task(row.section, lang, translated?.section);
    return {
      key: titleKey(title),
      title,
      url: this.link(titleCell.links[0]?.href ?? '', file, row.line),
      year,
      venue: v.normaliseVenue(row.cells.venue?.text ?? ''),
      techniques: this.list(row.cells.technique),
      modalities: this.list(row.cells.modality),
      regions: regions.terms,
      regionIds: regions.ids,
      tasks: task ? [task.term] : [],
      taskIds: new Set(task?.id ? [task.id] : []),
      datasets: datasetsOf(row.cells.datasets, v, (href) => this.link(href, file, row.line)),
      authors: [],
      sources: [file],
    };
  }

  private draftFromBib(file: string, entry: BibEntry): Draft {
    return {
      key: titleKey(entry.title), title: entry.title, url: this.link(entry.url, file, entry.line), year: entry.year,
      venue: this.vocabulary.normaliseVenue(entry.venue), techniques: [], modalities: [], regions: [], regionIds: new Set(),
      tasks: [], taskIds: new Set(), datasets: [], authors: entry.authors, sources: [file],
    };
  }

  private list(cell: Cell | undefined): string[] {
    if (!cell) return [];
    const out: string[] = [];
    for (const part of cell.text.split(LIST_SEPARATORS)) {
      const p = part.trim();
      if (p && !this.vocabulary.isEmptyCell(p) && !out.includes(p)) out.push(p);
    }
    return out;
  }

  private regions(file: string, row: ListRow, lang: 'en' | 'zh', translated?: ListRow): { terms: Term[]; ids: Set<string> } {
    const v = this.vocabulary;
    let text = row.cells.area?.text.trim() ?? '';
    if (lang === 'zh') text = this.corrected(v.areaCorrections, text, file, row.line);
    const ids = new Set<string>();
    const terms: Term[] = [];
    if (!text || v.isEmptyCell(text)) return { terms, ids };
    const compound = this.compoundOf(text);
    if (compound) {
      for (const id of compound) if (!ids.has(id)) (ids.add(id), terms.push(v.term(id)));
      return { terms, ids };
    }
    const zhParts = (translated?.cells.area?.text ?? '').split(LIST_SEPARATORS);
    text.split(LIST_SEPARATORS).forEach((part, i) => {
      const p = part.trim();
      if (!p || v.isEmptyCell(p)) return;
      const id = v.conceptOf(p, REGION_KINDS);
      if (id) {
        if (ids.has(id)) return;
        ids.add(id);
        terms.push(v.term(id, lang === 'en' ? p : undefined));
      } else {
        const zh = lang === 'zh' ? p : zhParts[i]?.trim() || p;
        terms.push({ en: p, zh });
      }
    });
    return { terms, ids };
  }

  private task(section: string, lang: 'en' | 'zh', translatedSection?: string): { term: Term; id: string | null } | null {
    const v = this.vocabulary;
    const heading = lang === 'zh' ? this.corrected(v.headingCorrections, section) : section;
    if (!heading.trim()) return null;
    const id = v.conceptOf(heading, TASK_KINDS);
    if (id) return { term: v.term(id), id };
    return { term: { en: heading, zh: translatedSection?.trim() || heading }, id: null };
  }

  /** The English a known mistranslation stands for, or the cell as written. */
  private corrected(list: Correction[], text: string, file?: string, line?: number): string {
    const key = tokenize(text).join(' ');
    const fix = list.find((c) => tokenize(c.zh).join(' ') === key);
    if (!fix) return text;
    if (file && line) this.corrections.push({ file, line, zh: text, en: fix.en });
    return fix.en;
  }

  private checkTranslation(file: string, en: ListRow, zh: ListRow): void {
    const v = this.vocabulary;
    const closureOf = (ids: Iterable<string>) => new Set([...ids].flatMap((id) => v.closure(id)));
    const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
    if (!same(closureOf(this.regionIds(en)), closureOf(this.regionIds(zh)))) {
      const zhText = zh.cells.area?.text.trim() ?? '';
      if (this.isKnown(v.areaCorrections, zhText, en.cells.area?.text ?? '')) this.corrections.push({ file, line: zh.line, zh: zhText, en: en.cells.area?.text.trim() ?? '' });
      else this.warnings.push(`${file}:${zh.line}: area "${zhText}" does not match the English "${en.cells.area?.text.trim() ?? ''}"`);
    }
    const enTask = v.conceptOf(en.section, TASK_KINDS);
    const zhTask = v.conceptOf(zh.section, TASK_KINDS);
    if (enTask !== zhTask) {
      if (this.isKnown(v.headingCorrections, zh.section, en.section)) this.corrections.push({ file, line: zh.line, zh: zh.section, en: en.section });
      else this.warnings.push(`${file}:${zh.line}: section "${zh.section}" does not match the English "${en.section}"`);
    }
  }

  /** The region concepts of a row's area cell as written, before any correction: what the two languages are compared on. */
  private regionIds(row: ListRow): Set<string> {
    const v = this.vocabulary;
    const text = row.cells.area?.text.trim() ?? '';
    const compound = this.compoundOf(text);
    if (compound) return new Set(compound);
    const ids = new Set<string>();
    for (const part of text.split(LIST_SEPARATORS)) {
      const id = part.trim() && !v.isEmptyCell(part) ? v.conceptOf(part.trim(), REGION_KINDS) : null;
      if (id) ids.add(id);
    }
    return ids;
  }

  /** Concepts of a cell the vocabulary lists whole: `Liver-Liver Tumor` joins two regions with a hyphen, no list separator. */
  private compoundOf(text: string): string[] | undefined {
    return this.vocabulary.compounds.get(this.vocabulary.tokens(text, false).join(' '));
  }

  private isKnown(list: Correction[], zh: string, en: string): boolean {
    const z = tokenize(zh).join(' ');
    const e = tokenize(en).join(' ');
    return list.some((c) => tokenize(c.zh).join(' ') === z && tokenize(c.en).join(' ') === e);
  }

  private merge(draft: Draft): void {
    const existing = this.drafts.get(draft.key);
    if (!existing) {
      this.drafts.set(draft.key, draft);
      return;
    }
    existing.url ||= draft.url;
    existing.year ??= draft.year;
    existing.venue ||= draft.venue;
    for (const t of draft.techniques) if (!existing.techniques.includes(t)) existing.techniques.push(t);
    for (const m of draft.modalities) if (!existing.modalities.includes(m)) existing.modalities.push(m);
    draft.regions.forEach((term) => {
      if (!existing.regions.some((r) => r.en.toLowerCase() === term.en.toLowerCase() || r.zh === term.zh)) existing.regions.push(term);
    });
    for (const id of draft.regionIds) existing.regionIds.add(id);
    for (const term of draft.tasks) {
      if (!existing.tasks.some((t) => t.en === term.en)) existing.tasks.push(term);
    }
    for (const id of draft.taskIds) existing.taskIds.add(id);
    for (const d of draft.datasets) {
      const same = existing.datasets.find((x) => x.name.toLowerCase() === d.name.toLowerCase());
      if (!same) existing.datasets.push(d);
      else if (!same.url) same.url = d.url;
    }
    if (existing.authors.length === 0) existing.authors = draft.authors;
    for (const s of draft.sources) if (!existing.sources.includes(s)) existing.sources.push(s);
  }

  /** The record for a title: same normalised title, or one title's words all inside the other's (BibTeX often shortens). */
  private find(title: string): Draft | null {
    const key = titleKey(title);
    const exact = this.drafts.get(key);
    if (exact) return exact;
    const words = key.split(' ');
    let best: Draft | null = null;
    for (const d of this.drafts.values()) {
      const other = d.key.split(' ');
      const [short, long] = words.length <= other.length ? [words, other] : [other, words];
      if (short.length < 4 || short.length < 0.8 * long.length) continue;
      const longSet = new Set(long);
      if (short.every((w) => longSet.has(w))) {
        if (best) return null;
        best = d;
      }
    }
    return best;
  }
}

const DOI = /^(?:doi:)?(10\.\d{4,9}\/\S+)$/i;

/**
 * Links are untrusted text: only http and https are kept (a DOI, bare or `doi:`, becomes its
 * doi.org link). `javascript:`, `data:` and every other scheme are dropped, and the scheme is
 * returned so the importer can warn. Dataset links without a scheme (`amida13.isi.uu.nl`) get
 * `http://`; an empty link stays empty.
 */
function safeLink(href: string): { url: string; dropped?: string } {
  const url = href.trim().replace(/\s+/g, '');
  if (!url) return { url: '' };
  const doi = DOI.exec(url);
  if (doi) return { url: `https://doi.org/${doi[1]}` };
  const name = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (name === undefined) return { url: `http://${url.replace(/^\/+/, '')}` };
  if (name !== 'http' && name !== 'https') return { url: '', dropped: `${name}:` };
  try {
    new URL(url);
  } catch {
    return { url: '', dropped: 'malformed' };
  }
  return { url };
}

function datasetsOf(cell: Cell | undefined, vocabulary: Vocabulary, link: (href: string) => string): Dataset[] {
  if (!cell) return [];
  const out: Dataset[] = [];
  for (const l of cell.links) if (l.text) out.push({ name: l.text, url: link(l.href) });
  const plain = cell.links.length > 0 ? `${cell.before},${cell.after}` : cell.text;
  for (const part of plain.split(/\s*[,，、;；]\s*/)) {
    const name = part.trim().replace(/^(and|&|和)\s+/i, '');
    if (!name || vocabulary.isEmptyCell(name) || /^(others?|etc\.?|等)$/i.test(name)) continue;
    if (!out.some((d) => d.name === name)) out.push({ name, url: '' });
  }
  return out;
}
