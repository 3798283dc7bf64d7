import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { openDatabaseFile } from '../../src/store/open.js';

const dir = () => mkdtempSync(join(tmpdir(), 'paperbot-open-'));
const ROOT = new URL('../..', import.meta.url).pathname;

function failure(path: string): ConfigError {
  try {
    openDatabaseFile(path).close();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    return error as ConfigError;
  }
  throw new Error(`${path} opened`);
}

describe('opening PAPERBOT_DB', () => {
  it('GIVEN a folder THEN it says so and suggests a file inside it', () => {
    const d = dir();
    expect(failure(d).message).toMatch(new RegExp(`PAPERBOT_DB=${d} is a folder.*PAPERBOT_DB=${d}/paperbot.db`));
  });

  it('GIVEN a file that is not SQLite THEN it says so instead of a SQLite code', () => {
    const file = join(dir(), 'notes.db');
    writeFileSync(file, 'these are my notes, not a database; '.repeat(200));
    expect(failure(file).message).toMatch(/is not a SQLite database\. Point PAPERBOT_DB at paperbot's database/);
  });

  it('GIVEN a database in a folder this user cannot write THEN it says the place is read-only', () => {
    const d = dir();
    mkdirSync(join(d, 'ro'));
    const db = openDatabaseFile(join(d, 'ro', 'state.db'));
    db.exec('CREATE TABLE t (x)');
    db.close();
    chmodSync(join(d, 'ro', 'state.db'), 0o444);
    chmodSync(join(d, 'ro'), 0o555);
    chmodSync(d, 0o755);
    // Root writes anywhere: check as an unprivileged user then.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const script = `import { openDatabaseFile } from './src/store/open.ts'; try { openDatabaseFile(process.argv[2]); console.log('opened'); } catch (e) { console.log(e.message); }`;
    mkdirSync(join(d, 'x'), { recursive: true });
    writeFileSync(join(d, 'x', 'probe.mts'), script.replace('./src/store/open.ts', join(ROOT, 'src/store/open.ts')));
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/run-ts.js'), join(d, 'x', 'probe.mts'), join(d, 'ro', 'state.db')], {
      encoding: 'utf8',
      cwd: d,
      env: { PATH: process.env.PATH ?? '', HOME: d },
      ...asUser,
    });
    expect(run.stdout + run.stderr).toMatch(/PAPERBOT_DB=.*state\.db is read-only for this user.*must be writable/);
  });

  it('GIVEN a good path THEN the database opens and takes writes', () => {
    const db = openDatabaseFile(join(dir(), 'state.db'));
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    expect(db.prepare('SELECT x FROM t').pluck().get()).toBe(1);
    db.close();
  });
});
