import { createHash } from 'node:crypto';
import { countOf } from '../../i18n/index.js';
import { iso } from '../../clock.js';
import type { Services } from '../../services.js';
import { ARXIV_POLICY, HostPacer, HttpClient, ncbiPolicy, paperbotUserAgent, sharedPacer } from '../../net/index.js';
import { guardedFetch } from './fetch.js';
import { feedPolls } from './observe.js';
import { PaperIntake } from './intake.js';
import type { CandidatePaper } from './parse.js';
import { readFeed, type FeedProblem } from './read.js';
import { parseSource, type SourceUrls } from './sources.js';
import { feedStore, type FeedRow, type FeedState, type SeenItem } from './store.js';
import { isDatabaseUnavailable } from '../../store/sql/outage.js';

const MINUTE = 60_000;
/** The longest wait between reads of a failing feed. */
const MAX_BACKOFF_MS = 24 * 60 * MINUTE;
/** Failures in a row after which a feed is reported as failing. */
const FAILING_AFTER = 5;
/** How long one read may hold a feed before another process may read it. */
const READ_LEASE_MS = 10 * MINUTE;
/** Items read from one feed in one round, at most. */
const MAX_ITEMS = 500;
/** Feeds one replica takes in one round, at most; the rest are due still and wait for the next. */
const MAX_FEEDS_PER_ROUND = 200;

export type FeedRound = {
  feed: number;
  source: string;
  outcome: 'read' | 'unchanged' | 'failed';
  added: number;
  merged: number;
  skipped: number;
  error?: string;
};


function sourceUrlsOf(services: Services): SourceUrls {
  const s = services.config.sources;
  return { arxivApiUrl: s.arxivApiUrl, eutilsUrl: s.ncbiEutilsUrl, contactEmail: s.contactEmail ?? null, ncbiApiKey: s.ncbiApiKey ?? null };
}

/** The Net layer's client for feeds: paced per host (arXiv and NCBI by their rules), guarded, no retries inside a round. */
export function feedHttpClient(services: Services, pacer: HostPacer = sharedPacer): HttpClient {
  const f = services.config.feeds;
  const urls = sourceUrlsOf(services);
  pacer.configure(urls.arxivApiUrl, ARXIV_POLICY);
  pacer.configure(urls.eutilsUrl, ncbiPolicy(Boolean(urls.ncbiApiKey)));
  return new HttpClient({
    userAgent: paperbotUserAgent(urls.contactEmail ?? undefined),
    pacer,
    timeoutMs: f.timeoutMs,
    maxBytes: 10 * 1024 * 1024,
    // A throttled or failing feed waits for the next round (backoff), never inside this one.
    maxRetries: 0,
    fetch: guardedFetch({ allowPrivate: f.allowPrivate }),
    logger: services.log,
  });
}

/** Wait after the n-th failure in a row: the polling interval doubled each time, at most a day. */
function backoffMs(failures: number, intervalMs: number): number {
  return Math.min(intervalMs * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
}

function guidHash(item: CandidatePaper): string {
  return createHash('sha256').update(item.guid || `${item.url}\n${item.title}`).digest('hex').slice(0, 32);
}

/**
 * One polling round: the due feeds are claimed (so two replicas never read one feed in one round;
 * see FeedStore), read with their validators, and their new items go into the catalog. Feeds are
 * read side by side; the Net layer paces each host, so a slow or hanging feed holds up only its own
 * host, within its timeout.
 */
export async function pollFeeds(services: Services, options: { now?: Date; http?: HttpClient; intake?: PaperIntake; limit?: number } = {}): Promise<FeedRound[]> {
  const now = (options.now ?? services.clock.now()).getTime();
  const http = options.http ?? feedHttpClient(services);
  const intake = options.intake ?? new PaperIntake(services);
  const due = await feedStore(services.sql).claimDue(iso(now), iso(now + READ_LEASE_MS), options.limit ?? MAX_FEEDS_PER_ROUND);
  return Promise.all(due.map((feed) => pollOne(services, http, intake, feed, now)));
}

/** Reports the read for metrics (see observe.ts) and passes its round on. */
function reported(feed: FeedRow, round: FeedRound, gone = false): FeedRound {
  const outcome = round.outcome === 'read' ? 'ok' : round.outcome === 'unchanged' ? 'not-modified' : gone ? 'gone' : 'error';
  feedPolls.publish({ kind: feed.kind, outcome, added: round.added, merged: round.merged, skipped: round.skipped });
  return round;
}

async function pollOne(services: Services, http: HttpClient, intake: PaperIntake, feed: FeedRow, now: number): Promise<FeedRound> {
  const { log } = services;
  const store = feedStore(services.sql);
  const intervalMs = services.config.feeds.pollMinutes * MINUTE;
  const round: FeedRound = { feed: feed.id, source: feed.source, outcome: 'read', added: 0, merged: 0, skipped: 0 };
  try {
    const result = await readFeed(http, parseSource(feed.source), sourceUrlsOf(services), { etag: feed.etag, lastModified: feed.lastModified });
    if (result.kind === 'unchanged') {
      await store.recordRead(feed.id, [], { ...result.validators, added: 0, seen: 0, skipped: 0, nextPollAt: iso(now + intervalMs) }, iso(now));
      round.outcome = 'unchanged';
      return reported(feed, round);
    }
    const items = result.feed.items.slice(0, MAX_ITEMS);
    round.skipped = result.feed.skipped + (result.feed.items.length - items.length);
    // One item per guid: a feed that lists an item twice brings it once.
    const byHash = new Map(items.map((item) => [guidHash(item), item] as const));
    const seen = await store.seen(feed.id, [...byHash.keys()]);
    const taken: SeenItem[] = [];
    for (const [hash, item] of byHash) {
      if (seen.has(hash)) continue;
      // The catalog is on the store interface too: its transaction waits for SQLite's lock itself.
      const paper = await intake.take(item, feed.kind === 'url' ? 'feed' : feed.kind, feed.source);
      taken.push({ guidHash: hash, paperId: paper.id });
      if (paper.added) round.added++;
      else round.merged++;
    }
    await store.recordRead(
      feed.id,
      taken,
      { ...result.validators, title: result.feed.title, added: round.added, seen: round.added + round.merged, skipped: round.skipped, nextPollAt: iso(now + intervalMs) },
      iso(now),
    );
    if (round.added || round.skipped) log.info(`feeds: ${feed.source}: ${countOf(round.added, 'new paper')}, ${round.merged} merged, ${countOf(round.skipped, 'item')} without a title or link skipped`);
    return reported(feed, round);
  } catch (error) {
    // The database, not the feed, failed: the round's caller logs it as part of the outage, and the
    // feed keeps its record (its read lease brings it back once the database answers).
    if (isDatabaseUnavailable(error)) throw error;
    const problem = error as FeedProblem;
    const failures = feed.failures + 1;
    const message = problem.message ?? String(error);
    let state: FeedState = failures >= FAILING_AFTER ? 'failing' : 'active';
    let wait = backoffMs(failures, intervalMs);
    if (problem.kind === 'gone') state = 'gone';
    if (problem.kind === 'throttled' && problem.retryAfterMs) wait = Math.max(wait, Math.min(problem.retryAfterMs, MAX_BACKOFF_MS));
    await store.recordFailure(feed.id, state, message, iso(now + wait), iso(now));
    if (problem.kind === undefined) log.error(`feeds: ${feed.source}: read failed unexpectedly`, error);
    else if (state === 'gone') log.warn(`feeds: ${feed.source}: gone (${message}); no longer read. Remove it or add it again once it is back.`);
    else if (failures === FAILING_AFTER) log.warn(`feeds: ${feed.source}: failed ${failures} times in a row (${message}); reported as failing, next read ${iso(now + wait)}`);
    else log.warn(`feeds: ${feed.source}: ${message}; next read ${iso(now + wait)}`);
    return reported(feed, { ...round, outcome: 'failed', error: message }, state === 'gone');
  }
}
