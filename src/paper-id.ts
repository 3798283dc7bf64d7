import type { Paper } from './catalog/paper.js';
import { UserError } from './errors.js';
import { coreText } from './i18n/catalog.js';
import type { LocalText } from './i18n/index.js';
import type { PaperSearch } from './search/types.js';

/**
 * The paper a typed id names (as written, or lower-cased), or a UserError `unknown-id` whose hints
 * are the ids nearest to it. `consequence` is added to the message (e.g. that nothing was changed).
 */
export function paperById(search: PaperSearch, id: string, consequence: LocalText = { en: '', zh: '' }): Paper {
  const paper = search.get(id) ?? search.get(id.toLowerCase());
  if (paper) return paper;
  const near = search.search(id.replace(/[-_]+/g, ' '), { limit: 3 }).hits.map((h) => h.paper.id);
  throw new UserError(
    'unknown-id',
    {
      en: coreText.text('en', 'unknownId', { id, consequence: consequence.en }),
      zh: coreText.text('zh', 'unknownId', { id, consequence: consequence.zh ?? '' }),
    },
    near,
  );
}
