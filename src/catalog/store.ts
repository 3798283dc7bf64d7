import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { SqliteSql } from '../store/sql/sqlite.js';
import type { SqlDatabase, SqlQueries, SqlTransaction } from '../store/sql/types.js';
import { WalCheckpoints } from './checkpoints.js';
import { matchKeys, mergeRecords, type MatchKeys } from './merge.js';
import type { Paper } from './paper.js';
import { withInferredTags } from './tags.js';
import type { Vocabulary } from './vocabulary.js';

/** A record searches and listings show: not removed, and (for a bundled one) still on the list. */
/**
 * What the catalog is current to, as subqueries: the last `seq` (a lone max() is read from its index)
 * and the fingerprint of the bundled list it was seeded from.
 */
export const LAST_SEQ = '(SELECT coalesce(max(seq), 0) FROM catalog_papers)';
export const BUNDLED_FINGERPRINT = "(SELECT value FROM meta WHERE key = 'catalog.bundled')";

const SHOWN = "hidden = 0 AND (origin <> 'bundled' OR listed = 1)";

/**
 * The advisory lock every catalog write takes (PostgreSQL; on SQLite the write transaction already
 * excludes every other writer). Why one lock for the whole catalog rather than row locks:
 * - `seq` is `max(seq) + 1`, read and written under the lock, so writes take their seq and commit in
 *   seq order (PostgreSQL makes a commit visible before it releases the transaction's locks). A
 *   replica that has read everything up to seq N can therefore never later meet a commit of seq ≤ N,
 *   which is what LiveCatalog.sync relies on: "what changed since N" is `seq > N`. A sequence would
 *   hand out numbers in one order and commit them in another, and a reader could skip one.
 * - one paper, one record: the record a work already has is found and the new one inserted under the
 *   lock, so two replicas adding the same work at once end with one record (the second finds the
 *   first's). There is no row to lock before the insert, and the match is by five keys.
 * Catalog writes are short (milliseconds; an import commits every 500 records) and rare beside
 * searches, which never take it.
 */
export const CATALOG_LOCK = 'paperbot:catalog';

/**
 * The PostgreSQL channel a catalog write notifies in its transaction (delivered at commit), so other
 * replicas' LiveCatalogs catch up at once rather than at their next command (see catalog/changes.ts).
 */
export const CATALOG_CHANNEL = 'paperbot_catalog';

/** Rows per INSERT when seeding: 15 parameters each, well under PostgreSQL's 65,535. */
const SEED_ROWS_PER_INSERT = 200;

type Row = { id: string; record: string; hidden: number; listed: number; origin: string; seq: number };

export type AddOutcome = { paper: Paper; merged: boolean; changed: string[] };

/** What the catalog's content is current to: see CatalogStore.version. */
export type CatalogVersion = { seq: number; bundled: string };

/** What changed since a `seq`, for a running process to bring its index up to date. */
export type CatalogChanges = { seq: number; upserts: Paper[]; removed: string[] };

/**
 * The catalog's records on the store interface (SQLite, or PostgreSQL shared by every replica): the
 * bundled list seeds it, people and imports add to it, and every write goes through one transaction
 * under the catalog lock that finds the record the work already has (one paper, one record) before
 * inserting, so two processes adding the same paper at once end with one record.
 */
export class CatalogStore {
  private readonly checkpoints: WalCheckpoints | null;

  constructor(
    private readonly sql: SqlDatabase,
    private readonly vocabulary: Vocabulary,
    private readonly clock: Clock,
  ) {
    // SQLite's log is checkpointed off the write path (checkpoints.ts), on the connection that writes.
    this.checkpoints = sql instanceof SqliteSql ? new WalCheckpoints(sql.handle) : null;
  }

  /**
   * Brings the bundled list into the table. New papers are inserted; when the list changed since the
   * last seed, bundled records take the list's fields again while keeping what enrichment and people
   * added. A paper dropped from the list stays stored but is no longer shown. Replicas starting
   * together seed once: the second finds the fingerprint under the lock.
   */
  async seed(bundled: Paper[]): Promise<{ inserted: number; updated: number }> {
    const fingerprint = createHash('sha256').update(JSON.stringify(bundled)).digest('hex').slice(0, 32);
    if ((await bundledFingerprint(this.sql)) === fingerprint) return { inserted: 0, updated: 0 };
    return this.writing(async (w) => {
      if ((await bundledFingerprint(w.tx)) === fingerprint) return { inserted: 0, updated: 0 };
      const held = new Map(
        (await w.tx.all<{ id: string; origin: string; listed: number; record: string | null }>(
          "SELECT id, origin, listed, CASE WHEN origin = 'bundled' THEN record END AS record FROM catalog_papers",
        )).map((r) => [r.id, r]),
      );
      const onList = new Set(bundled.map((p) => p.id));
      // Listed or not changes what is shown: with a new seq, so running replicas take it in.
      for (const [id, row] of held) if (row.origin === 'bundled' && row.listed === 1 && !onList.has(id)) await w.setListed(id, 0);
      const fresh: Paper[] = [];
      let updated = 0;
      for (const paper of bundled) {
        const row = held.get(paper.id);
        const base: Paper = { ...paper, origin: 'bundled' };
        if (!row) {
          fresh.push(base);
          continue;
        }
        if (row.origin !== 'bundled') continue;
        const kept = JSON.parse(row.record ?? '{}') as Paper;
        const refreshed = withInferredTags(
          {
            ...kept,
            ...base,
            authors: base.authors.length ? base.authors : kept.authors,
            url: base.url || kept.url,
            sources: [...new Set([...base.sources, ...kept.sources])],
            personTags: kept.personTags,
            inferred: kept.inferred,
          },
          this.vocabulary,
          false,
        );
        if (JSON.stringify(refreshed) !== row.record) {
          await w.write(refreshed, { listed: 1 });
          updated++;
        } else if (row.listed !== 1) await w.setListed(paper.id, 1);
      }
      for (let i = 0; i < fresh.length; i += SEED_ROWS_PER_INSERT) await w.insertMany(fresh.slice(i, i + SEED_ROWS_PER_INSERT), 'bundled', null);
      await w.tx.run("INSERT INTO meta (key, value) VALUES ('catalog.bundled', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [fingerprint]);
      return { inserted: fresh.length, updated };
    });
  }

  /**
   * Runs catalog writes in one transaction under the catalog lock: one commit instead of one per
   * paper (an import), and on PostgreSQL one notification to the other replicas at commit.
   */
  async writing<T>(fn: (writer: CatalogWriter) => Promise<T>): Promise<T> {
    let wrote = 0;
    const result = await this.sql.transaction(async (tx) => {
      await tx.lock(CATALOG_LOCK);
      // Two subqueries, not two aggregates of one query: SQLite reads a lone max() from its index, but
      // two in one SELECT scan the table (60 ms at 100,000 papers).
      const top = await tx.one<{ seq: number; ord: number }>(
        `SELECT ${LAST_SEQ} AS seq, (SELECT coalesce(max(ord), 0) FROM catalog_papers) AS ord`,
      );
      const writer = new CatalogWriter(tx, this.vocabulary, this.clock, (top?.seq ?? 0) + 1, top?.ord ?? 0);
      const out = await fn(writer);
      wrote = writer.writes;
      if (wrote > 0 && this.sql.dialect.name === 'postgres') await tx.one('SELECT pg_notify(?, ?) AS sent', [CATALOG_CHANNEL, String(writer.seq)]);
      return out;
    });
    for (let i = 0; i < wrote; i++) this.checkpoints?.wrote();
    return result;
  }

  /** False once the database is closed (a one-shot CLI command keeps its records in memory). */
  get open(): boolean {
    return !this.sql.closed;
  }

  /** Every shown record, in insertion order. */
  async all(): Promise<Paper[]> {
    return (await this.allAt()).papers;
  }

  /**
   * Every shown record and the version they are current to, read in one statement (one snapshot on
   * both engines): a write that commits meanwhile is either in both or in neither, so
   * `changesSince(version.seq)` brings what follows.
   */
  async allAt(): Promise<{ version: CatalogVersion; papers: Paper[] }> {
    const rows = await this.sql.all<{ record: string | null; top: number | null; bundled: string | null; ord: number | null }>(
      `SELECT record, NULL AS top, NULL AS bundled, ord FROM catalog_papers WHERE ${SHOWN}
       UNION ALL
       SELECT NULL, ${LAST_SEQ}, ${BUNDLED_FINGERPRINT}, NULL
       ORDER BY ord`,
    );
    const papers: Paper[] = [];
    let version: CatalogVersion = { seq: 0, bundled: '' };
    for (const row of rows) {
      if (row.record === null) version = { seq: Number(row.top ?? 0), bundled: row.bundled ?? '' };
      else papers.push(JSON.parse(row.record) as Paper);
    }
    return { version, papers };
  }

  async lastSeq(): Promise<number> {
    return lastSeq(this.sql);
  }

  /**
   * What the catalog's content is current to, for a cache of anything built from it: the last
   * `seq` (every record write takes a new one) and the bundled list's fingerprint.
   */
  async version(): Promise<CatalogVersion> {
    const row = await this.sql.one<{ seq: number; bundled: string | null }>(
      `SELECT ${LAST_SEQ} AS seq, ${BUNDLED_FINGERPRINT} AS bundled`,
    );
    return { seq: Number(row?.seq ?? 0), bundled: row?.bundled ?? '' };
  }

  /** Records written after `seq`: shown ones to upsert, hidden or unlisted ones to remove. */
  async changesSince(seq: number): Promise<CatalogChanges> {
    return changesOf(await this.sql.all<Row>('SELECT id, record, hidden, listed, origin, seq FROM catalog_papers WHERE seq > ? ORDER BY seq, ord', [seq]), seq);
  }

  /** `changesSince(seq)` and how many records are shown after them, read in one statement. */
  async changesAndCount(seq: number): Promise<CatalogChanges & { shown: number }> {
    const rows = await this.sql.all<Row & { shown: number | null }>(
      `SELECT id, record, hidden, listed, origin, seq, ord, NULL AS shown FROM catalog_papers WHERE seq > ?
       UNION ALL
       SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, CAST(COUNT(*) AS INTEGER) FROM catalog_papers WHERE ${SHOWN}
       ORDER BY seq, ord`,
      [seq],
    );
    const count = rows.find((r) => r.id === null);
    return { ...changesOf(rows.filter((r) => r.id !== null), seq), shown: Number(count?.shown ?? 0) };
  }

  /** The record (shown or hidden) that holds `doi`, if any. */
  async idWithDoi(doi: string): Promise<string | null> {
    return (await this.sql.one<{ id: string }>('SELECT id FROM catalog_papers WHERE doi = ? LIMIT 1', [doi]))?.id ?? null;
  }

  /** A shown record by id. */
  /**
   * Changes a shown record from its stored state, read and written under the catalog's lock: two
   * replicas tagging or enriching one paper at once each build on the other's write instead of
   * overwriting it. `change` returns the new record, or null to leave it. Null when the record is
   * gone or hidden (removed meanwhile: nothing is written).
   */
  async change(id: string, change: (current: Paper) => Paper | null): Promise<Paper | null> {
    return this.writing(async (w) => {
      const row = await w.tx.one<{ record: string }>(`SELECT record FROM catalog_papers WHERE id = ? AND ${SHOWN}`, [id]);
      const next = row ? change(JSON.parse(row.record) as Paper) : null;
      if (next) await w.write(next);
      return next;
    });
  }

  async get(id: string): Promise<Paper | null> {
    const row = await this.sql.one<{ record: string }>(`SELECT record FROM catalog_papers WHERE id = ? AND ${SHOWN}`, [id]);
    return row ? (JSON.parse(row.record) as Paper) : null;
  }

  /**
   * Adds a record, or merges it into the record of the same work (found by arXiv id, DOI, PubMed/PMC
   * id, or title + first author + year). `sameAs` are further DOIs the source gave for the work.
   * Inferred tags are recomputed; a person's tags stay. A hidden record that is added again is shown again.
   */
  add(incoming: Paper, origin: 'added' | 'imported', addedBy: string | null, sameAs: string[] = []): Promise<AddOutcome> {
    return this.writing((w) => w.add(incoming, origin, addedBy, sameAs));
  }

  /** Replaces a record's content (tags, enrichment); the id stays. */
  update(paper: Paper): Promise<void> {
    return this.writing((w) => w.write(paper));
  }

  /** Hides a record from every listing and search; the row (and a bundled paper's source) stays. */
  hide(id: string): Promise<boolean> {
    return this.writing((w) => w.hide(id));
  }
}

/**
 * The catalog's writes inside one transaction that holds the catalog lock: every write of the
 * transaction takes its `seq` (all commit together), and each new record the next `ord`.
 */
export class CatalogWriter {
  writes = 0;

  constructor(
    readonly tx: SqlTransaction,
    private readonly vocabulary: Vocabulary,
    private readonly clock: Clock,
    readonly seq: number,
    private ord: number,
  ) {}

  /**
   * `carriedAt`: for a paper carried over from another machine's file, when it entered the catalog
   * there (now otherwise). A carried paper never shows again a record removed here: the removal is a
   * person's later decision, the file's copy only older state.
   */
  async add(incoming: Paper, origin: 'added' | 'imported', addedBy: string | null, sameAs: string[] = [], carriedAt?: string): Promise<AddOutcome> {
    const match = await this.findMatch(matchKeys(incoming, sameAs));
    if (match) {
      const held = JSON.parse(match.record) as Paper;
      const { paper: merged, changed } = mergeRecords(held, incoming);
      const tagged = withInferredTags(merged, this.vocabulary, held.origin !== 'bundled');
      const unhide = match.hidden && carriedAt === undefined;
      if (changed.length || unhide) await this.write(tagged, unhide ? { hidden: 0 } : {});
      return { paper: tagged, merged: true, changed };
    }
    const paper = withInferredTags({ ...incoming, id: await this.freeId(incoming.id), origin }, this.vocabulary);
    await this.insertMany([paper], origin, addedBy, carriedAt);
    return { paper, merged: false, changed: [] };
  }

  async hide(id: string): Promise<boolean> {
    const changed = await this.tx.run('UPDATE catalog_papers SET hidden = 1, seq = ?, updated_at = ? WHERE id = ? AND hidden = 0', [this.seq, this.now(), id]);
    this.writes += changed;
    return changed > 0;
  }

  async setListed(id: string, listed: 0 | 1): Promise<void> {
    this.writes += await this.tx.run('UPDATE catalog_papers SET listed = ?, seq = ?, updated_at = ? WHERE id = ?', [listed, this.seq, this.now(), id]);
  }

  async insertMany(papers: Paper[], origin: string, addedBy: string | null, addedAt?: string): Promise<void> {
    if (papers.length === 0) return;
    const now = this.now();
    const params = papers.flatMap((paper) => {
      const k = matchKeys(paper);
      return [paper.id, JSON.stringify(paper), origin, k.dois[0] ?? null, k.arxivId ?? null, k.pmid ?? null, k.pmcid ?? null, k.titleKey, k.authorKey, paper.year, this.seq, ++this.ord, addedBy, addedAt ?? now, now];
    });
    await this.tx.run(
      `INSERT INTO catalog_papers (id, record, origin, doi, arxiv_id, pmid, pmcid, title_key, author_key, year, seq, ord, added_by, added_at, updated_at)
       VALUES ${papers.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      params,
    );
    this.writes += papers.length;
  }

  /** The record's content and keys; `flags` sets `hidden` or `listed` in the same statement. */
  async write(paper: Paper, flags: { hidden?: 0; listed?: 1 } = {}): Promise<void> {
    const k = matchKeys(paper);
    this.writes += await this.tx.run(
      `UPDATE catalog_papers SET record = ?, doi = ?, arxiv_id = ?, pmid = ?, pmcid = ?, title_key = ?, author_key = ?, year = ?, seq = ?, updated_at = ?
       ${flags.hidden === 0 ? ', hidden = 0' : ''}${flags.listed === 1 ? ', listed = 1' : ''} WHERE id = ?`,
      [JSON.stringify(paper), k.dois[0] ?? null, k.arxivId ?? null, k.pmid ?? null, k.pmcid ?? null, k.titleKey, k.authorKey, paper.year, this.seq, this.now(), paper.id],
    );
  }

  private async findMatch(keys: MatchKeys): Promise<Row | undefined> {
    const by = async (column: string, value: string | undefined) =>
      value ? ((await this.tx.one<Row>(`SELECT id, record, hidden, listed, origin, seq FROM catalog_papers WHERE ${column} = ? ORDER BY hidden LIMIT 1`, [value])) ?? undefined) : undefined;
    let row = await by('arxiv_id', keys.arxivId);
    for (const doi of keys.dois) row ??= await by('doi', doi);
    row ??= (await by('pmid', keys.pmid)) ?? (await by('pmcid', keys.pmcid));
    if (row || !keys.titleKey) return row;
    // The same title: the same work when the first author and year agree, or when one side lacks them
    // (22 bundled papers have no authors).
    const candidates = await this.tx.all<Row & { authorKey: string; year: number | null }>(
      'SELECT id, record, hidden, listed, origin, seq, author_key AS "authorKey", year FROM catalog_papers WHERE title_key = ? ORDER BY hidden',
      [keys.titleKey],
    );
    return candidates.find(
      (c) =>
        (!c.authorKey || !keys.authorKey || c.authorKey === keys.authorKey) &&
        (c.year === null || keys.year === null || Math.abs(c.year - keys.year) <= 1),
    );
  }

  private async freeId(wanted: string): Promise<string> {
    const taken = async (id: string) => (await this.tx.one('SELECT 1 AS x FROM catalog_papers WHERE id = ?', [id])) !== null;
    if (!(await taken(wanted))) return wanted;
    for (let i = 2; ; i++) if (!(await taken(`${wanted}-${i}`))) return `${wanted}-${i}`;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

async function bundledFingerprint(q: SqlQueries): Promise<string | null> {
  return (await q.one<{ value: string | null }>(`SELECT ${BUNDLED_FINGERPRINT} AS value`))?.value ?? null;
}

/** The catalog's last seq: what LiveCatalog.sync asks before each command, one indexed read. */
async function lastSeq(q: SqlQueries): Promise<number> {
  return Number((await q.one<{ seq: number }>(`SELECT ${LAST_SEQ} AS seq`))?.seq ?? 0);
}

function changesOf(rows: Row[], since: number): CatalogChanges {
  const upserts: Paper[] = [];
  const removed: string[] = [];
  let last = since;
  for (const row of rows) {
    last = Math.max(last, row.seq);
    if (row.hidden || (row.origin === 'bundled' && !row.listed)) removed.push(row.id);
    else upserts.push(JSON.parse(row.record) as Paper);
  }
  return { seq: last, upserts, removed };
}
