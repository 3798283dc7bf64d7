import { channel } from 'node:diagnostics_channel';

/** Events of one kind that a part of the core reports, for whoever listens (metrics). */
export type Observable<T> = {
  /** Reports an event; costs nothing while no one listens. */
  publish(event: T): void;
  /** Hears every event from now on; returns the way to stop hearing. */
  observe(observer: (event: T) => void): () => void;
};

/**
 * A named, typed event stream on Node's diagnostics channel: process-wide, so the process around the
 * bot can listen without the reporting code knowing who listens (the core never imports its
 * metrics), and without a listener the event is not even handed over.
 */
export function observable<T>(name: string): Observable<T> {
  const events = channel(name);
  return {
    publish(event) {
      if (events.hasSubscribers) events.publish(event);
    },
    observe(observer) {
      const listener = (message: unknown) => observer(message as T);
      events.subscribe(listener);
      return () => {
        events.unsubscribe(listener);
      };
    },
  };
}
