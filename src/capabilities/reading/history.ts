import type { Paper } from '../../catalog/paper.js';
import { paperById } from '../../paper-id.js';
import { mayManage, type CommandInput } from '../../services.js';
import { UserError } from '../../errors.js';
import { tr } from '../../i18n/index.js';
import { reply, type Reply } from '../../reply.js';
import { lookupIn } from './poll-message.js';
import { pollText } from './messages.js';
import { noteCard } from './render.js';
import { groupOf, readingStore } from './store.js';

/** How many reads `history` lists; older ones are counted in the footer. */
const HISTORY_LIMIT = 20;

/** The calendar date in the lab's time zone (the one its spotlight uses), as YYYY-MM-DD. */
function localDate(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function resolvePaper(input: CommandInput, id: string): Paper {
  return paperById(input.services.search, id, { en: 'Nothing was changed.', zh: '未做任何更改。' });
}

/**
 * The reading history is the group's record and decides what is suggested: changing it is for
 * whoever may manage the channel. The one exception is the person who opened the poll that chose
 * the current paper, who may mark that paper read (`read` with no id, or its id).
 */
function requireHistoryRight(input: CommandInput, paperId: string | null): void {
  if (mayManage(input.invocation)) return;
  const store = readingStore(input.services.db);
  const chosen = store.chosen(groupOf(input));
  if (paperId !== null && chosen && chosen.paperId === paperId && chosen.pollId !== null) {
    if (store.poll(chosen.pollId)?.openedBy === input.invocation.userId) return;
  }
  throw new UserError(
    'not-allowed',
    pollText.both('historyNotAllowed'),
    ['history', 'next'],
  );
}

/** `next`: the paper the group chose. */
export function showNext(input: CommandInput): Reply {
  const { lang, services } = input;
  const store = readingStore(services.db);
  const group = groupOf(input);
  const chosen = store.chosen(group);
  const open = store.openPoll(group);
  const openNote = open
    ? tr(lang, `Poll #${open.id} is open: vote with /paper vote <n>.`, `投票 #${open.id} 进行中：输入 /paper vote <序号> 投票。`)
    : null;
  if (!chosen) {
    return reply('reading-next', lang, {
      intro: [
        tr(lang, 'The group has not chosen its next paper yet.', '小组还没有选出下一篇论文。'),
        openNote ?? tr(lang, 'Start a poll with /paper suggest.', '输入 /paper suggest 发起投票。'),
      ],
      data: { paperId: null, openPollId: open?.id ?? null },
    });
  }
  const note = chosen.pollId
    ? tr(lang, `Chosen in poll #${chosen.pollId} on ${chosen.chosenAt.slice(0, 10)}`, `${chosen.chosenAt.slice(0, 10)} 在投票 #${chosen.pollId} 中选出`)
    : tr(lang, `Chosen on ${chosen.chosenAt.slice(0, 10)}`, `${chosen.chosenAt.slice(0, 10)} 选出`);
  const { card, paper } = noteCard(chosen.paperId, lookupIn(services), lang, note);
  return reply('reading-next', lang, {
    title: tr(lang, 'Next paper for the reading group', '读书会下一篇'),
    intro: openNote ? [openNote] : [],
    cards: [card],
    papers: paper ? [paper] : [],
    footer: tr(lang, 'Once the group has read it: /paper read', '读完后输入 /paper read 标记为已读'),
    data: { paperId: chosen.paperId, pollId: chosen.pollId, openPollId: open?.id ?? null },
  });
}

/** `read [<id>]`: marks a paper read today (the chosen one by default). */
export function markRead(input: CommandInput): Reply {
  const { lang, services, invocation } = input;
  const store = readingStore(services.db);
  const group = groupOf(input);
  const id = input.args.split(' ').filter(Boolean)[0];
  let paperId: string;
  if (id) {
    paperId = resolvePaper(input, id).id;
  } else {
    const chosen = store.chosen(group);
    if (!chosen) {
      throw new UserError(
        'nothing-chosen',
        {
          en: 'No paper is chosen, so say which one: /paper read <id>. Every search result shows its id.',
          zh: '还没有选出论文，请给出编号：/paper read <编号>，搜索结果中列有编号。',
        },
        ['next', 'history'],
      );
    }
    paperId = chosen.paperId;
  }
  // Marking again what is already read changes nothing, so anyone may be told so.
  if (!store.readEntry(group, paperId)) requireHistoryRight(input, paperId);
  const now = services.clock.now();
  const readOn = localDate(now, services.config.spotlight.timezone);
  const added = store.transaction(() => {
    const ok = store.markRead(group, paperId, readOn, now.toISOString(), invocation.userId);
    if (ok) store.clearChosen(group, paperId);
    return ok;
  });
  if (added) services.log.info(`reading ${group.platform}:${group.channelId}: ${paperId} marked read by ${invocation.userId}`);
  const lookup = lookupIn(services);
  if (!added) {
    const entry = store.readEntry(group, paperId)!;
    const { card, paper } = noteCard(paperId, lookup, lang, tr(lang, `Read on ${entry.readOn}`, `${entry.readOn} 已读`));
    return reply('info', lang, {
      intro: [tr(lang, `The group already read this on ${entry.readOn}; nothing was changed.`, `小组已于 ${entry.readOn} 读过这篇，未做更改。`)],
      cards: [card],
      papers: paper ? [paper] : [],
      data: { code: 'already-read', paperId, readOn: entry.readOn },
    });
  }
  const { card, paper } = noteCard(paperId, lookup, lang, tr(lang, `Read on ${readOn}`, `${readOn} 已读`));
  return reply('reading-read', lang, {
    intro: [tr(lang, `Marked as read on ${readOn}. It will not be suggested again.`, `已标记为 ${readOn} 读过，今后不再推荐。`)],
    cards: [card],
    papers: paper ? [paper] : [],
    data: { paperId, readOn },
  });
}

/** `unread <id>`: takes a paper out of the group's history. */
export function markUnread(input: CommandInput): Reply {
  const { lang, services, invocation } = input;
  const store = readingStore(services.db);
  const group = groupOf(input);
  const id = input.args.split(' ').filter(Boolean)[0];
  if (!id) {
    throw new UserError('missing-id', {
      en: 'Say which paper: /paper unread <id>. /paper history lists the ids.',
      zh: '请给出论文编号：/paper unread <编号>。/paper history 列有编号。',
    });
  }
  // A paper read before the catalog dropped it can still be taken out of the history by its id.
  const paperId = store.readEntry(group, id) ? id : resolvePaper(input, id).id;
  // Nothing to take out is said to anyone; taking out is for managers.
  if (store.readEntry(group, paperId)) requireHistoryRight(input, null);
  if (!store.transaction(() => store.unmarkRead(group, paperId))) {
    throw new UserError('not-read', {
      en: `"${paperId}" is not in the group's reading history; nothing was changed.`,
      zh: `“${paperId}”不在小组的已读记录中，未做更改。`,
    }, ['history']);
  }
  services.log.info(`reading ${group.platform}:${group.channelId}: ${paperId} taken out of the reading history by ${invocation.userId}`);
  const { card, paper } = noteCard(paperId, lookupIn(services), lang, tr(lang, 'Not read', '未读'));
  return reply('reading-unread', lang, {
    intro: [tr(lang, 'Taken out of the reading history: it may be suggested again.', '已从已读记录中移除，之后可能再次推荐。')],
    cards: [card],
    papers: paper ? [paper] : [],
    data: { paperId },
  });
}

/** `history`: what the group has read, newest first. */
export function showHistory(input: CommandInput): Reply {
  const { lang, services } = input;
  const reads = readingStore(services.db).reads(groupOf(input));
  if (reads.length === 0) {
    return reply('reading-history', lang, {
      intro: [tr(lang, 'The group has not marked any paper read yet: /paper read <id>.', '小组还没有已读论文：/paper read <编号>。')],
      data: { total: 0, entries: [] },
    });
  }
  const lookup = lookupIn(services);
  const shown = reads.slice(0, HISTORY_LIMIT).map((r) => noteCard(r.paperId, lookup, lang, tr(lang, `Read on ${r.readOn}`, `${r.readOn} 已读`)));
  return reply('reading-history', lang, {
    title: tr(lang, `Reading history: ${reads.length} paper${reads.length === 1 ? '' : 's'}`, `已读记录：共 ${reads.length} 篇`),
    cards: shown.map((s) => s.card),
    papers: shown.flatMap((s) => (s.paper ? [s.paper] : [])),
    footer:
      reads.length > HISTORY_LIMIT
        ? tr(lang, `Showing the ${HISTORY_LIMIT} most recent of ${reads.length}.`, `显示最近 ${HISTORY_LIMIT} 篇，共 ${reads.length} 篇。`)
        : undefined,
    data: { total: reads.length, entries: reads.map((r) => ({ paperId: r.paperId, readOn: r.readOn })) },
  });
}
