/**
 * Delivery: how a capability posts on a schedule, exactly once per channel and slot. Below the
 * capabilities (the spotlight and the digest both use it, neither knows the other): schedules and
 * their slots in a zone, subscriptions with their pause, slot claims, attempt leases, idempotency
 * keys, the send with its retry and pause, leases handed back on stop, and one message for the
 * kinds that share a slot.
 */
export * from './claims.js';
export { describeSchedule, isAtMostDaily, weeklyParts } from './cron.js';
export { heldLeases, holdLease, releaseLeases } from './leases.js';
export { continueIds, deliveryMigration, deliveryTenantsMigration } from './migration.js';
export { parseOnArgs, scheduleFor } from './schedule-words.js';
export * from './send.js';
export { latestSlot, missedSlots, nextSlot } from './slots.js';
export * from './subscriptions.js';
export { addDays, formatLocal, localAt, weekdayOf } from './zoned.js';
