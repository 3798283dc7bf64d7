import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a command ended: answered, refused as the user's mistake, or failed (logged, apology sent). */
export type CommandOutcome = 'ok' | 'user_error' | 'failure';
/** How an unprompted post ended: delivered, failed for good, or failed and left for a retry. */
export type PostOutcome = 'ok' | 'failed' | 'retry';

/**
 * What paperbot counts, in Prometheus' text format through prom-client (the client the Prometheus
 * project lists for Node): commands by name and outcome, answer latency, unprompted posts and their
 * retries by platform, spotlight slots, catalog size, and the process metrics prom-client collects.
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
