// The process entry point: `node dist/src/main.js <command>` in production (bin/paperbot.js loads it),
// `node bin/run-ts.js src/main.ts <command>` from the sources.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
