import type { SqlDatabase } from '../store/sql/types.js';

/**
 * The attempt leases this process holds: claim id → the lease's end, as written. An attempt that is
 * still running when the process stops (a post the platform is slow to answer past the 10 s drain)
 * would otherwise keep its slot locked for the rest of the lease (DELIVERY_ATTEMPT_LEASE_SECONDS) against every other
 * process; released, the claim is due again at once, and the retry carries the same idempotency key,
 * so a post that did arrive is not shown twice where the platform honours the key.
 */
const held = new WeakMap<SqlDatabase, Map<number, string>>();

export function holdLease(db: SqlDatabase, id: number, until: string): void {
  let leases = held.get(db);
  if (!leases) held.set(db, (leases = new Map()));
  leases.set(id, until);
}

export function dropLease(db: SqlDatabase, id: number): void {
  held.get(db)?.delete(id);
}

/** How many attempt leases this process holds on `db` right now. */
export function heldLeases(db: SqlDatabase): number {
  return held.get(db)?.size ?? 0;
}

/**
 * Hands back every lease this process still holds: each claim becomes due at `now`, still marked in
 * flight (its outcome is unknown, so the retry says the post may have arrived). A lease that has
 * changed since it was taken (another process took the claim after it ran out) is left alone.
 * Returns how many were released.
 */
export async function releaseLeases(db: SqlDatabase, now: string): Promise<number> {
  const leases = held.get(db);
  if (!leases || leases.size === 0 || db.closed) return 0;
  const taken = [...leases];
  leases.clear();
  return db.transaction(async (tx) => {
    let released = 0;
    for (const [id, until] of taken) {
      released += await tx.run("UPDATE delivery_claims SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?", [now, id, until]);
    }
    return released;
  });
}
