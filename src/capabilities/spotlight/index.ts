/** The weekly paper spotlight: its capability (command, schema) and what the CLI uses of it. */
import type { Capability } from '../../services.js';
import { spotlightCommand } from './commands.js';
import { spotlightMigration } from './migration.js';

export { spotlightCli } from './cli.js';
export { tick } from './tick.js';
export type { SpotlightPost } from './deliver.js';

export const spotlightCapability: Capability = { name: 'spotlight', commands: [spotlightCommand], migrations: [spotlightMigration] };
