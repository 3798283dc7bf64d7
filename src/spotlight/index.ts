/** The weekly paper spotlight: what the rest of paperbot uses of it. */
export { tick } from './tick.js';
export { startSpotlightScheduler } from './scheduler.js';
export { spotlightCli } from './cli.js';
export { listSubscriptions, postNow, type SubscriptionInfo } from './channel.js';
export { idempotencyKey, type SpotlightPost } from './deliver.js';
export { spotlightMigration } from './schema.js';
