/**
 * Search benchmark: index build time, memory growth and query latency (p50/p99 over ≥2,000 mixed
 * queries) for the real catalog and a synthetic 100,000-paper one, side by side with raw flexsearch
 * used the obvious way and a plain inverted index (the floor). It also checks that every result of
 * a multi-word query holds every query word in some field (no silent OR).
 *
 *   npm run bench -- search        (or: node bin/run-ts.js bench/search.ts)
 */
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Document } from 'flexsearch';
import type { Paper } from '../src/catalog/paper.js';
import type { Vocabulary } from '../src/catalog/vocabulary.js';

/** `build` returns what it built, so the benchmark can keep one build alive while measuring another. */
type Engine = { name: string; build(papers: Paper[]): unknown; query(q: string): number[]; release(): void };
type Row = { catalog: string; engine: string; buildMs: number; buildCpuMs: number; memoryMb: number; p50: number; p99: number; meanHits: number; andViolations: number | string };

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;

const QUERY_COUNT = 2400;
const WARMUP = 300;
const SYNTHETIC_SIZE = 100_000;
/** Issue 11 (build, memory, query mix) and issue 12 (adding one paper), on SYNTHETIC_SIZE papers. */
const GOALS = { buildMs: 6000, memoryMb: 250, p99Ms: 10, upsertP99Ms: 5 };

/**
 * Mixed queries built from the catalog's own labels so most of them hit: two- and three-word,
 * prefix, typo, Chinese without spaces, with filters, dataset names; and the ways people ask:
 * partial matches (one word no paper has), sentences with question scaffolding, Traditional
 * Chinese, and the operators `-word`, `OR` and "quoted phrases".
 */
export function mixedQueries(papers: Paper[], count: number, rnd: () => number): string[] {
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(rnd() * list.length)];
  const word = (text: string | undefined) => (text ?? '').split(/[\s/-]+/)[0] ?? '';
  const typo = (w: string) => {
    if (w.length < 6) return w;
    const i = 1 + Math.floor(rnd() * (w.length - 3));
    return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  };
  const sentences = ['is there work on', 'papers that use', "I'm looking for", 'what has been done on', 'show me work on'];
  const traditional: Record<string, string> = { 肺: '肺', 肝: '肝', 大脑: '大腦', 乳腺: '乳腺', 胎儿: '胎兒', 分割: '分割', 检测: '檢測', 分类: '分類', 配准: '配準' };
  const out: string[] = [];
  while (out.length < count) {
    const p = pick(papers)!;
    const region = pick(p.regions);
    const task = pick(p.tasks);
    const technique = pick(p.techniques);
    const modality = pick(p.modalities);
    const kind = out.length % 14;
    let q = '';
    if (kind === 0) q = `${word(region?.en)} ${word(task?.en)}`;
    else if (kind === 1) q = `${technique ?? ''} ${modality ?? ''} ${word(region?.en)}`;
    else if (kind === 2) q = `${word(task?.en).slice(0, 5)} ${word(region?.en)}`;
    else if (kind === 3) q = `${typo(word(task?.en).toLowerCase())} ${word(region?.en)}`;
    else if (kind === 4) q = `${region?.zh ?? ''}${task?.zh ?? ''}`;
    else if (kind === 5) q = `year:${p.year ?? 2016} ${technique ?? ''}`;
    else if (kind === 6) q = `venue:${(p.venue || 'miccai').toLowerCase()} ${modality ?? ''}`;
    else if (kind === 7) q = `${pick(p.datasets)?.name ?? word(p.title)} ${word(task?.en)}`;
    // partial match: a word that is in no paper next to two that are
    else if (kind === 8) q = `${word(region?.en)} ${technique ?? ''} teeth`;
    else if (kind === 9) q = `${pick(sentences)} ${word(task?.en).toLowerCase()} ${word(region?.en).toLowerCase()}`;
    else if (kind === 10) q = `${[...`${region?.zh ?? ''}${task?.zh ?? ''}`].map((ch) => traditional[ch] ?? ch).join('')}`;
    else if (kind === 11) q = `${word(task?.en)} -${word(region?.en) || 'brain'}`;
    else if (kind === 12) q = `${technique ?? 'cnn'} OR ${modality ?? 'mri'} ${word(region?.en)}`;
    else q = `"${p.title.split(' ').slice(1, 3).join(' ')}" ${word(task?.en)}`;
    q = q.replace(/\s+/g, ' ').trim();
    if (q && !/:\s*$/.test(q)) out.push(q);
  }
  return out;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function ours(vocabulary: Vocabulary, counts: { checked: number }): Promise<{ engine: Engine; check: (q: string, ids: number[], papers: Paper[]) => number }> {
  const { PaperIndex, searchOver, readQuery } = await import('../src/search/index.js');
  const { cleanInput } = await import('../src/text.js');
  let index: InstanceType<typeof PaperIndex> | null = null;
  let search: ReturnType<typeof searchOver> | null = null;
  let docOf = new Map<string, number>();
  const engine: Engine = {
    name: 'paperbot (ours)',
    build(papers) {
      index = new PaperIndex(papers, vocabulary);
      search = searchOver(index);
      docOf = new Map(papers.map((p, i) => [p.id, i]));
      return index;
    },
    query(q) {
      try {
        return search!.search(q, { limit: 10 }).hits.map((h) => docOf.get(h.paper.id)!);
      } catch {
        return [];
      }
    },
    release() {
      index = null;
      search = null;
    },
  };
  // No silent OR: re-read the query and check, outside the timing, that each hit said to hold every
  // word does hold each unit in some field (partial matches say what they miss, and are not counted).
  const check = (q: string, ids: number[], papers: Paper[]) => {
    let read: ReturnType<typeof readQuery>;
    try {
      read = readQuery(index!, cleanInput(q).text);
    } catch {
      return 0;
    }
    const { words, required } = read.query;
    if (words.length + required.length < 2) return 0;
    const complete = new Set(search!.search(q, { limit: 10 }).hits.filter((h) => h.missing.length === 0).map((h) => h.paper.id));
    let bad = 0;
    for (const id of ids) {
      if (!complete.has(papers[id].id)) continue;
      const terms = index!.termsOf(papers[id]);
      counts.checked++;
      const holds = (u: (typeof words)[number]) => u.lookups.some((l) => l.exact && ((terms.get(l.term)?.fields ?? 0) & l.fields) !== 0);
      if (![...words, ...required].every(holds)) bad++;
    }
    return bad;
  };
  return { engine, check };
}

/** Adding, changing and removing one paper in a built index: the living catalog's path. */
async function incremental(papers: Paper[], rnd: () => number): Promise<{ upsertP50: number; upsertP99: number; removeP99: number }> {
  const { createSearch } = await import('../src/search/index.js');
  const search = createSearch({ papers });
  const upserts: number[] = [];
  const removes: number[] = [];
  for (let i = 0; i < 1500; i++) {
    const base = papers[Math.floor(rnd() * papers.length)];
    const changed: Paper = { ...base, title: `${base.title} revisited`, abstract: `We revisit ${base.title.toLowerCase()} with ${base.techniques.join(' and ') || 'a new model'}.` };
    let t = performance.now();
    search.upsert(i % 2 === 0 ? changed : { ...changed, id: `${base.id}-new-${i}` });
    upserts.push(performance.now() - t);
    if (i % 3 === 0) {
      t = performance.now();
      search.remove(i % 2 === 0 ? base.id : `${base.id}-new-${i - 1}`);
      removes.push(performance.now() - t);
    }
  }
  upserts.sort((a, b) => a - b);
  removes.sort((a, b) => a - b);
  return { upsertP50: percentile(upserts, 50), upsertP99: percentile(upserts, 99), removeP99: percentile(removes, 99) };
}

/** flexsearch the obvious way: a Document over the text fields, default encoder, merged results. */
function rawFlexsearch(): Engine {
  type Doc = { id: number; title: string; tags: string; meta: string };
  let doc: Document<Doc> | null = null;
  return {
    name: 'raw flexsearch Document',
    build(papers) {
      doc = new Document<Doc>({ document: { id: 'id', index: ['title', 'tags', 'meta'] } });
      papers.forEach((p, id) =>
        doc!.add({
          id,
          title: p.title,
          tags: [...p.techniques, ...p.modalities, ...p.regions.flatMap((r) => [r.en, r.zh]), ...p.tasks.flatMap((t) => [t.en, t.zh])].join(' '),
          meta: [p.venue, String(p.year ?? ''), ...p.datasets.map((d) => d.name), ...p.authors].join(' '),
        }),
      );
      return doc;
    },
    query(q) {
      const r = doc!.search(q, { limit: 10, merge: true }) as unknown as { id: number }[];
      return r.map((x) => x.id);
    },
    release() {
      doc = null;
    },
  };
}

/** The floor: a Map from term to sorted id array, intersected smallest first; no vocabulary, no ranking. */
function invertedIndex(tokenize: (t: string) => string[]): Engine {
  let postings: Map<string, Int32Array> | null = null;
  return {
    name: 'plain inverted index',
    build(papers) {
      const lists = new Map<string, number[]>();
      papers.forEach((p, id) => {
        const text = [p.title, p.venue, String(p.year ?? ''), ...p.techniques, ...p.modalities, ...p.regions.flatMap((r) => [r.en, r.zh]), ...p.tasks.flatMap((t) => [t.en, t.zh]), ...p.datasets.map((d) => d.name), ...p.authors].join(' ');
        for (const term of tokenize(text)) {
          const list = lists.get(term);
          if (!list) lists.set(term, [id]);
          else if (list[list.length - 1] !== id) list.push(id);
        }
      });
      postings = new Map([...lists].map(([t, ids]) => [t, Int32Array.from(ids)]));
      return postings;
    },
    query(q) {
      const terms = [...new Set(tokenize(q))];
      if (terms.length === 0) return [];
      const lists = terms.map((t) => postings!.get(t) ?? new Int32Array(0)).sort((a, b) => a.length - b.length);
      let acc: ArrayLike<number> = lists[0];
      for (let i = 1; i < lists.length && acc.length > 0; i++) {
        const next = lists[i];
        const out: number[] = [];
        let j = 0;
        for (let k = 0; k < acc.length; k++) {
          while (j < next.length && next[j] < acc[k]) j++;
          if (next[j] === acc[k]) out.push(acc[k]);
        }
        acc = out;
      }
      return Array.from(acc).slice(0, 10);
    },
    release() {
      postings = null;
    },
  };
}

/** Heap plus typed-array backing stores (which live outside the JS heap), after full collections. */
function memoryInUse(): { live: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { live: m.heapUsed + m.arrayBuffers };
}

function measure(catalog: string, engine: Engine, papers: Paper[], queries: string[], andCheck?: (q: string, ids: number[]) => number): Row {
  // Two builds; the second is measured while the first stays alive. A first build in a process
  // pays one-off costs (compiling; V8 also frees some start-up memory during it, which made the
  // heap seem to shrink), so the second one shows what an index really costs.
  const held: unknown[] = [engine.build(papers)];
  const before = memoryInUse();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  held.push(engine.build(papers));
  const buildMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // The process's CPU time (every thread: V8's collector helpers too): on a shared machine, wall time also counts the waits for a core.
  const buildCpuMs = (cpu.user + cpu.system) / 1000;
  const after = memoryInUse();
  const memoryMb = (after.live - before.live) / 1e6;
  held.length = 0;
  for (const q of queries.slice(0, WARMUP)) engine.query(q);
  const times: number[] = [];
  let hits = 0;
  let violations = 0;
  const answers: number[][] = [];
  for (const q of queries) {
    const t = performance.now();
    const ids = engine.query(q);
    times.push(performance.now() - t);
    hits += ids.length;
    answers.push(ids);
  }
  if (andCheck) queries.forEach((q, i) => (violations += andCheck(q, answers[i])));
  engine.release();
  times.sort((a, b) => a - b);
  return { catalog, engine: engine.name, buildMs, buildCpuMs, memoryMb, p50: percentile(times, 50), p99: percentile(times, 99), meanHits: hits / queries.length, andViolations: andCheck ? violations : '-' };
}

export async function run(): Promise<void> {
  let t = performance.now();
  const { loadCatalog } = await import('../src/catalog/index.js');
  const { createSearch } = await import('../src/search/index.js');
  const { bundledVocabulary } = await import('../src/catalog/vocabulary.js');
  const { tokenize } = await import('../src/catalog/tokens.js');
  const { syntheticPapers, seededRandom } = await import('../scripts/synthetic-catalog.js');
  const importMs = performance.now() - t;

  // Start-up as the bot does it: read the sources (from the import cache when they have not
  // changed, as on every start after the first), then build the index.
  t = performance.now();
  const parsed = await loadCatalog({ cache: false });
  const parseMs = performance.now() - t;
  await loadCatalog(); // makes sure the cache holds this import
  t = performance.now();
  const real = await loadCatalog();
  const loadMs = performance.now() - t;
  t = performance.now();
  createSearch(real);
  const indexMs = performance.now() - t;
  console.log(
    `real catalog start-up: modules ${importMs.toFixed(0)} ms (once per process); catalog from cache (${real.origin}) ${loadMs.toFixed(0)} ms + index ${indexMs.toFixed(1)} ms → ready in ${(loadMs + indexMs).toFixed(0)} ms (goal ≤ 200 ms); a full parse of the sources (first start or changed files): ${parseMs.toFixed(0)} ms for ${parsed.papers.length} papers`,
  );

  const vocabulary = bundledVocabulary();
  t = performance.now();
  const synthetic = syntheticPapers(SYNTHETIC_SIZE);
  console.log(`synthetic catalog: ${synthetic.length} papers generated in ${(performance.now() - t).toFixed(0)} ms (not part of any build)`);

  const rows: Row[] = [];
  const lowerTokens = (s: string) => tokenize(s);
  for (const [name, papers] of [['real (55)', real.papers], [`synthetic (${SYNTHETIC_SIZE / 1000}k)`, synthetic]] as const) {
    const queries = mixedQueries(papers, QUERY_COUNT, seededRandom(7));
    // For the other engines: does each hit hold every plain query word (filters aside) somewhere?
    const andCheck = (q: string, ids: number[]) => {
      const words = lowerTokens(q.replace(/\S+:\S*/g, ' '));
      if (words.length < 2) return 0;
      let bad = 0;
      for (const id of ids) {
        const p = papers[id];
        const text = new Set(lowerTokens(JSON.stringify([p.title, p.venue, p.year, p.techniques, p.modalities, p.regions, p.tasks, p.datasets.map((d) => d.name), p.authors])));
        if (!words.every((w) => text.has(w))) bad++;
      }
      return bad;
    };
    const counts = { checked: 0 };
    const mine = await ours(vocabulary, counts);
    const row = measure(name, mine.engine, [...papers], queries, (q, ids) => mine.check(q, ids, papers));
    row.andViolations = `${row.andViolations} of ${counts.checked}`;
    rows.push(row);
    rows.push(measure(name, rawFlexsearch(), [...papers], queries, andCheck));
    rows.push(measure(name, invertedIndex(lowerTokens), [...papers], queries, andCheck));
    console.log(`${name}: ${queries.length} queries, e.g. ${queries.slice(0, 8).map((q) => JSON.stringify(q)).join(', ')}`);
  }

  const header = ['catalog', 'engine', 'build ms', 'build CPU ms', 'memory MB', 'p50 ms', 'p99 ms', 'hits/query', 'AND violations'];
  const table = rows.map((r) => [r.catalog, r.engine, r.buildMs.toFixed(0), r.buildCpuMs.toFixed(0), r.memoryMb.toFixed(1), r.p50.toFixed(3), r.p99.toFixed(3), r.meanHits.toFixed(1), String(r.andViolations)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of table) console.log(line(r));
  const big = rows.find((r) => r.catalog.startsWith('synthetic') && r.engine.startsWith('paperbot'))!;
  const floor = rows.find((r) => r.catalog.startsWith('synthetic') && r.engine.startsWith('plain'))!;
  const verdict = (value: number, goal: number) => `${value <= goal ? 'met' : 'MISSED'}`;
  console.log(
    `\ngoals on ${SYNTHETIC_SIZE} papers: build ≤ ${GOALS.buildMs} ms: ${big.buildMs.toFixed(0)} ${verdict(big.buildMs, GOALS.buildMs)} (process CPU ${big.buildCpuMs.toFixed(0)} ms); memory ≤ ${GOALS.memoryMb} MB: ${big.memoryMb.toFixed(0)} ${verdict(big.memoryMb, GOALS.memoryMb)}; p99 ≤ ${GOALS.p99Ms} ms: ${big.p99.toFixed(2)} ${verdict(big.p99, GOALS.p99Ms)} (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores: above the core count the figures are not a quiet machine's)`,
  );
  console.log(`ratio to the plain inverted index: build ×${(big.buildMs / floor.buildMs).toFixed(1)} (CPU ×${(big.buildCpuMs / floor.buildCpuMs).toFixed(1)}), memory ×${(big.memoryMb / floor.memoryMb).toFixed(1)}, p50 ×${(big.p50 / floor.p50).toFixed(1)}, p99 ×${(big.p99 / floor.p99).toFixed(1)}`);
  const live = await incremental(synthetic, seededRandom(11));
  console.log(
    `incremental on ${SYNTHETIC_SIZE} papers (goal p99 ≤ ${GOALS.upsertP99Ms} ms): upsert p50 ${live.upsertP50.toFixed(3)} ms, p99 ${live.upsertP99.toFixed(3)} ms ${verdict(live.upsertP99, GOALS.upsertP99Ms)}; remove p99 ${live.removeP99.toFixed(3)} ms`,
  );
  console.log('memory MB = growth of JS heap + typed-array stores (after full GCs) for one more index, with a first one alive.');
  console.log('AND violations for the other engines count hits missing a plain query word in every field (they have no synonyms, so a Chinese or typo query may still be right).');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await run();
