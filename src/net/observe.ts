import { observable } from '../ops/observe.js';
import type { HttpFailure } from './errors.js';

/** One attempt of a request to an outside source, as it ended. */
export type SourceRequestEvent = {
  /** `host:port` of the URL asked (the unit pacing is shared by). */
  host: string;
  /** The HTTP status, or how the attempt failed without one (`timeout`, `network`, `too-large`, `truncated`). */
  status: number | HttpFailure;
  /** From sending to the whole body read; the wait in the host's queue is not counted. */
  seconds: number;
  /** A repeat after a 429/502/503/504, not the request's first attempt. */
  retry: boolean;
};

/** Every attempt of every HttpClient in the process, whoever built the client (catalog resolvers, feeds). */
export const sourceRequests = observable<SourceRequestEvent>('paperbot:net:request');
