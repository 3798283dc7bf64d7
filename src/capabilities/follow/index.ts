/** Followed topics: the queries whose new papers a channel's digest brings. */
import type { Capability } from '../../services.js';
import { followCommand, followingCommand, unfollowCommand } from './commands.js';
import { followMigration, followTenantsMigration } from './migration.js';

export const followCapability: Capability = { name: 'follow', commands: [followCommand, followingCommand, unfollowCommand], migrations: [followMigration, followTenantsMigration] };
