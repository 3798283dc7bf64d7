import { catalogAddedIndexMigration, catalogIndexSnapshotMigration, catalogMigration, catalogOrderMigration } from '../../catalog/schema.js';
import type { Capability } from '../../services.js';
import { addCommand, citeCommand, removeCommand, tagCommand } from './commands.js';

/** The living catalog: papers added from chat, hidden, tagged and cited. Its records and their store live in src/catalog/. */
export const catalogCapability: Capability = {
  name: 'catalog',
  // `remove` last: help's examples run in this order, and removing comes after the rest.
  commands: [addCommand, tagCommand, citeCommand, removeCommand],
  migrations: [catalogMigration, catalogAddedIndexMigration, catalogIndexSnapshotMigration, catalogOrderMigration],
};
