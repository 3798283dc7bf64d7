import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { settledWithin } from '../within.js';
import { HttpClient, paperbotUserAgent } from '../net/index.js';
import type { LiveCatalog } from './live.js';
import { mergeRecords, paperFromWork } from './merge.js';
import type { Paper } from './paper.js';
import { formatIdentifier, parseIdentifier, type PaperIdentifier } from './sources/identifiers.js';
import { PaperResolver, ResolveError, type SourceSettings } from './sources/resolve.js';
import type { ResolvedWork } from './sources/work.js';
import type { AddOutcome, CatalogStore } from './store.js';
import { correctTags, type Tag } from './tags.js';
import type { Vocabulary } from './vocabulary.js';

type EnrichChange = { id: string; identifier: string; changed: string[] };
/** `duplicates`: records whose title match is a work another record already holds (left for a person to merge). */
export type EnrichReport = { changes: EnrichChange[]; unchanged: number; noIdentifier: string[]; duplicates: { id: string; of: string }[]; failures: AddFailure[] };

export type AddFailure = { identifier: string; error: ResolveError };
export type AddReport = { outcomes: (AddOutcome & { identifier: string })[]; failures: AddFailure[] };

/** Most identifiers one `/paper add` takes. */
export const MAX_ADD = 10;

/** Papers per transaction of an import. */
const IMPORT_BATCH = 500;

/**
 * How long a command waits for the catalog to catch up before it answers from the index as it is.
 * The catch-up is one indexed query when nothing changed; this bound only matters when the database
 * is slow or hung, and then a slightly stale index beats a command that hangs (Slack wants its
 * answer in 3 s, Discord's deferral in 3 s too).
 */
const CATCH_UP_MS = 500;

/**
 * The catalog's operations for commands and the CLI: add by identifier (resolve, then one
 * transaction), add a work already read from a file, hide, correct tags. Every write reaches the
 * live index at once; other processes see it through the store's change counter.
 */
export class CatalogService {
  private resolverInstance: PaperResolver | null = null;
  /** Whether the last catch-up failed or timed out: said once, not at every command while it lasts. */
  private behind = false;

  constructor(
    readonly store: CatalogStore,
    readonly live: LiveCatalog,
    readonly vocabulary: Vocabulary,
    private readonly sources: SourceSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly http?: HttpClient,
  ) {}

  /** Built on first use, so a bot that never adds papers never configures the sources. */
  get resolver(): PaperResolver {
    this.resolverInstance ??= new PaperResolver(
      this.sources,
      this.http ?? new HttpClient({ userAgent: paperbotUserAgent(this.sources.contactEmail), logger: this.log }),
    );
    return this.resolverInstance;
  }

  /**
   * Resolves each identifier (concurrently; each source's pacing holds them back as needed) and adds
   * what resolved. Nothing is written for an identifier that failed.
   */
  async addIdentifiers(identifiers: string[], addedBy: string | null): Promise<AddReport> {
    const settled = await Promise.all(
      identifiers.map(async (identifier) => {
        const id = parseIdentifier(identifier);
        if (!id) return { identifier, error: new ResolveError('not-found', identifier, 'not an arXiv id, DOI, PubMed id or PMC id') };
        try {
          return { identifier: formatIdentifier(id), work: await this.resolver.resolve(id) };
        } catch (error) {
          if (error instanceof ResolveError) return { identifier: formatIdentifier(id), error };
          throw error;
        }
      }),
    );
    const report: AddReport = { outcomes: [], failures: [] };
    for (const item of settled) {
      if ('error' in item && item.error) report.failures.push({ identifier: item.identifier, error: item.error });
      else if ('work' in item && item.work) report.outcomes.push({ identifier: item.identifier, ...(await this.addWork(item.work, 'added', addedBy)) });
    }
    return report;
  }

  /** Adds (or merges) a work already resolved or read from a file, in the index at once. No network. */
  async addWork(work: ResolvedWork, origin: 'added' | 'imported', addedBy: string | null): Promise<AddOutcome> {
    const outcome = await this.store.writing((w) => w.add(this.paperOf(work, origin), origin, addedBy, work.sameAs));
    this.live.upsert(outcome.paper);
    return outcome;
  }

  private paperOf(work: ResolvedWork, origin: 'added' | 'imported'): Paper {
    if (!work.title.trim()) throw new ResolveError('not-found', work.doi ?? work.arxivId ?? work.pmid ?? '?', 'the source has no title for it');
    return paperFromWork(work, origin, this.vocabulary);
  }

  /**
   * Brings the live index up to what the store holds (another replica's or process's writes), waiting
   * at most `ms`: a database that does not answer in time leaves the index as it was (a little
   * stale), never the command hanging. Failures are logged, never thrown.
   */
  async catchUp(ms = CATCH_UP_MS): Promise<void> {
    let failure: unknown = null;
    const work = this.live.sync().catch((error: unknown) => {
      failure = error;
    });
    const settled = await settledWithin(work, ms);
    if (settled && failure === null) {
      this.behind = false;
      return;
    }
    if (this.behind) return;
    this.behind = true;
    if (!settled) this.log.warn(`catalog: the database did not answer within ${ms} ms; answering from the index as it was until it does`);
    else this.log.warn(`catalog: could not catch up with the stored catalog (${failure instanceof Error ? failure.message : String(failure)}); answering from the index as it was`);
  }

  /**
   * Adds many works (an import) without the network; one failing entry (no title) is reported, the
   * others are added. Only the store is written: the live index takes the papers in at its next use,
   * from the store's change counter, as it does for another process's import. `paperbot import`
   * never searches, so it never pays for indexing (a third of an import's time); a running bot pays
   * it once, at the next query.
   */
  async addWorks(works: ResolvedWork[], origin: 'added' | 'imported', onProgress: (done: number, total: number) => void = () => {}): Promise<(AddOutcome | { error: string })[]> {
    const out: (AddOutcome | { error: string })[] = [];
    // Committed in batches: one commit per paper costs more than the add itself, and a long import
    // still lets a running bot write between batches.
    for (let start = 0; start < works.length; start += IMPORT_BATCH) {
      const batch = await this.store.writing(async (w) => {
        const done: (AddOutcome | { error: string })[] = [];
        for (const work of works.slice(start, start + IMPORT_BATCH)) {
          let paper: Paper;
          try {
            paper = this.paperOf(work, origin);
          } catch (error) {
            if (!(error instanceof ResolveError)) throw error;
            done.push({ error: error.detail });
            continue;
          }
          done.push(await w.add(paper, origin, null, work.sameAs));
        }
        return done;
      });
      out.push(...batch);
      onProgress(Math.min(start + IMPORT_BATCH, works.length), works.length);
    }
    return out;
  }

  get(id: string): Paper | null {
    return this.live.get(id) ?? this.live.get(id.toLowerCase());
  }

  /** Hides a paper from the catalog (a bundled one stays in its source file). */
  async remove(id: string): Promise<boolean> {
    const hidden = await this.store.hide(id);
    if (hidden) this.live.remove(id);
    return hidden;
  }

  /** Applies a person's tag corrections; they outrank inference from then on. */
  /** Null when the paper was removed meanwhile (by another replica): then it leaves the index too. */
  async tag(paper: Paper, changes: { add: Tag[]; remove: Tag[] }): Promise<Paper | null> {
    const next = await this.store.change(paper.id, (current) => correctTags(current, changes, this.vocabulary));
    if (next) this.live.upsert(next);
    else this.live.remove(paper.id);
    return next;
  }

  /** Papers missing authors, a link, a year or an abstract: what `enrich` looks up. */
  lacking(): Paper[] {
    return this.live.papers().filter((p) => p.authors.length === 0 || !p.url || p.year === null || !p.abstract);
  }

  /**
   * Fills what records lack from the sources, through the identifier each record carries (its DOI,
   * arXiv id, PubMed id, or a link that names one), or else through Crossref's bibliographic search
   * by title and first author, taking only a confident match (see PaperResolver.findByTitle). Only
   * empty fields are filled; titles, tags and a person's corrections are never overwritten. One
   * paper at a time, so pacing stays simple. `noIdentifier` lists the records neither way found.
   */
  async enrich(papers: Paper[], onProgress: (done: number, total: number) => void = () => {}): Promise<EnrichReport> {
    const report: EnrichReport = { changes: [], unchanged: 0, noIdentifier: [], duplicates: [], failures: [] };
    let done = 0;
    for (const paper of papers) {
      const id = identifierOf(paper);
      const label = id ? formatIdentifier(id) : 'title search';
      try {
        const work = id ? await this.resolver.resolve(id) : await this.resolver.findByTitle({ title: paper.title, firstAuthor: paper.authors[0], year: paper.year });
        const holder = !id && work?.doi ? await this.store.idWithDoi(work.doi) : null;
        if (!work) report.noIdentifier.push(paper.id);
        else if (holder && holder !== paper.id) report.duplicates.push({ id: paper.id, of: holder });
        else {
          // Merged into the record as stored when written, not as read before the lookup.
          let filled: string[] = [];
          const next = await this.store.change(paper.id, (current) => {
            const { paper: merged, changed } = mergeRecords(current, { ...paperFromWork(work, current.origin, this.vocabulary), arxivVersion: undefined });
            filled = changed.filter((c) => c !== 'title');
            return filled.length ? merged : null;
          });
          if (next) {
            this.live.upsert(next);
            const found = id ? label : `doi:${work.doi} (found by title)`;
            report.changes.push({ id: paper.id, identifier: found, changed: filled });
          } else report.unchanged++;
        }
      } catch (error) {
        if (!(error instanceof ResolveError)) throw error;
        report.failures.push({ identifier: `${paper.id} (${label})`, error });
      }
      onProgress(++done, papers.length);
    }
    return report;
  }

  now(): Date {
    return this.clock.now();
  }
}

/** The identifier a record can be looked up by: its own ids first, then what its link names. */
function identifierOf(paper: Paper): PaperIdentifier | null {
  if (paper.doi) return { kind: 'doi', doi: paper.doi };
  if (paper.arxivId) return { kind: 'arxiv', id: paper.arxivId };
  if (paper.pmid) return { kind: 'pmid', pmid: paper.pmid };
  if (paper.pmcid) return { kind: 'pmcid', pmcid: paper.pmcid };
  return paper.url ? parseIdentifier(paper.url) : null;
}
