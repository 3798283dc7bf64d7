/** Feeds that bring new papers into the catalog: their capability (command, schema), the poller and its CLI. */
import type { Capability } from '../../services.js';
import { feedCommand } from './commands.js';
import { feedsMigration, feedsTenantsMigration } from './migration.js';

export { feedsCli } from './cli.js';
export { pollFeeds, type FeedRound } from './poll.js';

export const feedsCapability: Capability = { name: 'feeds', commands: [feedCommand], migrations: [feedsMigration, feedsTenantsMigration] };
