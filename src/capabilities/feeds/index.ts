/** Feeds that bring new papers into the catalog: their capability (command, schema) and the poller. */
import type { Capability } from '../../services.js';
import { feedCommand } from './commands.js';
import { feedsMigration } from './migration.js';

export const feedsCapability: Capability = { name: 'feeds', commands: [feedCommand], migrations: [feedsMigration] };
