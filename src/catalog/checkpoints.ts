import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/db.js';

/**
 * WAL checkpoints off the write path. SQLite copies the write-ahead log back into the database (and
 * syncs both) inside the commit that takes the log past 1,000 pages: with about 8 pages per added
 * paper, every 130th add paid 10–25 ms for it (measured on 100,000 papers). Here a worker thread
 * with its own short-lived connection runs a PASSIVE checkpoint (it never takes the write lock)
 * whenever the catalog has written about 256 pages, and the next commit that finds the log copied
 * restarts it from the beginning. The connection's own automatic checkpoint is moved to 4,000
 * pages (16 MB), a safety net for a burst of writes that never leaves the worker a quiet moment.
 * If the worker cannot run, the automatic checkpoint goes back to SQLite's default.
 *
 * One worker per process serves every database file, one checkpoint at a time; it is unref'd, so it
 * never keeps a process alive, and idle between requests. In-memory databases have no log.
 */
const CHECKPOINT_EVERY_PAGES = 256;
const PAGE_ESTIMATE_PER_WRITE = 8;
const SAFETY_NET_PAGES = 4000;
const SQLITE_DEFAULT_PAGES = 1000;

// Plain CommonJS run with `eval`, so it needs no build step and no TypeScript loader in the worker.
// `busy` is shared memory: the writer sees the checkpoint finish without waiting for its event loop
// (an import adds thousands of papers in one synchronous run).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const busy = new Int32Array(workerData.busy);
parentPort.on('message', (path) => {
  try {
    const db = new Database(path, { fileMustExist: true, timeout: 0 });
    try { db.pragma('wal_checkpoint(PASSIVE)'); } finally { db.close(); }
  } catch {
    // Busy, or the file is gone: the next request tries again; the safety net bounds the log.
  } finally {
    Atomics.store(busy, 0, 0);
  }
});
`;

const fallbacks = new Set<Db>();
let worker: { thread: Worker; busy: Int32Array } | null = null;
let broken = false;

function checkpointWorker(): typeof worker {
  if (worker || broken) return worker;
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const shared = new SharedArrayBuffer(4);
    const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, busy: shared } });
    thread.unref();
    const current = { thread, busy: new Int32Array(shared) };
    const stop = () => {
      if (worker === current) worker = null;
      broken = true;
      for (const db of fallbacks) if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    };
    thread.on('error', stop);
    thread.on('exit', stop);
    worker = current;
  } catch {
    broken = true;
  }
  return worker;
}

/**
 * Counts the pages a connection's catalog writes add to the log and asks for a checkpoint in time.
 * The worker starts with the first checkpoint due, not with the connection: a bot that adds no
 * papers never pays for a thread (about 15 MB resident).
 */
export class WalCheckpoints {
  private pages = 0;
  private path: string | null = null;
  private started = false;

  constructor(private readonly db: Db) {
    if (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return;
    this.path = db.name;
  }

  /** After a committed write of one record. */
  wrote(): void {
    if (!this.path) return;
    this.pages += PAGE_ESTIMATE_PER_WRITE;
    if (this.pages < CHECKPOINT_EVERY_PAGES) return;
    if (!this.started) {
      // Until now SQLite's own checkpoint at 1,000 pages stood; the worker takes over from here.
      if (!checkpointWorker()) {
        this.path = null;
        return;
      }
      this.db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
      fallbacks.add(this.db);
      this.started = true;
    }
    if (!worker || Atomics.compareExchange(worker.busy, 0, 0, 1) !== 0) return;
    this.pages = 0;
    worker.thread.postMessage(this.path);
  }
}
