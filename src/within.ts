/** Raised by `within` when the work has not settled in time; the work itself goes on unobserved. */
class TookTooLong extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'TookTooLong';
  }
}

/** True when `promise` settles (either way) within `ms`; the timer never outlives the race. */
export function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The work's outcome if it settles within `ms`, a TookTooLong otherwise: for callers that owe
 * someone an answer in time (a health probe, Slack's three-second acknowledgement) and have a
 * fallback when the database hangs rather than fails. A late failure of the abandoned work is
 * nobody's to report.
 */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (await settledWithin(work, ms)) return work;
  throw new TookTooLong(what, ms);
}
