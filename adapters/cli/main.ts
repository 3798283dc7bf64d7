// The process entry point: `node dist/adapters/cli/main.js <command>` in production (bin/paperbot.js
// loads it), `node bin/run-ts.js adapters/cli/main.ts <command>` (`npm run dev --`) from the sources.
import { main } from './index.js';

process.exitCode = await main(process.argv.slice(2));
