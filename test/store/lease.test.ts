import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../adapters/cli/index.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { holdRunningLease, runningBots, type RunningLease } from '../../src/store/lease.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';
import { syntheticPapers } from '../spotlight/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function replica(database: FreshDatabase): Promise<{ paperbot: Paperbot; lease: RunningLease }> {
  const paperbot = await createPaperbot({ config: loadConfig(database.env), catalog: { papers: syntheticPapers(3) } });
  const lease = await holdRunningLease(paperbot.services.sql);
  cleanups.push(() => paperbot.close(), () => lease.release());
  return { paperbot, lease };
}

async function doctor(env: Record<string, string>): Promise<string> {
  let out = '';
  await main(['doctor'], { stdout: (t) => void (out += t), stderr: () => undefined, stdin: process.stdin, env: { ...env, LOG_LEVEL: 'silent' } });
  return out;
}

describe.each(testedEngines())('the running lease on %s', (engine) => {
  it('GIVEN two replicas on one database THEN each sees the other running until it stops, and doctor names both and reads the engine in use', async () => {
    const database = await freshDatabase(engine);
    cleanups.push(() => database.cleanup());
    const a = await replica(database);
    const b = await replica(database);
    const ids = async (p: Paperbot) => (await runningBots(p.services.sql)).map((r) => r.id).sort();
    expect(await ids(a.paperbot)).toEqual([a.lease.id, b.lease.id].sort());
    expect(await ids(b.paperbot)).toEqual([a.lease.id, b.lease.id].sort());

    const report = await doctor(database.env);
    const label = engine === 'postgres' ? 'PostgreSQL' : 'database';
    expect(report).toMatch(new RegExp(`^ok\\s+${label}: .*schema up to date`, 'm'));
    expect(report).toMatch(new RegExp(`^note\\s+${label}: in use by pid ${process.pid} on .*, pid ${process.pid} on `, 'm'));
    // Nothing is pending anywhere: on PostgreSQL the file holds only the SQLite-only migrations.
    expect(report).not.toMatch(/will run at the next start/);

    await b.lease.release();
    expect(await ids(a.paperbot)).toEqual([a.lease.id]);
  });
});
