import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layers of `src/`, lowest first. A module may import its own layer or a lower one, never a
 * higher one; a capability never imports another capability (they meet only in the list above them).
 *   0 foundation: catalog, search, store, i18n, reply, config, errors, clock, log, text, adapter, outbox…
 *   1 shared context: services.ts (Services, Invocation, Command), cards.ts, paper-id.ts, and
 *     delivery/ (schedules, slot claims, attempt leases, the send: what every scheduled post shares)
 *   2 capabilities: src/capabilities/<name>/
 *   3 the list of capabilities: src/capabilities/index.ts
 *   4 the application: bot.ts (dispatcher), app.ts (createPaperbot)
 */
const SHARED = new Set(['src/services.ts', 'src/cards.ts', 'src/paper-id.ts']);
const APPLICATION = new Set(['src/bot.ts', 'src/app.ts']);
const PLATFORM_PACKAGES = ['discord.js', '@slack/bolt', '@slack/'];

function layerOf(file: string): number {
  if (APPLICATION.has(file)) return 4;
  if (file === 'src/capabilities/index.ts') return 3;
  if (file.startsWith('src/capabilities/')) return 2;
  if (SHARED.has(file) || file.startsWith('src/delivery/')) return 1;
  return 0;
}

const LAYER_NAMES = ['foundation', 'shared context', 'capability', 'capability list', 'application'];

function capabilityOf(file: string): string | undefined {
  return /^src\/capabilities\/([^/]+)\//.exec(file)?.[1];
}

const root = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file names: static imports, re-exports, `import type` and `import()`. */
function specifiersOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

type Edge = { from: string; to: string };

function importGraph(): { files: string[]; edges: Edge[]; packages: Edge[] } {
  const files = sourceFiles('src');
  const edges: Edge[] = [];
  const packages: Edge[] = [];
  for (const from of files) {
    for (const spec of specifiersOf(from)) {
      if (!spec.startsWith('.')) {
        packages.push({ from, to: spec });
        continue;
      }
      const to = relative(root, resolve(root, dirname(from), spec)).replace(/\.js$/, '.ts');
      edges.push({ from, to });
    }
  }
  return { files, edges, packages };
}

function findCycle(files: string[], edges: Edge[]): string[] | null {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const to of next.get(file) ?? []) {
      const cycle = visit(to);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const f of files) {
    const cycle = visit(f);
    if (cycle) return cycle;
  }
  return null;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('GIVEN the sources THEN the graph is read (a parser that finds nothing would pass every rule)', () => {
    expect(graph.files).toContain('src/bot.ts');
    expect(graph.edges).toContainEqual({ from: 'src/app.ts', to: 'src/capabilities/index.ts' });
  });

  it('GIVEN every import THEN it names a file that exists', () => {
    expect(graph.edges.filter((e) => !existsSync(join(root, e.to)))).toEqual([]);
  });

  it('GIVEN every import THEN no module imports, directly or through others, itself', () => {
    expect(findCycle(graph.files, graph.edges)).toBeNull();
  });

  it('GIVEN every import THEN none points from a lower layer to a higher one', () => {
    const upward = graph.edges
      .filter((e) => layerOf(e.to) > layerOf(e.from))
      .map((e) => `${e.from} (${LAYER_NAMES[layerOf(e.from)]}) → ${e.to} (${LAYER_NAMES[layerOf(e.to)]})`);
    expect(upward).toEqual([]);
  });

  it('GIVEN two capabilities THEN neither imports the other', () => {
    const across = graph.edges
      .filter((e) => capabilityOf(e.from) && capabilityOf(e.to) && capabilityOf(e.from) !== capabilityOf(e.to))
      .map((e) => `${e.from} → ${e.to}`);
    expect(across).toEqual([]);
  });

  it('GIVEN the core THEN it never imports adapters/ nor a chat platform library', () => {
    const intoAdapters = graph.edges.filter((e) => e.to.startsWith('adapters/')).map((e) => `${e.from} → ${e.to}`);
    const platform = graph.packages.filter((e) => PLATFORM_PACKAGES.some((p) => e.to.startsWith(p))).map((e) => `${e.from} → ${e.to}`);
    expect([...intoAdapters, ...platform]).toEqual([]);
  });
});

describe('the layer rules themselves', () => {
  it('GIVEN a planted cycle THEN findCycle names it', () => {
    const files = ['a.ts', 'b.ts', 'c.ts'];
    expect(findCycle(files, [{ from: 'a.ts', to: 'b.ts' }, { from: 'b.ts', to: 'c.ts' }, { from: 'c.ts', to: 'a.ts' }])).toEqual([
      'a.ts', 'b.ts', 'c.ts', 'a.ts',
    ]);
    expect(findCycle(files, [{ from: 'a.ts', to: 'b.ts' }, { from: 'a.ts', to: 'c.ts' }, { from: 'b.ts', to: 'c.ts' }])).toBeNull();
  });

  it('GIVEN files in each layer THEN they are ranked foundation < shared < capability < list < application', () => {
    const ranked = ['src/reply.ts', 'src/services.ts', 'src/capabilities/spotlight/store.ts', 'src/capabilities/index.ts', 'src/bot.ts'].map(layerOf);
    expect(ranked).toEqual([0, 1, 2, 3, 4]);
    expect(['src/delivery/claims.ts', 'src/capabilities/digest/store.ts'].map(layerOf)).toEqual([1, 2]);
  });
});
