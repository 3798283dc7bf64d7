import type { Logger } from '../log.js';
import { settledWithin } from '../within.js';

/**
 * The work a stop must let finish: answers being computed, posts being sent, a spotlight tick.
 * Adding after `close()` is refused, so nothing new starts while the process drains.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  get size(): number {
    return this.running.size;
  }

  get accepting(): boolean {
    return !this.closed;
  }

  /** Runs `work` and remembers it until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
    return work;
  }

  /** Stops accepting, then waits for what runs, at most `ms`; true when everything finished. */
  async drain(ms: number): Promise<boolean> {
    this.closed = true;
    const done = (async () => {
      while (this.running.size > 0) await Promise.all([...this.running]);
    })();
    return settledWithin(done, ms);
  }
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

export type StopSignals = { signal: Promise<NodeJS.Signals>; dispose(): void };

/**
 * Resolves on the first SIGTERM or SIGINT; a second one ends the process at once (status 128 + the
 * signal's number, as a shell reports it), for an operator who will not wait for the drain.
 */
export function stopSignals(log: Logger, exit: (code: number) => never = process.exit): StopSignals {
  let first: NodeJS.Signals | null = null;
  let resolveSignal: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    resolveSignal = resolve;
  });
  const handler = (received: NodeJS.Signals) => {
    if (first) {
      log.warn(`${received} again: exiting without waiting`);
      exit(128 + (SIGNAL_NUMBERS[received] ?? 1));
    }
    first = received;
    resolveSignal(received);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
