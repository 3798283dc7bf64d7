// Compiles src/ and adapters/ to dist/ (a fresh dist/, so nothing renamed or deleted lingers).
//   node scripts/build.mjs                `npm run build`: the compiler must be installed.
//   node scripts/build.mjs --if-possible  the `prepare` script, which `npm install` and `npm ci` run:
//     `npm ci --omit=dev` installs no compiler, and then an existing build is used as it is; only a
//     missing build is an error.
import { existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const ifPossible = process.argv.includes('--if-possible');

if (!existsSync(tsc)) {
  if (ifPossible && existsSync(`${dist}adapters/cli/main.js`)) process.exit(0);
  console.error(
    'paperbot: cannot build: the TypeScript compiler is not installed (dev dependencies were omitted). Run `npm install`, then `npm run build`; `npm prune --omit=dev` afterwards keeps the build.',
  );
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
