import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Db } from '../store/db.js';
import { WalCheckpoints } from './checkpoints.js';
import { matchKeys, mergeRecords, type MatchKeys } from './merge.js';
import type { Paper } from './paper.js';
import { withInferredTags } from './tags.js';
import type { Vocabulary } from './vocabulary.js';

/** A record searches and listings show: not removed, and (for a bundled one) still on the list. */
const SHOWN = "hidden = 0 AND (origin != 'bundled' OR listed = 1)";

type Row = { id: string; record: string; hidden: number; listed: number; origin: string; seq: number };

export type AddOutcome = { paper: Paper; merged: boolean; changed: string[] };

/** What the catalog's content is current to: see CatalogStore.version. */
export type CatalogVersion = { seq: number; bundled: string };

/** What changed since a `seq`, for a running process to bring its index up to date. */
export type CatalogChanges = { seq: number; upserts: Paper[]; removed: string[] };

/**
 * The catalog's records in SQLite: the bundled list seeds it, people and imports add to it, and every
 * write goes through one IMMEDIATE transaction that finds the record the work already has (one paper,
 * one record) before inserting, so two processes adding the same paper at once end with one record.
 */
export class CatalogStore {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly checkpoints: WalCheckpoints;

  constructor(
    private readonly db: Db,
    private readonly vocabulary: Vocabulary,
    private readonly clock: Clock,
  ) {
    this.checkpoints = new WalCheckpoints(db);
  }

  /**
   * Brings the bundled list into the table. New papers are inserted; when the list changed since the
   * last seed, bundled records take the list's fields again while keeping what enrichment and people
   * added. A paper dropped from the list stays stored but is no longer shown.
   */
  seed(bundled: Paper[]): { inserted: number; updated: number } {
    const fingerprint = createHash('sha256').update(JSON.stringify(bundled)).digest('hex').slice(0, 32);
    const known = this.stmt("SELECT value FROM meta WHERE key = 'catalog.bundled'").pluck().get() as string | undefined;
    if (known === fingerprint) return { inserted: 0, updated: 0 };
    let inserted = 0;
    let updated = 0;
    this.db
      .transaction(() => {
        const seq = this.nextSeq();
        const existing = this.stmt('SELECT id, record, hidden, listed, origin, seq FROM catalog_papers WHERE id = ?');
        this.stmt("UPDATE catalog_papers SET listed = 0 WHERE origin = 'bundled'").run();
        const relist = this.stmt('UPDATE catalog_papers SET listed = 1 WHERE id = ?');
        for (const paper of bundled) {
          const row = existing.get(paper.id) as Row | undefined;
          const base: Paper = { ...paper, origin: 'bundled' };
          if (!row) {
            this.insert(base, 'bundled', seq, null);
            inserted++;
            continue;
          }
          relist.run(paper.id);
          if (row.origin !== 'bundled') continue;
          const held = JSON.parse(row.record) as Paper;
          const refreshed = withInferredTags(
            {
              ...held,
              ...base,
              authors: base.authors.length ? base.authors : held.authors,
              url: base.url || held.url,
              sources: [...new Set([...base.sources, ...held.sources])],
              personTags: held.personTags,
              inferred: held.inferred,
            },
            this.vocabulary,
            false,
          );
          if (JSON.stringify(refreshed) !== row.record) {
            this.write(refreshed, seq);
            updated++;
          }
        }
        this.stmt("INSERT INTO meta (key, value) VALUES ('catalog.bundled', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(fingerprint);
      })
      .immediate();
    return { inserted, updated };
  }

  /** A prepared statement, compiled once: adds run by the thousand during an import. */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs many writes (an import) in one transaction: one commit instead of one per paper. */
  batch<T>(run: () => T): T {
    return this.db.transaction(run).immediate();
  }

  /** False once the database is closed (a one-shot CLI command keeps its records in memory). */
  get open(): boolean {
    return this.db.open;
  }

  /** Every shown record, in insertion order. */
  all(): Paper[] {
    const rows = this.stmt(`SELECT record FROM catalog_papers WHERE ${SHOWN} ORDER BY rowid`).pluck().all() as string[];
    return rows.map((r) => JSON.parse(r) as Paper);
  }

  /**
   * Every shown record and the `seq` they are current to, read in one transaction: a write that
   * commits meanwhile is either in both or in neither, so `changesSince(seq)` brings what follows.
   */
  allAt(): { version: CatalogVersion; papers: Paper[] } {
    return this.db.transaction(() => ({ version: this.version(), papers: this.all() }))();
  }

  lastSeq(): number {
    return (this.stmt('SELECT coalesce(max(seq), 0) FROM catalog_papers').pluck().get() as number) ?? 0;
  }

  /** How many records are shown (what a search over the catalog must hold). */
  shownCount(): number {
    return this.stmt(`SELECT count(*) FROM catalog_papers WHERE ${SHOWN}`).pluck().get() as number;
  }

  /**
   * What the catalog's content is current to, for a cache of anything built from it: the last
   * `seq` (every record write takes a new one) and the bundled list's fingerprint (seeding a new
   * list shows and hides bundled records without one).
   */
  version(): CatalogVersion {
    const bundled = this.stmt("SELECT value FROM meta WHERE key = 'catalog.bundled'").pluck().get() as string | undefined;
    return { seq: this.lastSeq(), bundled: bundled ?? '' };
  }

  /** Records written after `seq`: shown ones to upsert, hidden or unlisted ones to remove. */
  changesSince(seq: number): CatalogChanges {
    const rows = this.stmt('SELECT id, record, hidden, listed, origin, seq FROM catalog_papers WHERE seq > ? ORDER BY seq').all(seq) as Row[];
    const upserts: Paper[] = [];
    const removed: string[] = [];
    let last = seq;
    for (const row of rows) {
      last = Math.max(last, row.seq);
      if (row.hidden || (row.origin === 'bundled' && !row.listed)) removed.push(row.id);
      else upserts.push(JSON.parse(row.record) as Paper);
    }
    return { seq: last, upserts, removed };
  }

  /** The record (shown or hidden) that holds `doi`, if any. */
  idWithDoi(doi: string): string | null {
    return (this.stmt('SELECT id FROM catalog_papers WHERE doi = ? LIMIT 1').pluck().get(doi) as string | undefined) ?? null;
  }

  /** `changesSince(seq)` and how many records are shown after them, read in one transaction. */
  changesAndCount(seq: number): CatalogChanges & { shown: number } {
    return this.db.transaction(() => ({ ...this.changesSince(seq), shown: this.shownCount() }))();
  }

  /** A shown record by id. */
  get(id: string): Paper | null {
    const row = this.stmt("SELECT record FROM catalog_papers WHERE id = ? AND hidden = 0 AND (origin != 'bundled' OR listed = 1)").pluck().get(id) as string | undefined;
    return row ? (JSON.parse(row) as Paper) : null;
  }

  /**
   * Adds a record, or merges it into the record of the same work (found by arXiv id, DOI, PubMed/PMC
   * id, or title + first author + year). `sameAs` are further DOIs the source gave for the work.
   * Inferred tags are recomputed; a person's tags stay. A hidden record that is added again is shown again.
   */
  add(incoming: Paper, origin: 'added' | 'imported', addedBy: string | null, sameAs: string[] = []): AddOutcome {
    const outcome = this.db
      .transaction((): AddOutcome => {
        const seq = this.nextSeq();
        const match = this.findMatch(matchKeys(incoming, sameAs));
        if (match) {
          const held = JSON.parse(match.record) as Paper;
          const { paper: merged, changed } = mergeRecords(held, incoming);
          const tagged = withInferredTags(merged, this.vocabulary, held.origin !== 'bundled');
          if (changed.length || match.hidden) {
            this.write(tagged, seq);
            if (match.hidden) this.stmt('UPDATE catalog_papers SET hidden = 0 WHERE id = ?').run(match.id);
          }
          return { paper: tagged, merged: true, changed };
        }
        const paper = withInferredTags({ ...incoming, id: this.freeId(incoming.id), origin }, this.vocabulary);
        this.insert(paper, origin, seq, addedBy);
        return { paper, merged: false, changed: [] };
      })
      .immediate();
    this.checkpoints.wrote();
    return outcome;
  }

  /** Replaces a record's content (tags, enrichment); the id stays. */
  update(paper: Paper): void {
    this.db.transaction(() => this.write(paper, this.nextSeq())).immediate();
    this.checkpoints.wrote();
  }

  /** Hides a record from every listing and search; the row (and a bundled paper's source) stays. */
  hide(id: string): boolean {
    return this.db
      .transaction(() => this.stmt('UPDATE catalog_papers SET hidden = 1, seq = ?, updated_at = ? WHERE id = ? AND hidden = 0').run(this.nextSeq(), this.now(), id).changes > 0)
      .immediate();
  }

  private findMatch(keys: MatchKeys): Row | undefined {
    const by = (column: string, value: string | undefined) =>
      value ? (this.stmt(`SELECT id, record, hidden, listed, origin, seq FROM catalog_papers WHERE ${column} = ? ORDER BY hidden LIMIT 1`).get(value) as Row | undefined) : undefined;
    let row = by('arxiv_id', keys.arxivId) ?? keys.dois.map((d) => by('doi', d)).find(Boolean) ?? by('pmid', keys.pmid) ?? by('pmcid', keys.pmcid);
    if (row || !keys.titleKey) return row;
    // The same title: the same work when the first author and year agree, or when one side lacks them
    // (22 bundled papers have no authors).
    const candidates = this.stmt('SELECT id, record, hidden, listed, origin, seq, author_key AS authorKey, year FROM catalog_papers WHERE title_key = ? ORDER BY hidden')
      .all(keys.titleKey) as (Row & { authorKey: string; year: number | null })[];
    row = candidates.find(
      (c) =>
        (!c.authorKey || !keys.authorKey || c.authorKey === keys.authorKey) &&
        (c.year === null || keys.year === null || Math.abs(c.year - keys.year) <= 1),
    );
    return row;
  }

  private freeId(wanted: string): string {
    const taken = this.stmt('SELECT 1 FROM catalog_papers WHERE id = ?').pluck();
    if (!taken.get(wanted)) return wanted;
    for (let i = 2; ; i++) if (!taken.get(`${wanted}-${i}`)) return `${wanted}-${i}`;
  }

  private nextSeq(): number {
    return this.lastSeq() + 1;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private insert(paper: Paper, origin: string, seq: number, addedBy: string | null): void {
    const k = matchKeys(paper);
    this.stmt(
        `INSERT INTO catalog_papers (id, record, origin, doi, arxiv_id, pmid, pmcid, title_key, author_key, year, seq, added_by, added_at, updated_at)
         VALUES (@id, @record, @origin, @doi, @arxiv, @pmid, @pmcid, @titleKey, @authorKey, @year, @seq, @addedBy, @now, @now)`,
      )
      .run({
        id: paper.id, record: JSON.stringify(paper), origin, doi: k.dois[0] ?? null, arxiv: k.arxivId ?? null, pmid: k.pmid ?? null,
        pmcid: k.pmcid ?? null, titleKey: k.titleKey, authorKey: k.authorKey, year: paper.year, seq, addedBy, now: this.now(),
      });
  }

  private write(paper: Paper, seq: number): void {
    const k = matchKeys(paper);
    this.stmt(
        `UPDATE catalog_papers SET record = @record, doi = @doi, arxiv_id = @arxiv, pmid = @pmid, pmcid = @pmcid, title_key = @titleKey,
         author_key = @authorKey, year = @year, seq = @seq, updated_at = @now WHERE id = @id`,
      )
      .run({
        id: paper.id, record: JSON.stringify(paper), doi: k.dois[0] ?? null, arxiv: k.arxivId ?? null, pmid: k.pmid ?? null,
        pmcid: k.pmcid ?? null, titleKey: k.titleKey, authorKey: k.authorKey, year: paper.year, seq, now: this.now(),
      });
  }
}
