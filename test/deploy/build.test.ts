import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copiedFromContext, execForm, read, ROOT } from './files.js';

/**
 * The Dockerfile's steps, without a container runtime: copy what it copies, install (the checkout's
 * node_modules stands in for `npm ci`), build with the prepare script, prune the dev dependencies as
 * the lockfile marks them, and run its CMD. `npm ci` itself needs the registry and minutes.
 */
describe('the deploy steps: copy, install, build, prune, run', () => {
  const app = mkdtempSync(join(tmpdir(), 'paperbot-deploy-'));
  const run = (args: string[], input = '', env: Record<string, string> = {}) =>
    spawnSync(process.execPath, args, {
      cwd: app,
      input,
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: process.env.PATH ?? '', HOME: app, PAPERBOT_DB: join(app, 'state', 'paperbot.db'), LOG_LEVEL: 'info', ...env },
    });
  const dockerfile = read('deploy/Dockerfile');
  let build: ReturnType<typeof run>;

  beforeAll(() => {
    for (const path of copiedFromContext(dockerfile)) cpSync(join(ROOT, path), join(app, path), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    // What `npm ci` runs after installing: the prepare script.
    const prepare = (JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.prepare;
    build = run(prepare.split(' ').slice(1));
    // `npm prune --omit=dev`: only what the lockfile does not mark as a dev dependency stays.
    rmSync(join(app, 'node_modules'));
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!path || entry.dev || path.lastIndexOf('node_modules/') !== 0 || !existsSync(join(ROOT, path))) continue;
      mkdirSync(dirname(join(app, path)), { recursive: true });
      symlinkSync(join(ROOT, path), join(app, path));
    }
  }, 240_000);

  afterAll(() => rmSync(app, { recursive: true, force: true }));

  // Node would follow the links back into the checkout's full node_modules; this keeps lookups in the pruned one.
  const node = (args: string[], input?: string) => run(['--preserve-symlinks', ...args], input);

  it('builds dist/ with the prepare script and leaves no compiler or TypeScript loader among the production packages', () => {
    expect(build.status, build.stderr).toBe(0);
    expect(existsSync(join(app, 'dist/adapters/cli/main.js'))).toBe(true);
    for (const devOnly of ['typescript', 'tsx', 'esbuild', 'vitest']) expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'better-sqlite3'))).toBe(true);
  });

  it('runs the CMD from the pruned install: the console adapter answers', () => {
    const cmd = execForm(dockerfile, 'CMD');
    expect(cmd[0]).toBe('node');
    const started = node(cmd.slice(1), '/paper gan mri\n');
    expect(started.status, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/papers for "gan mri"/);
    expect(started.stderr).not.toMatch(/tsx|typescript/i);
  });

  it('the paperbot command runs the build, and the prepare script of `npm ci --omit=dev` keeps it', () => {
    const said = node(['bin/paperbot.js', 'say', 'show u-net-convolutional-networks-for-biomedical-image-segmentation-2015']);
    expect(said.status, said.stderr).toBe(0);
    expect(said.stdout).toMatch(/U-Net/);
    const again = node(['scripts/build.mjs', '--if-possible']);
    expect(again.status, again.stderr).toBe(0);
    expect(existsSync(join(app, 'dist/adapters/cli/main.js'))).toBe(true);
    const explicit = node(['scripts/build.mjs']);
    expect(explicit.status).toBe(1);
    expect(explicit.stderr).toMatch(/TypeScript compiler is not installed/);
  });
});
