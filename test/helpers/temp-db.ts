import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory for one test's state database; `cleanup` removes it with everything in it. */
export function tempDbPath(): { dbPath: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-'));
  return { dbPath: join(dir, 'state.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
