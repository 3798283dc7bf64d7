/** The weekly paper spotlight: its capability (command, schema), what the CLI uses of it, and its part in a shared slot. */
import type { Capability } from '../../services.js';
import { spotlightCommand } from './commands.js';
import { spotlightMigration, spotlightOnDeliveryMigration } from './migration.js';

export { spotlightCli } from './cli.js';
export { spotlightPart } from './deliver.js';
export { tick } from './tick.js';
export type { SpotlightPost } from './deliver.js';

export const spotlightCapability: Capability = {
  name: 'spotlight',
  commands: [spotlightCommand],
  migrations: [spotlightMigration, spotlightOnDeliveryMigration],
};
