// The process entry point: `node dist/adapters/cli/main.js <command>` in production (bin/paperbot.js
// loads it), `node bin/run-ts.js adapters/cli/main.ts <command>` (`npm run dev --`) from the sources.
// From the build, the CLI runs from the bundle beside dist/ when the build made one (./bundle.ts).
import { loadBundle } from './bundle.js';

const argv = process.argv.slice(2);
const bundle = import.meta.url.endsWith('.js') ? loadBundle(new URL('../../paperbot.cjs', import.meta.url), argv[0] ?? 'help') : null;
const { main } = bundle?.cli ?? (await import('./index.js'));
// A long-running `start` writes its cache once start-up is well past; a short command when it ends.
if (bundle) setTimeout(() => bundle.saveCodeCache(), 10_000).unref();
process.exitCode = await main(argv);
bundle?.saveCodeCache();
