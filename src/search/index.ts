// PLACEHOLDER until the search engine lands: substring matching so the rest can run.
import type { Catalog } from '../catalog/index.js';
import type { Paper } from '../catalog/paper.js';
import { detectLang } from '../i18n.js';
import type { PaperSearch } from './types.js';

export function createSearch(catalog: Catalog): PaperSearch {
  const text = (p: Paper) =>
    [p.title, p.id, ...p.techniques, ...p.modalities, ...p.regions.flatMap((t) => [t.en, t.zh]), ...p.tasks.flatMap((t) => [t.en, t.zh])]
      .join(' ')
      .toLowerCase();
  const byId = new Map(catalog.papers.map((p) => [p.id, p]));
  return {
    search(query, options = {}) {
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      const all = catalog.papers.filter((p) => words.every((w) => text(p).includes(w)));
      const offset = options.offset ?? 0;
      const hits = all.slice(offset, offset + (options.limit ?? 5)).map((paper) => ({ paper, score: 1, matched: words }));
      return { query, lang: detectLang(query), hits, total: all.length, suggestions: [], notices: [] };
    },
    get: (id) => byId.get(id) ?? null,
    complete: (prefix, limit) => catalog.papers.filter((p) => p.title.toLowerCase().includes(prefix.toLowerCase())).slice(0, limit),
    related: (paper, limit) => catalog.papers.filter((p) => p !== paper).slice(0, limit),
  };
}
