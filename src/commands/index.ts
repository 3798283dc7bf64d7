import { helpCommand } from './help.js';
import { searchCommand } from './search.js';
import { showCommand } from './show.js';
import { spotlightCommand } from './spotlight.js';
import { historyCommand } from './history.js';
import { nextCommand } from './next.js';
import { readCommand, unreadCommand } from './read.js';
import { suggestCommand } from './suggest.js';
import { voteCommand } from './vote.js';
import type { Command } from './types.js';

/** Every command, in the order `help` lists them. A new command is a module here and a line below. */
export const commands: Command[] = [searchCommand, showCommand, spotlightCommand];
commands.push(suggestCommand, voteCommand, nextCommand, readCommand, unreadCommand, historyCommand);
commands.push(helpCommand(() => commands));
