/** Raised by `within` when the work has not settled in time; the work itself goes on unobserved. */
class TookTooLong extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'TookTooLong';
  }
}

/**
 * The work's outcome if it settles within `ms`, a TookTooLong otherwise: for callers that owe
 * someone an answer in time (a health probe, Slack's three-second acknowledgement) and have a
 * fallback when the database hangs rather than fails.
 */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TookTooLong(what, ms)), ms);
    timer.unref();
  });
  // A late failure of the abandoned work is nobody's to report.
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
