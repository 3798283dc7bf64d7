import type { Paper } from '../../catalog/paper.js';
import { paperById } from '../../paper-id.js';
import { mayManage, type CommandInput } from '../../services.js';
import { mustExist, UserError } from '../../errors.js';
import { reply, type Reply } from '../../reply.js';
import { lookupIn } from './poll-message.js';
import { pollText, readingText } from './messages.js';
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
  return paperById(input.services.search, id, readingText.both('nothingChanged'));
}

/**
 * The reading history is the group's record and decides what is suggested: changing it is for
 * whoever may manage the channel. The one exception is the person who opened the poll that chose
 * the current paper, who may mark that paper read (`read` with no id, or its id).
 */
async function requireHistoryRight(input: CommandInput, paperId: string | null): Promise<void> {
  if (mayManage(input.invocation)) return;
  const store = readingStore(input.services.sql);
  const chosen = await store.chosen(groupOf(input));
  if (paperId !== null && chosen && chosen.paperId === paperId && chosen.pollId !== null) {
    if ((await store.poll(chosen.pollId))?.openedBy === input.invocation.userId) return;
  }
  throw new UserError(
    'not-allowed',
    pollText.both('historyNotAllowed'),
    ['history', 'next'],
  );
}

/** `next`: the paper the group chose. */
export async function showNext(input: CommandInput): Promise<Reply> {
  const { lang, services } = input;
  const store = readingStore(services.sql);
  const group = groupOf(input);
  const [chosen, open] = await Promise.all([store.chosen(group), store.openPoll(group)]);
  const openNote = open
    ? readingText.text(lang, 'openPollNote', { poll: open.id })
    : null;
  if (!chosen) {
    return reply('reading-next', lang, {
      intro: [
        readingText.text(lang, 'nothingChosen'),
        openNote ?? readingText.text(lang, 'startPoll'),
      ],
      data: { paperId: null, openPollId: open?.id ?? null },
    });
  }
  const note = chosen.pollId
    ? readingText.text(lang, 'chosenInPoll', { poll: chosen.pollId, date: chosen.chosenAt.slice(0, 10) })
    : readingText.text(lang, 'chosenOn', { date: chosen.chosenAt.slice(0, 10) });
  const { card, paper } = noteCard(chosen.paperId, lookupIn(services), lang, note);
  return reply('reading-next', lang, {
    title: readingText.text(lang, 'nextTitle'),
    intro: openNote ? [openNote] : [],
    cards: [card],
    papers: paper ? [paper] : [],
    footer: readingText.text(lang, 'nextFooter'),
    data: { paperId: chosen.paperId, pollId: chosen.pollId, openPollId: open?.id ?? null },
  });
}

/** `read [<id>]`: marks a paper read today (the chosen one by default). */
export async function markRead(input: CommandInput): Promise<Reply> {
  const { lang, services, invocation } = input;
  const store = readingStore(services.sql);
  const group = groupOf(input);
  const id = input.args.split(' ').filter(Boolean)[0];
  let paperId: string;
  if (id) {
    paperId = resolvePaper(input, id).id;
  } else {
    const chosen = await store.chosen(group);
    if (!chosen) {
      throw new UserError(
        'nothing-chosen',
        readingText.both('readWhich'),
        ['next', 'history'],
      );
    }
    paperId = chosen.paperId;
  }
  // Marking again what is already read changes nothing, so anyone may be told so.
  if (!(await store.readEntry(group, paperId))) await requireHistoryRight(input, paperId);
  const now = services.clock.now();
  const readOn = localDate(now, services.config.spotlight.timezone);
  const added = await store.transaction(async (tx) => {
    const ok = await tx.markRead(group, paperId, readOn, now.toISOString(), invocation.userId);
    if (ok) await tx.clearChosen(group, paperId);
    return ok;
  });
  if (added) services.log.info(`reading ${group.platform}:${group.channelId}: ${paperId} marked read by ${invocation.userId}`);
  const lookup = lookupIn(services);
  if (!added) {
    const entry = mustExist(await store.readEntry(group, paperId), `reading history entry of ${paperId}`);
    const { card, paper } = noteCard(paperId, lookup, lang, readingText.text(lang, 'readOn', { date: entry.readOn }));
    return reply('info', lang, {
      intro: [readingText.text(lang, 'alreadyRead', { date: entry.readOn })],
      cards: [card],
      papers: paper ? [paper] : [],
      data: { code: 'already-read', paperId, readOn: entry.readOn },
    });
  }
  const { card, paper } = noteCard(paperId, lookup, lang, readingText.text(lang, 'readOn', { date: readOn }));
  return reply('reading-read', lang, {
    intro: [readingText.text(lang, 'markedRead', { date: readOn })],
    cards: [card],
    papers: paper ? [paper] : [],
    data: { paperId, readOn },
  });
}

/** `unread <id>`: takes a paper out of the group's history. */
export async function markUnread(input: CommandInput): Promise<Reply> {
  const { lang, services, invocation } = input;
  const store = readingStore(services.sql);
  const group = groupOf(input);
  const id = input.args.split(' ').filter(Boolean)[0];
  if (!id) {
    throw new UserError('missing-id', readingText.both('unreadWhich'));
  }
  // A paper read before the catalog dropped it can still be taken out of the history by its id.
  const paperId = (await store.readEntry(group, id)) ? id : resolvePaper(input, id).id;
  // Nothing to take out is said to anyone; taking out is for managers.
  if (await store.readEntry(group, paperId)) await requireHistoryRight(input, null);
  if (!(await store.unmarkRead(group, paperId))) {
    throw new UserError('not-read', readingText.both('notInHistory', { id: paperId }), ['history']);
  }
  services.log.info(`reading ${group.platform}:${group.channelId}: ${paperId} taken out of the reading history by ${invocation.userId}`);
  const { card, paper } = noteCard(paperId, lookupIn(services), lang, readingText.text(lang, 'notRead'));
  return reply('reading-unread', lang, {
    intro: [readingText.text(lang, 'unmarked')],
    cards: [card],
    papers: paper ? [paper] : [],
    data: { paperId },
  });
}

/** `history`: what the group has read, newest first. */
export async function showHistory(input: CommandInput): Promise<Reply> {
  const { lang, services } = input;
  const reads = await readingStore(services.sql).reads(groupOf(input));
  if (reads.length === 0) {
    return reply('reading-history', lang, {
      intro: [readingText.text(lang, 'historyEmpty')],
      data: { total: 0, entries: [] },
    });
  }
  const lookup = lookupIn(services);
  const shown = reads.slice(0, HISTORY_LIMIT).map((r) => noteCard(r.paperId, lookup, lang, readingText.text(lang, 'readOn', { date: r.readOn })));
  return reply('reading-history', lang, {
    title: readingText.text(lang, 'historyTitle', { count: reads.length }),
    cards: shown.map((s) => s.card),
    papers: shown.flatMap((s) => (s.paper ? [s.paper] : [])),
    footer:
      reads.length > HISTORY_LIMIT
        ? readingText.text(lang, 'historyFooter', { shown: HISTORY_LIMIT, total: reads.length })
        : undefined,
    data: { total: reads.length, entries: reads.map((r) => ({ paperId: r.paperId, readOn: r.readOn })) },
  });
}
