/** The weekly digest: its capability (command, schema) and what the CLI uses of it. */
import type { Capability } from '../../services.js';
import { digestCommand } from './commands.js';
import { digestMigration, digestOnDeliveryMigration } from './migration.js';

export { digestCli } from './cli.js';
export { digestTick } from './tick.js';
export type { DigestPosted } from './deliver.js';

export const digestCapability: Capability = { name: 'digest', commands: [digestCommand], migrations: [digestMigration, digestOnDeliveryMigration] };
