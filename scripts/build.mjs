// Compiles src/ and adapters/ to dist/ (a fresh dist/, so nothing renamed or deleted lingers), then
// bundles the CLI into dist/paperbot.cjs with its code cache (adapters/cli/bundle.ts says why).
//   node scripts/build.mjs                `npm run build`: the compiler must be installed.
//   node scripts/build.mjs --if-possible  the `prepare` script, which `npm install` and `npm ci` run:
//     `npm ci --omit=dev` installs no compiler, and then an existing build is used as it is; only a
//     missing build is an error.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const bundle = `${dist}paperbot.cjs`;
const ifPossible = process.argv.includes('--if-possible');

if (!existsSync(tsc)) {
  if (ifPossible && existsSync(`${dist}adapters/cli/main.js`)) process.exit(0);
  console.error(
    'paperbot: cannot build: the TypeScript compiler is not installed (dev dependencies were omitted). Run `npm install`, then `npm run build`; `npm prune --omit=dev` afterwards keeps the build.',
  );
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

/**
 * Packages left out of the bundle, loaded from node_modules as usual: native addons (and the optional
 * ones discord.js, ws and pg try), and CommonJS packages only a few commands load, which would make
 * every start read them (citation formats, PostgreSQL). The BibTeX parser stays in: its CommonJS
 * build cannot be required.
 */
const EXTERNAL = ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'zlib-sync', 'pg', 'pg-native', '@citation-js/*'];

/**
 * What `start` loads, imported once by the warm-up so that the code cache holds it compiled; the
 * bundle's modules are only evaluated when first imported, as in dist/.
 */
const WARM_UP = ['./adapters/cli/service.js', './adapters/slack/index.js', './adapters/discord/index.js'];

const { build } = await import('esbuild');
await build({
  stdin: {
    // The warm-up also reads the bundled list once, which leaves its parse in the catalog's cache
    // (src/catalog/index.ts): the first start after a build then reads the list as a restart does.
    contents: `export { main } from './adapters/cli/index.js';\nexport const warmUp = () => Promise.all([${WARM_UP.map((m) => `import(${JSON.stringify(m)})`).join(', ')}, import('./src/catalog/index.js').then((catalog) => catalog.loadCatalog())]);\n`,
    resolveDir: dist,
    sourcefile: 'paperbot-bundle.js',
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: EXTERNAL,
  // import() of the bundle's own modules becomes a lazy evaluation, of a package outside it a require.
  supported: { 'dynamic-import': false },
  minifyWhitespace: true,
  legalComments: 'eof',
  logLevel: 'warning',
  plugins: [moduleUrls()],
  banner: {
    js: 'const __importMeta = (file) => { const filename = require("node:path").join(__dirname, file); return { url: require("node:url").pathToFileURL(filename).href, filename, dirname: require("node:path").dirname(filename) }; };',
  },
});
// The bundle's first line names it; its code cache starts with the same name (adapters/cli/bundle.ts).
const body = asciiOnly(readFileSync(bundle, 'utf8'));
writeFileSync(bundle, `/* paperbot bundle ${createHash('sha256').update(body).digest('hex').slice(0, 32)} */${body}`, 'latin1');

// The code cache: the bundle compiled by this Node, with what `start` loads, made in a process of its own.
const warmUp = `
  const { loadBundle } = await import(${JSON.stringify(pathToFileURL(`${dist}adapters/cli/bundle.js`).href)});
  const bundle = loadBundle(new URL(${JSON.stringify(pathToFileURL(bundle).href)}), 'build');
  await bundle.cli.warmUp();
  bundle.saveCodeCache();`;
const warmed = spawnSync(process.execPath, ['--input-type=module', '-e', warmUp], { cwd: root, stdio: 'inherit' });
process.exit(warmed.status ?? 1);

/**
 * The bundle in ASCII, which the loader reads as Latin-1: V8 holds a source with a single character
 * beyond it as two bytes a character (13 MB instead of 6.5), and decoding UTF-8 costs more. esbuild
 * leaves such characters in regular expressions (the Chinese schedule words, typographic quotes);
 * each becomes a \\u escape, which means the same character in a regular expression, a string, a
 * template or a comment. An escaped one (`\\’`, the same character) loses its backslash first.
 */
function asciiOnly(text) {
  const ascii = text.replace(/(\\*)([\u0080-\uffff])/g, (_, slashes, char) => {
    const kept = slashes.length % 2 === 1 ? slashes.slice(1) : slashes;
    return `${kept}\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  if (/[\u0080-\uffff]/.test(ascii)) throw new Error('the bundle is not ASCII');
  return ascii;
}

/**
 * Modules find files beside them from import.meta (ours: data/, their own code for the cache keys,
 * the checkpoint worker's driver; node-cron its own folder): in the bundle each keeps the URL of its
 * file in dist/ or node_modules/, which the build leaves in place.
 */
function moduleUrls() {
  return {
    name: 'module-urls',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        const file = JSON.stringify(relative(dist, args.path));
        return { contents: text.replace(/\bimport\.meta\b(?!\s*[(])/g, `__importMeta(${file})`), loader: 'js' };
      });
    },
  };
}
