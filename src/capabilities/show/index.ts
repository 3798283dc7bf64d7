import type { Capability } from '../../services.js';
import { showCommand } from './commands.js';

/** One paper in full. */
export const showCapability: Capability = { name: 'show', commands: [showCommand], migrations: [] };
