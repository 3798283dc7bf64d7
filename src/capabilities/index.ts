import { buttonCommandsMigration } from '../actions.js';
import type { Capability, Command } from '../services.js';
import { coreMigration, metaOnStoreMigration, type Migration } from '../store/migrations.js';
import { catalogCapability } from './catalog/index.js';
import { deliveryMigration, deliveryTenantsMigration } from '../delivery/index.js';
import { digestCapability } from './digest/index.js';
import { feedsCapability } from './feeds/index.js';
import { followCapability } from './follow/index.js';
import { helpCapability } from './help/index.js';
import { readingCapability } from './reading/index.js';
import { searchCapability } from './search/index.js';
import { showCapability } from './show/index.js';
import { spotlightCapability } from './spotlight/index.js';

/**
 * Every capability, in the order `help` lists their commands. A new capability is a folder beside
 * these (commands, domain logic, store and migration, messages) and one line here: the command
 * list, help, Discord's autocomplete and the schema all come from this list.
 */
const capabilities: Capability[] = [
  searchCapability,
  showCapability,
  spotlightCapability,
  readingCapability,
  catalogCapability,
  followCapability,
  feedsCapability,
  digestCapability,
  // Help lists the commands of every capability, itself included, so it reads the list lazily.
  helpCapability(() => commands),
];

/** Every command, in the order `help` lists them. */
export const commands: Command[] = capabilities.flatMap((c) => c.commands);

/** The whole schema: the core's migrations (buttons' long commands among them), the delivery layer's (below the capabilities that post on a schedule), then each capability's. */
export const migrations: Migration[] = [
  coreMigration,
  metaOnStoreMigration,
  buttonCommandsMigration,
  deliveryMigration,
  deliveryTenantsMigration,
  ...capabilities.flatMap((c) => c.migrations),
];
