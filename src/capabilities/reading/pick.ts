import type { Paper } from '../../catalog/paper.js';

export type Candidate = {
  paper: Paper;
  /** How well it matches the topic, 0–1 (1 for every paper when there is no topic). */
  relevance: number;
  /** How many polls ago the group was last offered it (0 = the latest poll); null if never. */
  offeredPollsAgo: number | null;
};

/** Polls within which an earlier offer counts as "recent". */
const RECENT_POLLS = 3;

// Weights of the greedy max-marginal-relevance score. Sharing one aspect with an already picked
// paper costs less than a recent offer, so the group sees new papers first; a near-copy (same task,
// modality and region as a picked paper) costs more than anything else, so it is chosen only when
// nothing else is left.
const SHARED_ASPECT = 1;
const NEAR_COPY = 10;
const RECENT_OFFER = 3;
const OLDER_OFFER = 0.25;

type Aspects = { tasks: Set<string>; modalities: Set<string>; regions: Set<string> };

function aspectsOf(paper: Paper): Aspects {
  const norm = (s: string) => s.trim().toLowerCase();
  return {
    tasks: new Set(paper.tasks.map((t) => norm(t.en || t.zh))),
    modalities: new Set(paper.modalities.map(norm)),
    regions: new Set(paper.regions.map((t) => norm(t.en || t.zh))),
  };
}

/** Which aspects two papers share (an aspect a paper leaves empty is shared with nobody). */
function sharedAspects(a: Aspects, b: Aspects): { task: boolean; modality: boolean; region: boolean } {
  const meets = (x: Set<string>, y: Set<string>) => [...x].some((v) => y.has(v));
  return { task: meets(a.tasks, b.tasks), modality: meets(a.modalities, b.modalities), region: meets(a.regions, b.regions) };
}

/** The same task, modality and region: what the group would feel is the same paper twice. */
export function isNearCopy(a: Paper, b: Paper): boolean {
  const s = sharedAspects(aspectsOf(a), aspectsOf(b));
  return s.task && s.modality && s.region;
}

/**
 * Picks `count` papers, one at a time, each the best by relevance minus penalties for sharing task,
 * modality or region with those already picked and for having been offered recently. Equal scores
 * are ordered by a hash of the seed and the paper id, so the same database state and seed always
 * give the same poll while different groups and rounds do not all start from the catalog's top.
 */
export function pickDiverse(candidates: Candidate[], count: number, seed: string): Paper[] {
  const pool = candidates.map((c) => ({ ...c, aspects: aspectsOf(c.paper), order: hash(`${seed}\u0000${c.paper.id}`) }));
  const picked: typeof pool = [];
  while (picked.length < count && pool.length > 0) {
    let bestIndex = 0;
    let bestScore = -Infinity;
    pool.forEach((c, i) => {
      const score = c.relevance - diversityPenalty(c.aspects, picked.map((p) => p.aspects)) - recencyPenalty(c.offeredPollsAgo);
      const best = pool[bestIndex];
      if (score > bestScore || (best !== undefined && score === bestScore && (c.order < best.order || (c.order === best.order && c.paper.id < best.paper.id)))) {
        bestIndex = i;
        bestScore = score;
      }
    });
    picked.push(...pool.splice(bestIndex, 1));
  }
  return picked.map((p) => p.paper);
}

function diversityPenalty(aspects: Aspects, picked: Aspects[]): number {
  let task = false;
  let modality = false;
  let region = false;
  let nearCopy = false;
  for (const other of picked) {
    const s = sharedAspects(aspects, other);
    task ||= s.task;
    modality ||= s.modality;
    region ||= s.region;
    nearCopy ||= s.task && s.modality && s.region;
  }
  return SHARED_ASPECT * (Number(task) + Number(modality) + Number(region)) + (nearCopy ? NEAR_COPY : 0);
}

function recencyPenalty(pollsAgo: number | null): number {
  if (pollsAgo === null) return 0;
  // Within the recent window, the more recent the offer the larger the penalty.
  return pollsAgo < RECENT_POLLS ? RECENT_OFFER + (RECENT_POLLS - pollsAgo) * 0.1 : OLDER_OFFER;
}

/** FNV-1a, 32 bits: stable across runs and platforms, unlike Math.random. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
