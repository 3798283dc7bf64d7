import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A throw-away PostgreSQL server for tests and CI: a cluster initialised in a temporary folder, on a
 * free port of 127.0.0.1, with trust authentication (nothing but this machine can reach it), and
 * durability turned off (a test cluster is deleted anyway). PostgreSQL refuses to run as root, so
 * when we are root every PostgreSQL program runs as the `postgres` user through runuser, and the
 * folder is handed to that user first.
 */
export type TestPostgres = {
  url: string;
  stop(): Promise<void>;
  /** Shuts the server down cleanly (its sessions end, new connections are refused), keeping its data. */
  halt(): Promise<void>;
  /** Starts it again on the same port and data after `halt()`. */
  resume(): Promise<void>;
  /** Stops every process of the server where it stands (SIGSTOP), as a hung host would: connections stay open and nothing answers. */
  freeze(): void;
  /** Lets a frozen server go on (SIGCONT). */
  thaw(): void;
};

/** The folder of initdb and pg_ctl: PAPERBOT_PG_BINDIR, `pg_config --bindir`, or Debian's newest. */
export function postgresBinDir(): string | null {
  const candidates: string[] = [];
  if (process.env.PAPERBOT_PG_BINDIR) candidates.push(process.env.PAPERBOT_PG_BINDIR);
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // No pg_config on the PATH: look where Debian puts the versions.
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb/pg_ctl): apt-get install -y postgresql, or set PAPERBOT_PG_BINDIR.');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const program = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args);
  const pgCtl = (...args: string[]) => program('pg_ctl', ['-D', data, ...args]);
  try {
    await program('initdb', ['-D', data, '-U', 'paperbot', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    let port = 0;
    let options = '';
    // Another process may take the free port between the check and the start: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      options = [
        '-c listen_addresses=127.0.0.1',
        `-p ${port}`,
        `-c unix_socket_directories=${dir}`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=300',
      ].join(' ');
      try {
        await pgCtl('-l', logFile, '-w', '-t', '60', '-o', options, 'start');
        break;
      } catch (error) {
        if (attempt >= 3) throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${readLog(logFile)}`);
      }
    }
    const watchdog = stopWhenGone(process.pid, asRoot, join(bin, 'pg_ctl'), data, dir);
    const url = `postgres://paperbot@127.0.0.1:${port}/postgres`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
    let stopped: Promise<void> | null = null;
    return {
      url,
      halt: async () => {
        await pgCtl('-m', 'fast', '-w', 'stop');
      },
      resume: async () => {
        await pgCtl('-l', logFile, '-w', '-t', '60', '-o', options, 'start');
      },
      freeze: () => signalServer(data, 'SIGSTOP'),
      thaw: () => signalServer(data, 'SIGCONT'),
      stop: () =>
        (stopped ??= pgCtl('-m', 'immediate', '-w', 'stop')
          .then(() => undefined)
          .catch(() => undefined)
          .finally(() => {
            rmSync(dir, { recursive: true, force: true });
            watchdog.kill();
          })),
    };
  } catch (error) {
    await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * pg_ctl leaves the server running on its own, so a test run killed before its teardown (a timeout,
 * Ctrl-C, SIGKILL) would leave it behind. A detached shell waits for this process to end and then
 * stops the server and deletes its folder; a normal stop kills the shell.
 */
function stopWhenGone(owner: number, asRoot: boolean, pgCtl: string, data: string, dir: string): { kill(): void } {
  const stop = `${asRoot ? 'runuser -u postgres -- ' : ''}"$1" -D "$2" -m immediate stop >/dev/null 2>&1`;
  const script = `while kill -0 "$0" 2>/dev/null; do sleep 1; done; ${stop}; rm -rf "$3"`;
  const child = spawn('sh', ['-c', script, String(owner), pgCtl, data, dir], { detached: true, stdio: 'ignore' });
  child.unref();
  return {
    kill: () => {
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid);
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/** Sends `signal` to the server's postmaster (named in its data folder) and to each of its children, postmaster first. */
function signalServer(data: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' }).split('\n').map(Number).filter((pid) => pid > 0);
  for (const pid of [postmaster, ...children]) {
    try {
      process.kill(pid, signal);
    } catch {
      // A backend that ended meanwhile.
    }
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

/** A fresh, empty database on the server at `serverUrl`, for one test; `drop` removes it. */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `paperbot_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
