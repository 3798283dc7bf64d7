import { helpCommand } from './help.js';
import { searchCommand } from './search.js';
import { showCommand } from './show.js';
import type { Command } from './types.js';

/** Every command, in the order `help` lists them. A new command is a module here and a line below. */
export const commands: Command[] = [searchCommand, showCommand];
commands.push(helpCommand(() => commands));
