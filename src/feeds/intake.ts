import type { Paper } from '../catalog/paper.js';
import { slugify, titleKey } from '../catalog/tokens.js';
import type { Db } from '../store/db.js';
import type { CandidatePaper } from './parse.js';

/**
 * Where feed items become catalog papers: one record per work, whichever feed (or version) brought
 * it, merged by DOI, arXiv id, PubMed id, then normalised title. Each record keeps when it entered
 * the catalog; the digest asks for the papers that entered in a window.
 */

export type Taken = { id: string; added: boolean };
export type Entered = { paper: Paper; enteredAt: string };

type Row = { id: string; doi: string | null; arxiv_id: string | null; pmid: string | null; data: string; entered_at: string };

export class PaperIntake {
  private readonly bundledByTitle = new Map<string, string>();
  private readonly bundledIds = new Set<string>();

  /** `bundled`: the papers the catalog had before any feed (the list); a feed item of one is no news. */
  constructor(
    private readonly db: Db,
    bundled: readonly Paper[] = [],
  ) {
    for (const p of bundled) {
      this.bundledByTitle.set(titleKey(p.title), p.id);
      this.bundledIds.add(p.id);
    }
  }

  /** Adds the candidate as a new paper, or merges it into the record of the same work. */
  take(c: CandidatePaper, now: string): Taken {
    const key = titleKey(c.title);
    const bundled = this.bundledByTitle.get(key);
    if (bundled) return { id: bundled, added: false };
    const existing = this.find(c, key);
    if (existing) {
      this.merge(existing, c, now);
      return { id: existing.id, added: false };
    }
    const id = this.freeId(slugify(c.title, c.year));
    const paper = toPaper(id, c);
    this.db
      .prepare('INSERT INTO feed_papers (id, doi, arxiv_id, pmid, title_key, data, entered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, c.doi, c.arxivId, c.pmid, key, JSON.stringify(paper), now, now);
    return { id, added: true };
  }

  /** Papers that entered the catalog in (from, to], oldest first. */
  enteredBetween(from: string, to: string): Entered[] {
    const rows = this.db.prepare('SELECT data, entered_at FROM feed_papers WHERE entered_at > ? AND entered_at <= ? ORDER BY entered_at, id').all(from, to) as {
      data: string;
      entered_at: string;
    }[];
    return rows.map((r) => ({ paper: JSON.parse(r.data) as Paper, enteredAt: r.entered_at }));
  }

  get(id: string): Paper | null {
    const data = this.db.prepare('SELECT data FROM feed_papers WHERE id = ?').pluck().get(id) as string | undefined;
    return data === undefined ? null : (JSON.parse(data) as Paper);
  }

  all(): Paper[] {
    return (this.db.prepare('SELECT data FROM feed_papers ORDER BY entered_at, id').pluck().all() as string[]).map((d) => JSON.parse(d) as Paper);
  }

  private find(c: CandidatePaper, key: string): Row | undefined {
    const by = (column: string, value: string | null) =>
      value === null ? undefined : (this.db.prepare(`SELECT id, doi, arxiv_id, pmid, data, entered_at FROM feed_papers WHERE ${column} = ?`).get(value) as Row | undefined);
    return by('doi', c.doi) ?? by('arxiv_id', c.arxivId) ?? by('pmid', c.pmid) ?? by('title_key', key || null);
  }

  /** Fills what the record lacks; a new version's title replaces the old one. */
  private merge(row: Row, c: CandidatePaper, now: string): void {
    const paper = JSON.parse(row.data) as Paper;
    const newerVersion = c.arxivId !== null && c.arxivId === row.arxiv_id;
    if (newerVersion && c.title) paper.title = c.title;
    if (!paper.url && c.url) paper.url = c.url;
    if (paper.authors.length === 0) paper.authors = c.authors;
    if (!paper.year) paper.year = c.year;
    if ((!paper.venue || paper.venue === 'arXiv') && c.venue && c.venue !== 'arXiv') paper.venue = c.venue;
    // Another identifier may already belong to another record: then this one keeps what it has.
    const free = (column: string, value: string | null, current: string | null) =>
      current ?? (value !== null && !this.db.prepare(`SELECT 1 FROM feed_papers WHERE ${column} = ?`).get(value) ? value : null);
    this.db
      .prepare('UPDATE feed_papers SET doi = ?, arxiv_id = ?, pmid = ?, title_key = ?, data = ?, updated_at = ? WHERE id = ?')
      .run(free('doi', c.doi, row.doi), free('arxiv_id', c.arxivId, row.arxiv_id), free('pmid', c.pmid, row.pmid), titleKey(paper.title), JSON.stringify(paper), now, row.id);
  }

  private freeId(base: string): string {
    const taken = (id: string) => this.db.prepare('SELECT 1 FROM feed_papers WHERE id = ?').get(id) !== undefined || this.bundledIds.has(id);
    if (!taken(base)) return base;
    for (let n = 2; ; n++) if (!taken(`${base}-${n}`)) return `${base}-${n}`;
  }
}

function toPaper(id: string, c: CandidatePaper): Paper {
  return {
    id,
    title: c.title,
    url: c.url,
    year: c.year,
    venue: c.venue,
    techniques: [],
    modalities: [],
    regions: [],
    tasks: [],
    datasets: [],
    authors: c.authors,
    sources: ['feeds'],
  };
}
