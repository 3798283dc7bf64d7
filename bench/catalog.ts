/**
 * Catalog benchmark (issue 12): on a 100,000-paper stored catalog, adding one paper without the
 * network (store transaction + index upsert, p50/p99 over 300 adds), start-up from the database to a
 * ready index, and importing a 10,000-entry BibTeX file. Each is printed beside a full rebuild of
 * the search index over the same papers, the cost the incremental path avoids.
 *
 *   npm run bench -- catalog
 *   BENCH_DATABASE_URL=postgres://… npm run bench -- catalog   (the catalog on an empty PostgreSQL database)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Paper } from '../src/catalog/paper.js';

const SIZE = 100_000;
const ADDS = 300;
const IMPORT_ENTRIES = 10_000;
const GOALS = { addP99Ms: 5, startupMs: 2000, importMs: 10_000 };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function bibtexFile(count: number, papers: Paper[]): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = papers[i % papers.length];
    const authors = p.authors.length ? p.authors.join(' and ') : 'Doe, Jane';
    out.push(
      `@article{imp${i},\n  title = {${p.title.replace(/[{}]/g, '')} (imported ${i})},\n  author = {${authors}},\n  journal = {Medical Image Analysis},\n  year = {${p.year ?? 2020}},\n  doi = {10.5555/bench.${i}}\n}\n`,
    );
  }
  return out.join('\n');
}

export async function run(): Promise<void> {
  const { syntheticPapers } = await import('../scripts/synthetic-catalog.js');
  const { openDb } = await import('../src/store/db.js');
  const { migrations } = await import('../src/capabilities/index.js');
  const { CatalogStore } = await import('../src/catalog/store.js');
  const { LiveCatalog } = await import('../src/catalog/live.js');
  const { storedIndexCache } = await import('../src/catalog/index-cache.js');
  const { openSqlStore } = await import('../src/store/sql/open.js');
  const { CatalogService } = await import('../src/catalog/service.js');
  const { bundledVocabulary } = await import('../src/catalog/vocabulary.js');
  const { createSearch } = await import('../src/search/index.js');
  const { importLibrary } = await import('../src/catalog/cli.js');
  const { loadConfig } = await import('../src/config.js');
  const { systemClock } = await import('../src/clock.js');
  const { silentLogger } = await import('../src/log.js');

  const vocabulary = bundledVocabulary();
  const build = (papers: Paper[]) => createSearch({ papers, vocabulary });
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-bench-'));
  const sources = loadConfig({}).sources;
  try {
    const papers = syntheticPapers(SIZE).map((p) => ({ ...p, origin: 'bundled' as const }));
    const dbPath = join(dir, 'big.db');
    // The catalog on the store interface, as the bot opens it (app.ts openState): the SQLite file
    // and its store-interface connection (or PostgreSQL with DATABASE_URL: BENCH_DATABASE_URL here).
    const open = async (path: string) => {
      const db = openDb(path, migrations);
      const sql = await openSqlStore({ dbPath: path, databaseUrl: process.env.BENCH_DATABASE_URL }, db, migrations);
      return { db, sql, close: async () => { await sql.close(); db.close(); } };
    };
    {
      const state = await open(dbPath);
      const t = performance.now();
      await new CatalogStore(state.sql, vocabulary, systemClock).seed(papers);
      console.log(`seed ${SIZE} papers into ${state.sql.dialect.name}: ${(performance.now() - t).toFixed(0)} ms (once, at the first start after an upgrade)`);
      await state.close();
    }

    // Start-up as the bot does it (app.ts): open the database, then the live catalog: the index
    // snapshot restored and brought up to date, or (first start, or a stale snapshot) every record
    // read, the index built and the snapshot saved.
    const startUp = async () => {
      const t0 = performance.now();
      const state = await open(dbPath);
      const tOpen = performance.now();
      const store = new CatalogStore(state.sql, vocabulary, systemClock);
      const cache = storedIndexCache(state.sql, vocabulary);
      const live = await LiveCatalog.open(store, build, cache);
      const ready = performance.now();
      return { state, store, live, cache, ms: ready - t0, openMs: tOpen - t0 };
    };
    const cold = await startUp();
    await cold.state.close();
    // The start-up that counts runs in a process of its own, as a bot's does: this one holds the
    // generated papers and the cold index, whose heap would slow every collection of the restore.
    const fresh = JSON.parse(execFileSync(process.execPath, ['bin/run-ts.js', 'bench/catalog.ts', START_UP_FLAG, dbPath], { encoding: 'utf8' })) as { ms: number; firstQueryMs: number };
    const warm = await startUp();
    const { store, live } = warm;
    const tRead = performance.now();
    const stored = await store.all();
    const readMs = performance.now() - tRead;
    const tRebuild = performance.now();
    const rebuiltSearch = build(stored);
    const rebuildMs = performance.now() - tRebuild;
    const tSave = performance.now();
    await warm.cache.save(rebuiltSearch, await store.version());
    const saveMs = performance.now() - tSave;
    const tFirst = performance.now();
    const firstHits = live.search('lung nodule segmentation').hits.length;
    const firstQueryMs = performance.now() - tFirst;
    const startupMs = fresh.ms;
    console.log(
      `start-up with ${SIZE} stored papers to a ready index, in a fresh process: ${startupMs.toFixed(0)} ms from the index snapshot (goal ≤ ${GOALS.startupMs} ms: ${startupMs <= GOALS.startupMs ? 'met' : 'MISSED'}); its first query ${fresh.firstQueryMs.toFixed(1)} ms — the same in this benchmark's crowded process ${warm.ms.toFixed(0)} ms, first query ${firstQueryMs.toFixed(1)} ms (${firstHits} hits)`,
    );
    console.log(
      `  without a snapshot (first start, or the code or vocabulary changed): ${cold.ms.toFixed(0)} ms — reading every record ${readMs.toFixed(0)} ms + full index rebuild ${rebuildMs.toFixed(0)} ms + saving the snapshot ${saveMs.toFixed(0)} ms; ratio snapshot start-up / full rebuild ${(startupMs / rebuildMs).toFixed(3)}`,
    );
    // A second process (a `paperbot add`, a second bot) added papers since the snapshot: the next start applies them on top.
    {
      const other = await open(dbPath);
      const otherStore = new CatalogStore(other.sql, vocabulary, systemClock);
      await otherStore.writing(async (w) => {
        for (let i = 0; i < 200; i++) await w.add({ ...papers[i]!, id: `later-${i}`, title: `Later added thyroid nodule paper ${i}`, doi: `10.5555/later.${i}`, origin: 'added' }, 'added', null);
      });
      await other.close();
      const after = await startUp();
      const seen = after.live.search('later added thyroid nodule paper 7').hits.some((h) => h.paper.id === 'later-7');
      console.log(`  start-up after another process added 200 papers: ${after.ms.toFixed(0)} ms (the addition found: ${seen})`);
      await after.state.close();
    }
    // Adding one paper: the store's transaction (match, merge or insert) and the index upsert, no network.
    const service = new CatalogService(store, live, vocabulary, sources, systemClock, silentLogger);
    const times: number[] = [];
    // CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns.
    const cpuTimes: number[] = [];
    for (let i = 0; i < ADDS; i++) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      await service.addWork(
        { title: `Benchmark lung nodule segmentation paper ${i}`, authors: [`Bench, ${i}`], year: 2026, venue: 'arXiv', abstract: 'We segment lung nodules in CT with a 3D U-Net.', arxivId: `2612.${String(10000 + i)}`, url: '', subjects: [], sameAs: [], source: 'arxiv' },
        'added',
        null,
      );
      times.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      cpuTimes.push((used.user + used.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    const found = live.search('benchmark lung nodule segmentation paper 7').hits.some((h) => h.paper.title.endsWith(' 7'));
    console.log(
      `add one paper to ${SIZE}: p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms (CPU time p50 ${percentile(cpuTimes, 50).toFixed(2)} ms, p99 ${percentile(cpuTimes, 99).toFixed(2)} ms; goal ≤ ${GOALS.addP99Ms} ms; found by the next query: ${found}) — a full rebuild per add ${rebuildMs.toFixed(0)} ms (ratio p99/rebuild ${(percentile(times, 99) / rebuildMs).toFixed(5)})`,
    );
    // What a command pays before it runs when nothing changed: the catch-up's one query.
    const syncTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await live.sync();
      syncTimes.push(performance.now() - t);
    }
    syncTimes.sort((a, b) => a - b);
    console.log(`catch-up before a command, nothing changed: p50 ${percentile(syncTimes, 50).toFixed(3)} ms, p99 ${percentile(syncTimes, 99).toFixed(3)} ms`);
    await warm.state.close();

    // Import: a 10,000-entry BibTeX file into a catalog holding the bundled list.
    const { loadCatalog } = await import('../src/catalog/index.js');
    const bundled = (await loadCatalog()).papers;
    if (process.env.BENCH_DATABASE_URL) await dropCatalog(process.env.BENCH_DATABASE_URL);
    const importState = await open(join(dir, 'import.db'));
    const importStore = new CatalogStore(importState.sql, vocabulary, systemClock);
    await importStore.seed(bundled);
    const importLive = await LiveCatalog.open(importStore, build);
    const importService = new CatalogService(importStore, importLive, vocabulary, sources, systemClock, silentLogger);
    const bib = bibtexFile(IMPORT_ENTRIES, papers);
    const tImport = performance.now();
    const importCpu = process.cpuUsage();
    const summary = await importLibrary(importService, 'bibtex', bib);
    const importMs = performance.now() - tImport;
    const importCpuUsed = process.cpuUsage(importCpu);
    const importCpuMs = (importCpuUsed.user + importCpuUsed.system) / 1000;
    // The import writes the store only; the live index takes the papers in at its next catch-up.
    const tCatchUp = performance.now();
    await importLive.sync();
    const catchUpMs = performance.now() - tCatchUp;
    const tImportRebuild = performance.now();
    build(importLive.papers());
    const importRebuildMs = performance.now() - tImportRebuild;
    console.log(
      `import ${IMPORT_ENTRIES} BibTeX entries: ${importMs.toFixed(0)} ms (${summary.added.length} added, ${summary.merged.length} merged, ${summary.skipped.length} skipped; CPU time ${importCpuMs.toFixed(0)} ms; goal ≤ ${GOALS.importMs} ms; the index takes them in at the next query: ${catchUpMs.toFixed(0)} ms) — full index rebuild over the result ${importRebuildMs.toFixed(0)} ms (ratio ${(importMs / importRebuildMs).toFixed(2)})`,
    );
    await importState.close();
    console.log(
      `goals: add p99 ≤ 5 ms ${percentile(times, 99) <= GOALS.addP99Ms ? 'met' : 'MISSED'}; start-up ≤ 2 s ${startupMs <= GOALS.startupMs ? 'met' : 'MISSED'}; import ≤ 10 s ${importMs <= GOALS.importMs ? 'met' : 'MISSED'} (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores: above the core count the figures are not a quiet machine's)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run as `bench/catalog.ts --start-up <db>`: one start-up as a bot's, timed from opening the database to the first answer. */
const START_UP_FLAG = '--start-up';

async function startUpOnly(dbPath: string): Promise<void> {
  const { openDb } = await import('../src/store/db.js');
  const { openSqlStore } = await import('../src/store/sql/open.js');
  const { migrations } = await import('../src/capabilities/index.js');
  const { CatalogStore } = await import('../src/catalog/store.js');
  const { LiveCatalog } = await import('../src/catalog/live.js');
  const { storedIndexCache } = await import('../src/catalog/index-cache.js');
  const { bundledVocabulary } = await import('../src/catalog/vocabulary.js');
  const { createSearch } = await import('../src/search/index.js');
  const { systemClock } = await import('../src/clock.js');
  const vocabulary = bundledVocabulary();
  const t0 = performance.now();
  const db = openDb(dbPath, migrations);
  const sql = await openSqlStore({ dbPath, databaseUrl: process.env.BENCH_DATABASE_URL }, db, migrations);
  const store = new CatalogStore(sql, vocabulary, systemClock);
  const live = await LiveCatalog.open(store, (papers) => createSearch({ papers, vocabulary }), storedIndexCache(sql, vocabulary));
  const ms = performance.now() - t0;
  const t1 = performance.now();
  live.search('lung nodule segmentation');
  const firstQueryMs = performance.now() - t1;
  await sql.close();
  db.close();
  process.stdout.write(JSON.stringify({ ms, firstQueryMs }));
}

/** With BENCH_DATABASE_URL the import starts from an empty catalog too: the big one's rows go. */
async function dropCatalog(url: string): Promise<void> {
  const { PostgresSql } = await import('../src/store/sql/postgres.js');
  const sql = new PostgresSql(url, { poolSize: 1 });
  await sql.exec("DELETE FROM catalog_papers; DELETE FROM catalog_index_snapshot; DELETE FROM meta WHERE key = 'catalog.bundled'");
  await sql.close();
}

if (process.argv[2] === START_UP_FLAG && process.argv[3]) await startUpOnly(process.argv[3]);
else if (process.argv[1]?.endsWith('catalog.ts')) await run();
