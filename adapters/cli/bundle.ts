import { accessSync, constants, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * The build (scripts/build.mjs) also bundles the CLI with its packages into dist/paperbot.cjs, and
 * compiles it once into a V8 code cache beside it. Node 20 starting from dist/'s own modules resolves,
 * reads, lexes and compiles about a thousand files (discord.js and Bolt most of them) on every start;
 * the bundle is one read, and the code cache spares the compiling of what start-up runs.
 *
 * The cache is only a hint: its first line names the bundle it was made from (a hash the build writes
 * into the bundle's first line) and the command that made it, and V8 checks the rest against its own
 * version and flags. A cache that does not fit is not used (the bundle compiles from source as it
 * would without one), and a fresh one is written once the command has run, if the folder is
 * writable. The build's cache holds the modules `start` loads; the first `start` replaces it with
 * one that also holds what connecting and serving compiled.
 */

type CliModule = typeof import('./index.js');

export type LoadedBundle = {
  cli: CliModule;
  /** Writes the code cache when there was none that fitted; from then on a no-op. */
  saveCodeCache(): void;
};

const HEADER = /^\/\* paperbot bundle (\w+) \*\//;

/**
 * The bundle at `bundleUrl` when the build made one, its code cache used if it fits; null when absent.
 * `command`: what this process runs (`start`, or `build` for the build's own warm-up).
 */
export function loadBundle(bundleUrl: URL, command: string): LoadedBundle | null {
  const file = fileURLToPath(bundleUrl);
  let source: string;
  try {
    // ASCII (the build makes sure): read as Latin-1, V8 keeps it one byte a character.
    source = readFileSync(file, 'latin1');
  } catch {
    return null;
  }
  const id = HEADER.exec(source)?.[1];
  if (!id) return null;
  const cacheFile = `${file}.cache`;
  let cachedData: Buffer | undefined;
  let madeBy: string | undefined;
  try {
    const cache = readFileSync(cacheFile);
    const firstLine = cache.indexOf(10);
    const [forBundle, by] = cache.subarray(0, Math.max(0, firstLine)).toString('latin1').split(' ');
    if (forBundle === id) [cachedData, madeBy] = [cache.subarray(firstLine + 1), by];
  } catch {
    // No cache yet: compiled from source, and one is written after the run.
  }
  // A CommonJS script with no import() left (the build turns each into a require or a lazy evaluation).
  const script = new vm.Script(wrap(source), { filename: file, cachedData });
  const module = { exports: {} as CliModule };
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  run(module.exports, createRequire(file), module, file, dirname(file));
  let stale = !cachedData || script.cachedDataRejected === true || (command === 'start' && madeBy !== 'start');
  return {
    cli: module.exports,
    saveCodeCache() {
      if (!stale) return;
      stale = false;
      const temp = `${cacheFile}.${process.pid}.tmp`;
      try {
        // A read-only installation (the container's, systemd's ProtectSystem) keeps the build's cache.
        accessSync(dirname(file), constants.W_OK);
        writeFileSync(temp, Buffer.concat([Buffer.from(`${id} ${command}\n`), script.createCachedData()]));
        renameSync(temp, cacheFile);
      } catch {
        // Not writable, or the disk is full: the next run compiles what the cache lacks again.
        rmSync(temp, { force: true });
      }
    },
  };
}

/** The CommonJS wrapper, on the bundle's first line so that its line numbers stay those of the file. */
function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}
