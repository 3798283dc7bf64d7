// Pieces shared by the loopback load tests: the load's shape, the steady-rate sender, percentiles and an error tally.

/** What a load test can be asked for; the defaults are the issues' goals (200 per second for 10 s). */
export type LoadOptions = { rate?: number; seconds?: number; warmupSeconds?: number };
export type LoadResult = { errors: number; p50: number; p99: number; max: number; achievedRate: number };
export const GOAL_P99_MS = 25;

/** The load in calls: `total` measured ones after `warmup` unmeasured ones at the same rate. */
export function loadShape(options: LoadOptions): { rate: number; seconds: number; total: number; warmup: number } {
  const rate = options.rate ?? 200;
  const seconds = options.seconds ?? 10;
  return { rate, seconds, total: rate * seconds, warmup: rate * (options.warmupSeconds ?? 1) };
}

/**
 * Open loop: call i is made at i / rate seconds after the start, whatever happened to the earlier
 * ones (a closed loop would slow down with the server and hide its queueing). Returns every call's result.
 */
export async function atSteadyRate<T>(count: number, rate: number, send: (i: number) => T): Promise<T[]> {
  const results: T[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    results.push(send(i));
  }
  return results;
}

/** The q-quantile (0 ≤ q ≤ 1) of values sorted ascending; NaN when there are none. */
export function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

/** The figures of a run: latencies in ms (sorted here), the failures, and how fast `sent` calls went out. */
export function summarize(latencies: number[], failures: Failures, sent: number, elapsedSeconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    errors: failures.total,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1) ?? NaN,
    achievedRate: sent / elapsedSeconds,
  };
}

/** Whether a run met the issues' goal: p99 within GOAL_P99_MS and no errors. */
export function metGoal(result: LoadResult): boolean {
  return result.errors === 0 && result.p99 <= GOAL_P99_MS;
}

/** Failures counted by reason, so a report can say what went wrong as well as how often. */
export class Failures {
  private readonly byReason = new Map<string, number>();

  add(reason: string): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }

  get total(): number {
    let n = 0;
    for (const count of this.byReason.values()) n += count;
    return n;
  }

  /** `reason: count` for each reason, joined by `separator`. */
  describe(separator: string): string {
    return [...this.byReason].map(([reason, count]) => `${reason}: ${count}`).join(separator);
  }
}
