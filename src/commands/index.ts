import { helpCommand } from './help.js';
import { historyCommand } from './history.js';
import { nextCommand } from './next.js';
import { readCommand, unreadCommand } from './read.js';
import { searchCommand } from './search.js';
import { showCommand } from './show.js';
import { spotlightCommand } from './spotlight.js';
import { suggestCommand } from './suggest.js';
import type { Command } from './types.js';
import { voteCommand } from './vote.js';
import { catalogCommands } from '../catalog/commands.js';
import { feedCommand } from '../feeds/command.js';
import { digestCommand } from '../digest/command.js';
import { followCommand, followingCommand, unfollowCommand } from '../follow/command.js';

/** Every command, in the order `help` lists them. A new command is a module here and a line below. */
export const commands: Command[] = [
  searchCommand,
  showCommand,
  spotlightCommand,
  suggestCommand,
  voteCommand,
  nextCommand,
  readCommand,
  unreadCommand,
  historyCommand,
  ...catalogCommands,
  followCommand,
  followingCommand,
  unfollowCommand,
  feedCommand,
  digestCommand,
];
// Help lists this very array, so it can only join once the array exists.
commands.push(helpCommand(() => commands));
