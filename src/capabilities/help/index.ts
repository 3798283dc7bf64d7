import type { Capability, Command } from '../../services.js';
import { helpCommand } from './commands.js';

/** Usage: lists the commands it is given, so a new command shows up by being listed. */
export function helpCapability(list: () => Command[]): Capability {
  return { name: 'help', commands: [helpCommand(list)], migrations: [] };
}
