/** The weekly digest: what the rest of paperbot uses of it. */
export { digestTick } from './tick.js';
export { digestCli } from './cli.js';
export { startScheduler } from './scheduler.js';
export { digestCommand } from './command.js';
export { digestMigration } from './schema.js';
export type { DigestPosted } from './deliver.js';
