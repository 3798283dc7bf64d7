import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copiedFromContext, dockerInstructions, execForm, read, ROOT, unitSettings } from './files.js';

const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** A path in the build's output names its source: dist/adapters/cli/main.js comes from adapters/cli/main.ts. */
function sourceOf(path: string): string {
  return path.startsWith('dist/') ? path.replace(/^dist\//, '').replace(/\.js$/, '.ts') : path;
}

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');

  it('copies only files that exist in the repository, and everything the build reads', () => {
    const copied = copiedFromContext(dockerfile);
    expect(copied.length).toBeGreaterThan(3);
    for (const path of copied) expect(existsSync(join(ROOT, path)), path).toBe(true);
    // What `npm ci` + the build need: the manifest, the lockfile, both tsconfigs, the build script.
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'adapters', 'data']) {
      expect(copied).toContain(needed);
    }
    expect(scripts.prepare).toMatch(/scripts\/build\.mjs/);
  });

  it('is multi-stage on a slim Node 20 image, runs as a non-root user, keeps the database on a volume and checks /healthz', () => {
    const instructions = dockerInstructions(dockerfile);
    const bases = instructions.filter((i) => i.op === 'FROM').map((i) => i.args);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^node:20[\w.-]*-slim\b/);
    expect(instructions.find((i) => i.op === 'USER')?.args).not.toMatch(/^(root|0)$/);
    const volume = instructions.find((i) => i.op === 'VOLUME')?.args ?? '';
    const env = instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    const dbPath = /PAPERBOT_DB=(\S+)/.exec(env)?.[1] ?? '';
    expect(dbPath.startsWith(JSON.parse(volume)[0] + '/')).toBe(true);
    expect(instructions.find((i) => i.op === 'HEALTHCHECK')?.args).toMatch(/\/healthz/);
    expect(instructions.some((i) => i.op === 'RUN' && /npm prune --omit=dev/.test(i.args))).toBe(true);
  });

  it('starts the compiled entry point, whose source exists', () => {
    const cmd = execForm(dockerfile, 'CMD');
    expect(cmd[0]).toBe('node');
    expect(cmd[1]).toMatch(/^dist\/.*\.js$/);
    expect(existsSync(join(ROOT, sourceOf(cmd[1])))).toBe(true);
    // Every `node <file>` a RUN step names exists too (as a source, for files the build makes).
    for (const run of dockerInstructions(dockerfile).filter((i) => i.op === 'RUN')) {
      for (const [, file] of run.args.matchAll(/\bnode (\S+\.m?js)\b/g)) expect(existsSync(join(ROOT, sourceOf(file))), file).toBe(true);
    }
  });

  it('has an ignore file beside it that keeps local state and secrets out of the image', () => {
    const ignored = read('deploy/Dockerfile.dockerignore').split('\n');
    for (const entry of ['**/node_modules', 'dist', '.env', '*.db']) expect(ignored).toContain(entry);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = read('deploy/compose.yaml');
  const value = (key: string) => new RegExp(`^\\s*${key}:\\s*(\\S+)\\s*$`, 'm').exec(compose)?.[1] ?? '';

  it('builds the Dockerfile from the repository and names files that exist', () => {
    const context = resolve(ROOT, 'deploy', value('context'));
    expect(context).toBe(resolve(ROOT));
    expect(existsSync(join(context, value('dockerfile')))).toBe(true);
    // .env is the operator's copy of .env.example (kept out of git).
    const envFile = resolve(ROOT, 'deploy', value('env_file'));
    expect(envFile).toBe(join(ROOT, '.env'));
    expect(existsSync(join(ROOT, '.env.example'))).toBe(true);
  });

  it('restarts on failure, keeps the database on a volume and gives the drain time to finish', () => {
    expect(value('restart')).toBe('on-failure');
    expect(compose).toMatch(/^\s*- paperbot-data:\/data$/m);
    expect(value('PAPERBOT_DB')).toMatch(/^\/data\//);
    expect(Number.parseInt(value('stop_grace_period'), 10)).toBeGreaterThan(10);
  });
});

describe('deploy/paperbot.service', () => {
  const unit = unitSettings(read('deploy/paperbot.service'));
  const installDir = unit.get('WorkingDirectory') ?? '';
  const inRepo = (path: string) => join(ROOT, path.slice(installDir.length + 1));

  it('runs the compiled entry point of the checkout installed in WorkingDirectory, and restarts on failure', () => {
    const [node, entry, command] = (unit.get('ExecStart') ?? '').split(/\s+/);
    expect(node).toMatch(/\/node$/);
    expect(entry.startsWith(installDir + '/')).toBe(true);
    expect(existsSync(join(ROOT, sourceOf(inRepo(entry).slice(ROOT.length))))).toBe(true);
    expect(command).toBe('start');
    expect(unit.get('Restart')).toBe('on-failure');
    expect(unit.get('KillSignal')).toBe('SIGTERM');
    expect(Number(unit.get('TimeoutStopSec'))).toBeGreaterThan(10);
  });

  it('keeps the database in its state directory and reads settings from the checkout’s .env', () => {
    expect(unit.get('Environment')).toBeDefined();
    const text = read('deploy/paperbot.service');
    const db = /PAPERBOT_DB=(\S+)/.exec(text)?.[1] ?? '';
    expect(db.startsWith(`/var/lib/${unit.get('StateDirectory')}/`)).toBe(true);
    expect(unit.get('EnvironmentFile')?.replace(/^-/, '')).toBe(`${installDir}/.env`);
  });

  it('names only npm scripts and files that exist', () => {
    const text = read('deploy/paperbot.service');
    for (const [, script] of text.matchAll(/npm run ([\w:-]+)/g)) expect(scripts[script], script).toBeDefined();
    for (const [, file] of text.matchAll(/(?<=\s)((?:deploy|bin|scripts)\/[\w.-]+)/g)) expect(existsSync(join(ROOT, file)), file).toBe(true);
  });
});
