import type { Paper } from '../catalog/paper.js';
import type { Lang, LocalText } from '../i18n/index.js';

export type SearchOptions = {
  /** How many hits to return (default 5). */
  limit?: number;
  /** How many of the best hits to skip, for paging. */
  offset?: number;
};

export type SearchHit = {
  paper: Paper;
  score: number;
  /** The query terms and filters this paper matched, for explaining a result. */
  matched: string[];
};

export type SearchResult = {
  /** The query as searched (trimmed, control characters removed, capped in length). */
  query: string;
  lang: Lang;
  /** The requested page of hits, best first; never the same paper twice. */
  hits: SearchHit[];
  /** How many papers match in all. */
  total: number;
  /** When nothing matched: nearby words or filters that would match. */
  suggestions: string[];
  /** Things the user should know about how the query was read (e.g. it was cut to the length cap). */
  notices: LocalText[];
};

/**
 * The search engine the command layer uses. A malformed filter or an unknown field throws a
 * `UserError` whose text says what was wrong and what would work.
 */
export interface PaperSearch {
  search(query: string, options?: SearchOptions): SearchResult;
  /** Exact id, or null. */
  get(id: string): Paper | null;
  /** Titles (and ids) that start with or contain what the user has typed so far, best first. */
  complete(prefix: string, limit: number): Paper[];
  /** Papers that share the most tags with this one, best first, never the paper itself. */
  related(paper: Paper, limit: number): Paper[];
}
