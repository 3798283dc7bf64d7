import type { Capability } from '../../services.js';
import { searchCommand } from './commands.js';

/** Finding papers: the default command, with filters, paging and suggestions. */
export const searchCapability: Capability = { name: 'search', commands: [searchCommand], migrations: [] };
