import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SourceRequestEvent } from '../net/observe.js';

/** How a command ended: answered, refused as the user's mistake, or failed (logged, apology sent). */
export type CommandOutcome = 'ok' | 'user_error' | 'failure';
/** How an unprompted post ended: delivered, failed for good, or failed and left for a retry. */
export type PostOutcome = 'ok' | 'failed' | 'retry';
/** How a feed read ended: new items read, a 304, a failure retried later, a feed gone for good. */
export type FeedOutcome = 'ok' | 'not-modified' | 'error' | 'gone';

/** One sharded platform's shards, as its adapter sees them at a scrape. */
export type GatewayShards = { platform: string; connected: number; closed: number };

/**
 * What paperbot counts, in Prometheus' text format through prom-client (the client the Prometheus
 * project lists for Node): commands by name and outcome, answer latency, unprompted posts and their
 * retries by platform, spotlight slots, catalog size, feed reads and the items they brought,
 * requests to outside sources by host and status with their retries and time, and the process
 * metrics prom-client collects.
 * One registry per bot, so tests and two bots in one process never share counts.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly commands = new Counter({
    name: 'paperbot_commands_total',
    help: 'Commands answered, by command name and outcome.',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'paperbot_command_duration_seconds',
    help: 'Time from receiving a command to its reply being ready, by command name.',
    labelNames: ['command'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly posts = new Counter({
    name: 'paperbot_posts_total',
    help: 'Messages posted or updated unprompted (spotlight, polls), by platform and outcome.',
    labelNames: ['platform', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'paperbot_post_retries_total',
    help: 'Repeated attempts at a post that failed before, by platform and outcome.',
    labelNames: ['platform', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly slots = new Counter({
    name: 'paperbot_spotlight_slots_total',
    help: 'Weekly spotlight slots handled by the scheduler, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly catalog = new Gauge({
    name: 'paperbot_catalog_papers',
    help: 'Papers in the catalog the bot searches.',
    registers: [this.registry],
  });

  private readonly feedPolls = new Counter({
    name: 'paperbot_feed_polls_total',
    help: 'Feed reads, by feed kind (arxiv, pubmed, url) and outcome (ok, not-modified, error, gone).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly feedItems = new Counter({
    name: 'paperbot_feed_items_total',
    help: 'Items brought by feed reads, by feed kind and result (added: a new paper, merged: a known paper, skipped: no title or link).',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  private readonly sourceRequests = new Counter({
    name: 'paperbot_source_requests_total',
    help: 'Attempts at requests to outside sources (resolvers, feeds), by host and status (the HTTP status, or timeout, network, too-large, truncated).',
    labelNames: ['host', 'status'] as const,
    registers: [this.registry],
  });
  private readonly sourceRetries = new Counter({
    name: 'paperbot_source_retries_total',
    help: 'Attempts that repeated a request after a 429, 502, 503 or 504, by host.',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });
  private readonly sourceLatency = new Histogram({
    name: 'paperbot_source_request_duration_seconds',
    help: 'Time of one attempt at a request to an outside source, from sending to the whole answer read, by host.',
    labelNames: ['host'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** Read when scraped: each sharded platform's shards as its adapter sees them now. */
  private shardSource: () => GatewayShards[] = () => [];
  private readonly gatewayShards = new Gauge({
    name: 'paperbot_gateway_shards',
    help: 'Gateway shards by platform and state: connected (held and up on this replica; summed over the replicas, the shard count) and closed (closed for good by the platform and left in a back-off; the same on every replica).',
    labelNames: ['platform', 'state'] as const,
    registers: [this.registry],
    collect: () => {
      this.gatewayShards.reset();
      for (const { platform, connected, closed } of this.shardSource()) {
        this.gatewayShards.set({ platform, state: 'connected' }, connected);
        this.gatewayShards.set({ platform, state: 'closed' }, closed);
      }
    },
  });

  constructor({ processMetrics = true }: { processMetrics?: boolean } = {}) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  commandHandled(command: string, outcome: CommandOutcome, seconds: number): void {
    this.commands.inc({ command, outcome });
    this.latency.observe({ command }, seconds);
  }

  posted(platform: string, outcome: PostOutcome, { retry = false } = {}): void {
    this.posts.inc({ platform, outcome });
    if (retry) this.retries.inc({ platform, outcome });
  }

  slotHandled(outcome: string, count = 1): void {
    if (count > 0) this.slots.inc({ outcome }, count);
  }

  feedPolled(kind: string, outcome: FeedOutcome, items: { added: number; merged: number; skipped: number }): void {
    this.feedPolls.inc({ kind, outcome });
    for (const result of ['added', 'merged', 'skipped'] as const) {
      if (items[result] > 0) this.feedItems.inc({ kind, result }, items[result]);
    }
  }

  sourceRequest({ host, status, seconds, retry }: SourceRequestEvent): void {
    this.sourceRequests.inc({ host, status: String(status) });
    this.sourceLatency.observe({ host }, seconds);
    if (retry) this.sourceRetries.inc({ host });
  }

  /** Where the shard gauge reads from at each scrape (the running adapters). */
  observeGatewayShards(source: () => GatewayShards[]): void {
    this.shardSource = source;
  }

  catalogSize(papers: number): void {
    this.catalog.set(papers);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
