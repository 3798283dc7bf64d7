import type { Capability } from '../../services.js';
import { historyCommand, nextCommand, readCommand, suggestCommand, unreadCommand, voteCommand } from './commands.js';
import { readingGroupMigration, readingTenantsMigration } from './migration.js';

/** The reading group: polls, votes, the chosen next paper and what the group has read. */
export const readingCapability: Capability = {
  name: 'reading',
  commands: [suggestCommand, voteCommand, nextCommand, readCommand, unreadCommand, historyCommand],
  // Portable: on the store interface, SQLite or PostgreSQL (src/store/sql/).
  migrations: [readingGroupMigration, readingTenantsMigration],
};
