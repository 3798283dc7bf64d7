import { UserError } from '../../errors.js';
import { localize, type Lang } from '../../i18n.js';
import { reply, type Action, type Reply } from '../../reply.js';
import { paperCard } from '../../cards.js';
import type { Command, CommandInput } from '../../services.js';

export const PAGE_SIZE = 5;
const PAGE_FLAG = /(?:^|\s)--page\s+(\S+)\s*$/;

/** Splits a trailing `--page N` (added by the More / Previous buttons) from the query. */
export function splitPage(args: string): { query: string; page: number } {
  const m = PAGE_FLAG.exec(args);
  if (!m) return { query: args.trim(), page: 1 };
  const page = Number(m[1]);
  if (!Number.isInteger(page) || page < 1 || page > 10_000) {
    throw new UserError('bad-page', { en: `"${m[1]}" is not a page number.`, zh: `“${m[1]}”不是有效的页码。` });
  }
  return { query: args.slice(0, m.index).trim(), page };
}

export function searchReply(input: CommandInput): Reply {
  const { lang, services } = input;
  const { query, page } = splitPage(input.args);
  if (!query) {
    throw new UserError('empty-query', {
      en: 'Type what you are looking for after /paper, e.g. `/paper gan mri` or `/paper 肺结节`. `/paper help` lists everything.',
      zh: '请在 /paper 后输入要找的内容，例如 `/paper 肺结节` 或 `/paper gan mri`。`/paper help` 查看全部用法。',
    });
  }
  const result = services.search.search(query, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const notices = result.notices.map((n) => localize(n, lang));
  if (result.total === 0) {
    const intro = [
      lang === 'zh' ? `没有找到与“${result.query}”匹配的论文。` : `No paper matches "${result.query}".`,
      ...notices,
    ];
    if (result.suggestions.length) {
      intro.push(`${lang === 'zh' ? '可以试试' : 'Try'}: ${result.suggestions.join(', ')}`);
    }
    return reply('no-match', lang, { intro, data: { query: result.query, total: 0, suggestions: result.suggestions } });
  }
  const pages = Math.ceil(result.total / PAGE_SIZE);
  if (page > pages) {
    throw new UserError('page-out-of-range', {
      en: `"${result.query}" has ${pages} page${pages === 1 ? '' : 's'} of results.`,
      zh: `“${result.query}”的结果只有 ${pages} 页。`,
    });
  }
  const from = (page - 1) * PAGE_SIZE + 1;
  const to = from + result.hits.length - 1;
  const title =
    lang === 'zh'
      ? `“${result.query}”：共 ${result.total} 篇论文（第 ${from}–${to} 篇）`
      : `${result.total} paper${result.total === 1 ? '' : 's'} for "${result.query}" (${from}–${to})`;
  const actions: Action[] = [];
  const pageCommand = (n: number) => (n === 1 ? result.query : `${result.query} --page ${n}`);
  if (page > 1) actions.push({ label: lang === 'zh' ? '上一页' : 'Previous', command: pageCommand(page - 1), effect: 'update' });
  if (page < pages) actions.push({ label: lang === 'zh' ? '更多' : 'More', command: pageCommand(page + 1), effect: 'update', style: 'primary' });
  actions.push({ label: lang === 'zh' ? '分享到频道' : 'Share', command: `share ${pageCommand(page)}`, effect: 'post' });
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
  return lang === 'zh' ? `第 ${page}/${pages} 页` : `Page ${page} of ${pages}`;
}

export const searchCommand: Command = {
  name: 'search',
  aliases: ['find', '搜索', '查找'],
  summary: { en: 'Find papers by topic, technique, modality, region, dataset or filter', zh: '按主题、技术、模态、部位、数据库或筛选条件查找论文' },
  examples: ['gan mri', '肺结节', 'liver segmentation year:2016-2017', 'venue:miccai ultrasound', 'author:ronneberger'],
  run: searchReply,
};
