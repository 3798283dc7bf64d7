import { mustExist } from '../../errors.js';
import type { Services } from '../../services.js';
import type { Reply } from '../../reply.js';
import type { SqlDatabase } from '../../store/sql/types.js';
import { announcementReply, pollReply, type PaperLookup } from './render.js';
import { readingStore, type ReadingStore } from './store.js';

type Slot = { running: Promise<void> | null; queued: Promise<void> | null };
const slotsByDb = new WeakMap<SqlDatabase, Map<number, Slot>>();

export function lookupIn(services: Services): PaperLookup {
  return (id) => services.search.get(id);
}

/** The poll message as it stands in the database now. */
export async function currentPollReply(services: Services, store: ReadingStore, pollId: number, notice?: string): Promise<Reply> {
  const [poll, tally, voters] = await Promise.all([store.poll(pollId), store.tally(pollId), store.voterCount(pollId)]);
  return pollReply(mustExist(poll, `poll #${pollId}`), tally, voters, lookupIn(services), notice);
}

/**
 * Brings the posted poll message up to date with the database. Requests for one poll are
 * coalesced: at most one update is in flight and one waits behind it, and the waiting one renders
 * when it starts, so after a burst of votes the last update sent shows every vote. A failed
 * update is logged and never fails the vote that asked for it.
 */
export function refreshPollMessage(services: Services, pollId: number): Promise<void> {
  let slots = slotsByDb.get(services.sql);
  if (!slots) {
    slots = new Map();
    slotsByDb.set(services.sql, slots);
  }
  const table = slots;
  let slot = table.get(pollId);
  if (!slot) {
    slot = { running: null, queued: null };
    table.set(pollId, slot);
  }
  const s = slot;
  const launch = (): Promise<void> => {
    // Never rejects: a rejected promise left in the slot would fail every later update of this poll.
    const p: Promise<void> = sendUpdate(services, pollId)
      .catch((error) => services.log.warn(`reading group: could not update the message of poll #${pollId}`, error))
      .then(() => {
        if (s.running === p) s.running = null;
        if (!s.running && !s.queued) table.delete(pollId);
      });
    return p;
  };
  if (s.queued) return s.queued;
  if (!s.running) return (s.running = launch());
  s.queued = s.running.then(() => {
    s.queued = null;
    return (s.running = launch());
  });
  return s.queued;
}

const settleTimers = new WeakMap<SqlDatabase, Map<number, NodeJS.Timeout>>();

/**
 * Each click replaces the poll message through its own answer (Slack's response_url, Discord's
 * update callback), and after a burst those answers can land out of order, leaving an older count
 * on screen. One refresh through the outbox once the clicks have stopped makes the database have
 * the last word.
 */
export function settlePollMessage(services: Services, pollId: number, quietMs = 750): void {
  let timers = settleTimers.get(services.sql);
  if (!timers) {
    timers = new Map();
    settleTimers.set(services.sql, timers);
  }
  const table = timers;
  clearTimeout(table.get(pollId));
  const timer = setTimeout(() => {
    table.delete(pollId);
    if (!services.sql.closed) void refreshPollMessage(services, pollId);
  }, quietMs);
  timer.unref();
  table.set(pollId, timer);
}

async function sendUpdate(services: Services, pollId: number): Promise<void> {
  const store = readingStore(services.sql);
  const poll = await store.poll(pollId);
  if (!poll?.messageRef) return;
  await services.outbox.update(poll.messageRef, await currentPollReply(services, store, pollId));
}

/** Tells the channel which paper a closed poll chose. A failed post is logged; the choice stands. */
export async function announceWinner(services: Services, pollId: number): Promise<void> {
  const store = readingStore(services.sql);
  const poll = await store.poll(pollId);
  if (!poll || poll.winnerN === null) return;
  const tally = await store.tally(pollId);
  const chosen = tally.find((o) => o.n === poll.winnerN);
  if (!chosen) return;
  try {
    await services.outbox.post(poll, announcementReply(poll, chosen, lookupIn(services), tally), {
      idempotencyKey: `pbw-${poll.id}-${Date.parse(poll.openedAt).toString(36)}`,
    });
  } catch (error) {
    services.log.warn(`reading group: could not announce the winner of poll #${pollId}`, error);
  }
}
