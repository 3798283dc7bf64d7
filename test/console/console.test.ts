import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

/** The paperbot command from the sources (the compiled one is tested in test/deploy). */
const PAPERBOT = [join(root, 'bin/run-ts.js'), join(root, 'adapters/cli/main.ts')];

/** Runs the real `paperbot` command as a user would, with no platform settings. */
function paperbot(args: string[], input = '') {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-cli-'));
  const env = { PATH: process.env.PATH ?? '', HOME: dir, PAPERBOT_DB: join(dir, 'state.db'), LOG_LEVEL: 'warn' };
  return spawnSync(process.execPath, [...PAPERBOT, ...args], { cwd: dir, env, input, encoding: 'utf8', timeout: 60_000 });
}

describe('the console adapter and the paperbot binary', () => {
  it('GIVEN piped input and no platform tokens THEN start answers each line as text and exits at end of input', () => {
    const run = paperbot(['start'], '/paper help\n/paper show no-such-id\n');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/paperbot usage/);
    expect(run.stdout).toMatch(/No paper has the id "no-such-id"/);
    expect(run.stdout).not.toMatch(/paper> /); // no prompt when stdin is not a terminal
  });

  it('GIVEN a reader that stops reading early (`npm start 2>&1 | head -1`) THEN start exits instead of logging into the closed pipe forever', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperbot-cli-'));
    const env = { PATH: process.env.PATH ?? '', HOME: dir, PAPERBOT_DB: join(dir, 'state.db'), LOG_LEVEL: 'warn' };
    // `timeout` bounds a regression: the bug this guards against spun at full CPU and never ended.
    const script = `printf '/paper gan mri\\n/paper help\\n/paper 帮助\\n' | timeout 30 "${process.execPath}" ${PAPERBOT.map((p) => `"${p}"`).join(' ')} start 2>&1 | head -1; echo "exit \${PIPESTATUS[1]}"`;
    const run = spawnSync('bash', ['-c', script], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toMatch(/papers for "gan mri"/);
    expect(run.stdout).toMatch(/exit 0$/m); // 124 would mean `timeout` had to kill it
  });

  it('GIVEN say --json THEN the neutral reply is printed as JSON with its papers', () => {
    const list = JSON.parse(paperbot(['list', '--json']).stdout);
    const run = paperbot(['say', `show ${list[0].id}`, '--json', '--channel', 'lab', '--user', 'alice']);
    expect(run.status).toBe(0);
    const reply = JSON.parse(run.stdout);
    expect(reply.kind).toBe('paper');
    expect(reply.papers[0]).toMatchObject({ id: list[0].id, title: list[0].title });
    for (const key of ['id', 'title', 'year', 'venue', 'url', 'techniques', 'modalities', 'regions', 'tasks', 'datasets', 'authors']) {
      expect(reply.papers[0]).toHaveProperty(key);
    }
  });

  it('GIVEN search --json --limit THEN it prints at most that many papers, best first, without duplicates', () => {
    const run = paperbot(['search', 'since:2010', '--json', '--limit', '3']);
    expect(run.status).toBe(0);
    const papers = JSON.parse(run.stdout);
    expect(papers).toHaveLength(3);
    expect(new Set(papers.map((p: { id: string }) => p.id)).size).toBe(3);
  });

  it('GIVEN search --json THEN each paper carries its score and the words it misses', () => {
    const papers = JSON.parse(paperbot(['search', 'liver teeth', '--json', '--limit', '3']).stdout);
    expect(papers.length).toBeGreaterThan(0);
    for (const p of papers) {
      expect(p.score).toBeGreaterThan(0);
      expect(p.missing).toEqual(['teeth']);
    }
  });

  it('GIVEN validate alone THEN it lists the corrections of the bundled list with their reasons and sources', () => {
    const run = paperbot(['validate']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/data\/corrections\.json: \d+ corrections of the published list/);
    expect(run.stdout).toMatch(/regions: Heart → Lung\n\s+why: .+\n\s+source: doi:10\.1118\/1\.4948498\n\s+applied/);
    expect(run.stdout).not.toMatch(/NOT applied/);
  });

  it('GIVEN a bad flag or a malformed setting THEN the binary exits non-zero with a message that says how to fix it', () => {
    expect(paperbot(['search', 'mri', '--limit', 'lots']).stderr).toMatch(/--limit must be a whole number/);
    const unknownFlag = paperbot(['say', '--page', '2']);
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toMatch(/Unknown option '--page'.*after '--'/);
    expect(unknownFlag.stderr).not.toMatch(/\n\s+at /); // a hint, not a stack trace
    const dir = mkdtempSync(join(tmpdir(), 'paperbot-cli-'));
    const bad = spawnSync(process.execPath, [...PAPERBOT, 'start'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DISCORD_TOKEN: 'x' },
      input: '',
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/DISCORD_APP_ID/);
  });
});
