import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { HttpClient, paperbotUserAgent } from '../net/index.js';
import type { LiveCatalog } from './live.js';
import { paperFromWork } from './merge.js';
import type { Paper } from './paper.js';
import { formatIdentifier, parseIdentifier } from './sources/identifiers.js';
import { PaperResolver, ResolveError, type SourceSettings } from './sources/resolve.js';
import type { ResolvedWork } from './sources/work.js';
import type { AddOutcome, CatalogStore } from './store.js';
import { correctTags, type Tag } from './tags.js';
import type { Vocabulary } from './vocabulary.js';

export type AddFailure = { identifier: string; error: ResolveError };
export type AddReport = { outcomes: (AddOutcome & { identifier: string })[]; failures: AddFailure[] };

/** Most identifiers one `/paper add` takes. */
export const MAX_ADD = 10;

/**
 * The catalog's operations for commands and the CLI: add by identifier (resolve, then one
 * transaction), add a work already read from a file, hide, correct tags. Every write reaches the
 * live index at once; other processes see it through the store's change counter.
 */
export class CatalogService {
  private resolverInstance: PaperResolver | null = null;

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
      else if ('work' in item && item.work) report.outcomes.push({ identifier: item.identifier, ...this.addWork(item.work, 'added', addedBy) });
    }
    return report;
  }

  /** Adds (or merges) a work already resolved or read from a file. No network. */
  addWork(work: ResolvedWork, origin: 'added' | 'imported', addedBy: string | null): AddOutcome {
    if (!work.title.trim()) throw new ResolveError('not-found', work.doi ?? work.arxivId ?? work.pmid ?? '?', 'the source has no title for it');
    const outcome = this.store.add(paperFromWork(work, origin, this.vocabulary), origin, addedBy, work.sameAs);
    this.live.put(outcome.paper);
    return outcome;
  }

  get(id: string): Paper | null {
    this.live.refresh();
    return this.live.get(id) ?? this.live.get(id.toLowerCase());
  }

  /** Hides a paper from the catalog (a bundled one stays in its source file). */
  remove(id: string): boolean {
    const hidden = this.store.hide(id);
    if (hidden) this.live.drop(id);
    return hidden;
  }

  /** Applies a person's tag corrections; they outrank inference from then on. */
  tag(paper: Paper, changes: { add: Tag[]; remove: Tag[] }): Paper {
    const next = correctTags(paper, changes, this.vocabulary);
    this.store.update(next);
    this.live.put(next);
    return next;
  }

  /** Writes an enriched record (see enrich), keeping its id. */
  replace(paper: Paper): void {
    this.store.update(paper);
    this.live.put(paper);
  }

  now(): Date {
    return this.clock.now();
  }
}
