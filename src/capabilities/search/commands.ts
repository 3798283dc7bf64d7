import { UserError } from '../../errors.js';
import { coreText } from '../../i18n/catalog.js';
import { localize, type Lang } from '../../i18n/index.js';
import { reply, type Action, type Reply } from '../../reply.js';
import { paperCard } from '../../cards.js';
import type { Command, CommandInput } from '../../services.js';
import { searchText } from './messages.js';

const PAGE_SIZE = 5;
const PAGE_FLAG = /(?:^|\s)--page\s+(\S+)\s*$/;

/** Splits a trailing `--page N` (added by the More / Previous buttons) from the query. */
function splitPage(args: string): { query: string; page: number } {
  const m = PAGE_FLAG.exec(args);
  if (!m) return { query: args.trim(), page: 1 };
  const page = Number(m[1]);
  if (!Number.isInteger(page) || page < 1 || page > 10_000) {
    throw new UserError('bad-page', searchText.both('badPage', { page: m[1] ?? '' }));
  }
  return { query: args.slice(0, m.index).trim(), page };
}

function searchReply(input: CommandInput): Reply {
  const { lang, services } = input;
  const { query, page } = splitPage(input.args);
  if (!query) {
    throw new UserError('empty-query', searchText.both('emptyQuery'));
  }
  const result = services.search.search(query, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const notices = result.notices.map((n) => localize(n, lang));
  if (result.total === 0) {
    const intro = [
      searchText.text(lang, 'noMatch', { query: result.query }),
      ...notices,
    ];
    if (result.suggestions.length) {
      intro.push(coreText.text(lang, 'tryHints', { hints: result.suggestions.join(', ') }));
    }
    return reply('no-match', lang, { intro, data: { query: result.query, total: 0, suggestions: result.suggestions } });
  }
  const pages = Math.ceil(result.total / PAGE_SIZE);
  if (page > pages) {
    throw new UserError('page-out-of-range', searchText.both('pageOutOfRange', { query: result.query, pages }));
  }
  const from = (page - 1) * PAGE_SIZE + 1;
  const to = from + result.hits.length - 1;
  const title = searchText.text(lang, 'title', { query: result.query, total: result.total, from, to });
  const actions: Action[] = [];
  const pageCommand = (n: number) => (n === 1 ? result.query : `${result.query} --page ${n}`);
  if (page > 1) actions.push({ label: searchText.text(lang, 'previous'), command: pageCommand(page - 1), effect: 'update' });
  if (page < pages) actions.push({ label: searchText.text(lang, 'more'), command: pageCommand(page + 1), effect: 'update', style: 'primary' });
  actions.push({ label: coreText.text(lang, 'action.share'), command: `share ${pageCommand(page)}`, effect: 'post' });
  const papers = result.hits.map((h) => h.paper);
  return reply('search', lang, {
    title,
    intro: notices,
    cards: papers.map((p) => paperCard(p, lang)),
    actions,
    footer: pages > 1 ? pageFooter(lang, page, pages) : undefined,
    papers,
    data: { query: result.query, total: result.total, page, pages },
  });
}

function pageFooter(lang: Lang, page: number, pages: number): string {
  return searchText.text(lang, 'pageFooter', { page, pages });
}

export const searchCommand: Command = {
  name: 'search',
  aliases: ['find', '搜索', '查找'],
  summary: searchText.both('summary'),
  examples: ['gan mri', '肺结节', 'liver segmentation year:2016-2017', 'venue:miccai ultrasound', 'author:ronneberger'],
  run: searchReply,
};
