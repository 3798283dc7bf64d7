import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../adapters/cli/index.js';
import { createPaperbot, type Paperbot } from '../../src/app.js';
import { migrations } from '../../src/capabilities/index.js';
import { loadConfig } from '../../src/config.js';
import type { Reply } from '../../src/reply.js';
import { holdRunningLease } from '../../src/store/lease.js';
import { backupPostgres, restorePostgres } from '../../src/store/sql/backup.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';
import { syntheticPapers } from '../spotlight/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bot(database: FreshDatabase): Promise<Paperbot> {
  const paperbot = await createPaperbot({ config: loadConfig(database.env), catalog: { papers: syntheticPapers(6) } });
  cleanups.push(() => paperbot.close());
  return paperbot;
}

const say = (p: Paperbot, text: string): Promise<Reply> =>
  p.bot.handle({ text, platform: 'slack', workspaceId: 'T1', channelId: 'C1', userId: 'U1', canManageChannel: true, trigger: 'command' });

async function cli(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: process.stdin, env: { ...env, LOG_LEVEL: 'silent' } });
  return { code, stdout, stderr };
}

const feedSources = async (p: Paperbot) => (await p.services.sql.all<{ source: string }>('SELECT source FROM feeds ORDER BY id')).map((r) => r.source);

describe.runIf(testedEngines().includes('postgres'))('backup and restore on PostgreSQL', () => {
  it('GIVEN a running bot THEN backup takes the whole state (the catalog too), restore refuses until it stops, then puts the state back and keeps what it replaced', async () => {
    const database = await freshDatabase('postgres');
    cleanups.push(() => database.cleanup());
    const dir = join(database.dbPath, '..');
    const a = await bot(database);
    expect((await say(a, 'feed add arxiv:eess.IV')).kind).toBe('feed-add');
    expect((await say(a, 'feed add pubmed:"deep learning"')).kind).toBe('feed-add');
    const added = await a.services.catalog.addWork(
      { title: 'Thyroid nodule ultrasound segmentation', authors: ['Doe, Jane'], year: 2026, venue: '', abstract: '', doi: '10.5555/backup.1', url: '', subjects: [], sameAs: [], source: 'crossref' },
      'added',
      'U1',
    );
    const lease = await holdRunningLease(a.services.sql);

    const file = join(dir, 'backups', 'state.backup');
    const backup = await cli(['backup', file], database.env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^backed up postgres:\/\/.* to .*state\.backup \(\d+ tables, \d+ rows, \d+ KiB\)$/m);
    // Nothing the bot reads on PostgreSQL is in the SQLite file any more: no copy of it beside.
    expect(backup.stdout).not.toMatch(/\.sqlite/);
    expect(existsSync(`${file}.sqlite`)).toBe(false);

    expect((await say(a, 'feed remove 1')).kind).toBe('feed-remove');
    expect((await say(a, `remove ${added.paper.id}`)).kind).toBe('paper-removed');
    expect(await feedSources(a)).toEqual(['pubmed:"deep learning"']);
    const refused = await cli(['restore', file], database.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a bot is running on postgres:\/\/.*pid \d+.*Stop it first/);
    expect(await feedSources(a)).toEqual(['pubmed:"deep learning"']);

    await lease.release();
    await a.close();
    const restored = await cli(['restore', file], database.env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/the state it replaced is backed up in .*state\.backup\.before-restore-/);

    // A bot starting on the restored state finds both feeds, their workspace's, and no one running.
    const b = await bot(database);
    expect(await feedSources(b)).toEqual(['arxiv:eess.IV', 'pubmed:"deep learning"']);
    expect(((await say(b, 'feed list')).data as { feeds: unknown[] }).feeds).toHaveLength(2);
    expect(await b.services.sql.all("SELECT key FROM meta WHERE key LIKE 'running:%'")).toEqual([]);
    // The catalog as it was: the paper removed after the backup is back.
    expect(b.services.search.search('thyroid nodule ultrasound').hits[0]?.paper.id).toBe(added.paper.id);
    const versions = (await b.services.sql.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);
    expect(versions).toEqual(migrations.filter((m) => 'portable' in m).map((m) => m.version).sort((x, y) => x - y));
  });

  it('GIVEN writes landing while the backup reads THEN it holds whole transactions only', async () => {
    const database = await freshDatabase('postgres');
    cleanups.push(() => database.cleanup());
    const a = await bot(database);
    let batch = 0;
    let stop = false;
    let landed: () => void = () => undefined;
    // The backup starts once some batches have landed, and more keep landing while it reads.
    const someLanded = new Promise<void>((resolve) => (landed = resolve));
    const writer = (async () => {
      while (!stop) {
        const n = batch++;
        await a.services.sql.transaction(async (tx) => {
          for (let i = 0; i < 20; i++) await tx.run('INSERT INTO meta (key, value) VALUES (?, ?)', [`w-${n}-${i}`, 'x']);
        });
        if (n === 2) landed();
      }
    })();
    const file = join(database.dbPath, '..', 'during.backup');
    await someLanded;
    const result = await backupPostgres(database.databaseUrl!, file);
    stop = true;
    await writer;
    const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    const meta = lines.findIndex((l) => l.table === 'meta');
    const written = lines.slice(meta + 1, meta + 1 + lines[meta].rows).filter((row: string[]) => row[0].startsWith('w-')).length;
    expect(written).toBeGreaterThan(0);
    expect(written % 20).toBe(0);
    expect(result.rows).toBeGreaterThanOrEqual(written);
  });

  it('GIVEN a cut-off, foreign or newer backup THEN restore refuses and the database is as it was', async () => {
    const database = await freshDatabase('postgres');
    cleanups.push(() => database.cleanup());
    const dir = join(database.dbPath, '..');
    const a = await bot(database);
    await say(a, 'feed add arxiv:eess.IV');
    const file = join(dir, 'good.backup');
    await backupPostgres(database.databaseUrl!, file);
    await say(a, 'feed add arxiv:cs.CV');
    const text = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');

    const cut = join(dir, 'cut.backup');
    writeFileSync(cut, gzipSync(text.slice(0, -1).join('\n') + '\n'));
    await expect(restorePostgres(database.databaseUrl!, cut, migrations)).rejects.toThrow(/incomplete/);
    const newer = join(dir, 'newer.backup');
    const header = JSON.parse(text[0]!);
    writeFileSync(newer, gzipSync([JSON.stringify({ ...header, schema: [...header.schema, 999] }), ...text.slice(1)].join('\n') + '\n'));
    await expect(restorePostgres(database.databaseUrl!, newer, migrations)).rejects.toThrow(/newer paperbot/);
    const foreign = join(dir, 'notes.txt');
    writeFileSync(foreign, 'not a backup');
    await expect(restorePostgres(database.databaseUrl!, foreign, migrations)).rejects.toThrow(/not a paperbot PostgreSQL backup/);
    await expect(restorePostgres(database.databaseUrl!, join(dir, 'missing.backup'), migrations)).rejects.toThrow(/does not exist/);

    expect(await feedSources(a)).toEqual(['arxiv:eess.IV', 'arxiv:cs.CV']);
    // The good one still restores.
    await expect(restorePostgres(database.databaseUrl!, file, migrations)).resolves.toMatchObject({ previous: expect.stringContaining('good.backup.before-restore-') });
    expect(await feedSources(a)).toEqual(['arxiv:eess.IV']);
    expect(existsSync(file)).toBe(true);
  });
});
