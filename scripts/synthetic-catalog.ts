/**
 * A deterministic synthetic catalog for benchmarks: realistic titles (English, and one in ten in
 * Chinese) and tags drawn from the reviewed vocabulary, so the search meets the same words, synonyms
 * and languages as on the real list, at any size.
 *
 *   npx tsx scripts/synthetic-catalog.ts 1000 > /tmp/papers.json
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Paper, Term } from '../src/catalog/paper.js';
import { bundledVocabulary, type Concept } from '../src/catalog/vocabulary.js';
import { slugify } from '../src/catalog/tokens.js';

/** mulberry32: small, fast, and the same sequence on every machine (the benchmark's queries use it too). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADJECTIVES = ['Robust', 'Efficient', 'Automatic', 'Fully Automated', 'Deep', 'Multi-scale', 'Attention-guided', 'Weakly Supervised', 'Semi-supervised', 'Unsupervised', 'Real-time', 'Interpretable', 'Cascaded', 'Hybrid', 'Lightweight', 'Uncertainty-aware', 'Self-supervised', 'Federated'];
const NAMES = ['DeepSeg', 'NoduleNet', 'CardioNet', 'VesselFormer', 'LiverNet', 'BrainGAN', 'FetalNet', 'DermaNet', 'RetinaNet', 'MammoNet', 'HistoNet', 'SpineNet', 'KneeNet', 'PETNet', 'CTFormer', 'MRNet', 'EchoNet', 'PathGAN'];
const TITLE_EXTRAS = ['with Attention', 'using Transfer Learning', 'via Domain Adaptation', 'with Conditional Random Fields', 'from Sparse Annotations', 'with Uncertainty Estimation', 'for Clinical Screening', 'in Low-dose Images', 'on Multi-center Data', 'with Active Learning'];
const FAMILY = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Smith', 'Müller', 'Garcia', 'Kim', 'Nguyen', 'Rossi', 'Dubois', 'Tanaka', 'Ronneberger', 'Litjens', 'Ginneken', 'Menze', 'Navab', 'Rueckert', 'Heng', 'Shen', 'Zhou', 'Dou', 'Kamnitsas', 'Glocker', 'Albarqouni', 'Yuille'];
const GIVEN = ['Wei', 'Lei', 'Jing', 'Hao', 'Qi', 'Olaf', 'Bram', 'Geert', 'Nassir', 'Daniel', 'Pheng-Ann', 'Dinggang', 'Shadi', 'Alan', 'Maria', 'John', 'Anna', 'Yuki', 'Minh', 'Sofia'];

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)];
}

function pickSome<T>(rnd: () => number, list: readonly T[], max: number): T[] {
  const n = 1 + Math.floor(rnd() * max);
  const out = new Set<T>();
  for (let i = 0; i < n; i++) out.add(pick(rnd, list));
  return [...out];
}

const term = (c: Concept): Term => ({ en: c.en, zh: c.zh });

/** `count` papers, the same for the same `count` and `seed`. */
export function syntheticPapers(count: number, seed = 20260101): Paper[] {
  const v = bundledVocabulary();
  const byKind = (kind: Concept['kind']) => [...v.concepts.values()].filter((c) => c.kind === kind);
  const regions = byKind('region');
  const tasks = byKind('task').filter((c) => c.id !== 'other-task');
  const modalities = byKind('modality');
  const techniques = byKind('technique').filter((c) => /^[A-Z0-9]/.test(c.en));
  const terms = byKind('term');
  const venues = byKind('venue');
  const datasets = byKind('dataset');
  const rnd = seededRandom(seed);
  const papers: Paper[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const region = pick(rnd, regions);
    const task = pick(rnd, tasks);
    const modality = pick(rnd, modalities);
    const technique = pick(rnd, techniques);
    const finding = pick(rnd, terms);
    const year = 2012 + Math.floor(rnd() * 13);
    const style = rnd();
    let title: string;
    if (style < 0.1) {
      title = `基于${technique.zh}的${region.zh}${finding.zh}${task.zh}方法`;
    } else if (style < 0.4) {
      title = `${pick(rnd, NAMES)}: ${pick(rnd, ADJECTIVES)} ${technique.synonyms.find((s) => s.includes(' ')) ?? technique.en} for ${region.en} ${finding.en} ${task.en} in ${modality.en} Images`;
    } else if (style < 0.7) {
      title = `${pick(rnd, ADJECTIVES)} ${region.en} ${task.en} ${pick(rnd, TITLE_EXTRAS)} and ${technique.en} on ${modality.synonyms[1] ?? modality.en}`;
    } else {
      title = `${task.en} of ${finding.en} in ${region.en} ${modality.en} Scans Using ${pick(rnd, ADJECTIVES)} ${technique.en}s`;
    }
    let id = slugify(title, year);
    if (used.has(id)) id = `${slugify(title, null, 6)}-${i}-${year}`;
    used.add(id);
    papers.push({
      id,
      title,
      url: rnd() < 0.8 ? `https://example.org/papers/${i}` : '',
      year,
      venue: pick(rnd, venues).en,
      techniques: [...new Set([technique, ...pickSome(rnd, techniques, 1)].map((c) => c.en))],
      modalities: pickSome(rnd, modalities, 2).map((c) => c.en),
      regions: [region, ...(rnd() < 0.2 ? [pick(rnd, regions)] : [])].filter((c, k, all) => all.indexOf(c) === k).map(term),
      tasks: [task, ...(rnd() < 0.1 ? [pick(rnd, tasks)] : [])].filter((c, k, all) => all.indexOf(c) === k).map(term),
      datasets: rnd() < 0.6 ? pickSome(rnd, datasets, 2).map((d) => ({ name: d.en, url: `https://example.org/datasets/${d.id}` })) : [],
      authors: rnd() < 0.7 ? Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => `${pick(rnd, FAMILY)}, ${pick(rnd, GIVEN)}`) : [],
      sources: ['synthetic'],
    });
  }
  return papers;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const count = Number(process.argv[2] ?? 1000);
  process.stdout.write(`${JSON.stringify(syntheticPapers(count), null, 1)}\n`);
}
