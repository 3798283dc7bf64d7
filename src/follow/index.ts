/** Followed topics: what the rest of paperbot uses of them. */
export { followsOf as follows, allFollows } from './store.js';
export { followCommand, followingCommand, unfollowCommand, requireManager } from './command.js';
export { followMigration } from './schema.js';
