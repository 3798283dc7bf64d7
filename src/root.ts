import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installation's top folder (where package.json, data/ and node_modules/ are), found by walking
 * up from this module. The same code runs from src/ through tsx and from the build in dist/src/,
 * so files beside the code cannot be reached by a fixed number of `..`.
 */
const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'paperbot') return dir;
    if (dirname(dir) === dir) throw new Error(`paperbot: no package.json named "paperbot" above ${start}; run paperbot from its installation.`);
  }
}

/** A path inside the installation, e.g. `projectPath('data', 'vocabulary.json')`. */
export function projectPath(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}
