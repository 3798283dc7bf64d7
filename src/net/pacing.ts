import PQueue from 'p-queue';

/**
 * How often one host may be asked. `intervalCap` requests may start in any rolling `intervalMs`
 * window (a sliding window, so no burst at a window's edge), at most `concurrency` at a time.
 */
export type HostPolicy = {
  concurrency: number;
  intervalCap: number;
  intervalMs: number;
};

/** For a host nobody configured: one connection at a time, at most 5 a second. */
export const DEFAULT_POLICY: HostPolicy = { concurrency: 1, intervalCap: 5, intervalMs: 1000 };

/** The sources' published limits (see the "Paper sources" notes): arXiv asks for one request every 3 s. */
export const ARXIV_POLICY: HostPolicy = { concurrency: 1, intervalCap: 1, intervalMs: 3000 };
/** NCBI E-utilities: 3 a second without an API key, 10 with one. */
export const ncbiPolicy = (hasApiKey: boolean): HostPolicy => ({
  concurrency: hasApiKey ? 3 : 1,
  intervalCap: hasApiKey ? 10 : 3,
  intervalMs: 1000,
});
/** Crossref's polite pool until its own x-rate-limit-* headers tell us otherwise. */
export const CROSSREF_POLICY: HostPolicy = { concurrency: 1, intervalCap: 5, intervalMs: 1000 };

/** `host:port` of a URL: the unit pacing is shared by. */
export function hostKey(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return u.host.toLowerCase();
}

/**
 * One queue per host, shared by everything that holds the same HostPacer (the process holds one, see
 * `sharedPacer`). Built on p-queue's strict (sliding-window) rate limiting. A policy can tighten or
 * loosen later, when a source announces its limits in response headers: tasks already queued finish
 * under the old queue, new ones go to a queue with the new policy.
 */
export class HostPacer {
  private readonly policies = new Map<string, HostPolicy>();
  private readonly queues = new Map<string, { policy: HostPolicy; queue: PQueue }>();

  /** Sets the policy of the host of `url` (or a bare `host:port`). */
  configure(urlOrHost: string, policy: HostPolicy): void {
    const key = urlOrHost.includes('://') ? hostKey(urlOrHost) : urlOrHost.toLowerCase();
    const current = this.policies.get(key);
    if (current && samePolicy(current, policy)) return;
    this.policies.set(key, { ...policy });
    this.queues.delete(key);
  }

  policyFor(url: string): HostPolicy {
    return this.policies.get(hostKey(url)) ?? DEFAULT_POLICY;
  }

  /** Runs `task` when the host of `url` may be asked again. */
  schedule<T>(url: string, task: () => Promise<T>): Promise<T> {
    const key = hostKey(url);
    const policy = this.policies.get(key) ?? DEFAULT_POLICY;
    let entry = this.queues.get(key);
    if (!entry || !samePolicy(entry.policy, policy)) {
      entry = {
        policy,
        queue: new PQueue({
          concurrency: policy.concurrency,
          intervalCap: policy.intervalCap,
          interval: policy.intervalMs,
          strict: true,
        }),
      };
      this.queues.set(key, entry);
    }
    return entry.queue.add(task) as Promise<T>;
  }

  /** Requests waiting or running for the host of `url`; for tests and diagnostics. */
  pending(url: string): number {
    const entry = this.queues.get(hostKey(url));
    return entry ? entry.queue.size + entry.queue.pending : 0;
  }
}

function samePolicy(a: HostPolicy, b: HostPolicy): boolean {
  return a.concurrency === b.concurrency && a.intervalCap === b.intervalCap && a.intervalMs === b.intervalMs;
}

/**
 * Reads Crossref-style limit headers: `x-rate-limit-limit: 10`, `x-rate-limit-interval: 1s`,
 * `x-concurrency-limit: 3`. Returns undefined when they are absent or unreadable, so the current
 * policy stays.
 */
export function policyFromRateLimitHeaders(headers: Headers): HostPolicy | undefined {
  const limit = Number(headers.get('x-rate-limit-limit'));
  const intervalMs = parseDuration(headers.get('x-rate-limit-interval'));
  if (!Number.isInteger(limit) || limit < 1 || intervalMs === undefined) return undefined;
  const concurrency = Number(headers.get('x-concurrency-limit'));
  return {
    intervalCap: limit,
    intervalMs,
    concurrency: Number.isInteger(concurrency) && concurrency >= 1 ? concurrency : 1,
  };
}

/** `1s`, `500ms`, `2m`, or a bare number of seconds. */
function parseDuration(raw: string | null): number | undefined {
  const m = raw?.trim().match(/^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000;
  return ms > 0 ? ms : undefined;
}

/** The process's pacer: every client built without its own shares it, so limits hold process-wide. */
export const sharedPacer = new HostPacer();
