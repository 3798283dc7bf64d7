import type { Paper } from '../../catalog/paper.js';
import { mayManage, type CommandInput } from '../../services.js';
import { mustExist, UserError } from '../../errors.js';
import { coreText } from '../../i18n/catalog.js';
import { localize, type LocalText } from '../../i18n/index.js';
import { reply, type Reply } from '../../reply.js';
import { parseSuggestArgs, parseVoteArgs } from './args.js';
import { announceWinner, currentPollReply, refreshPollMessage, settlePollMessage } from './poll-message.js';
import { pollText } from './messages.js';
import { pickDiverse } from './pick.js';
import { tieNote } from './render.js';
import { wasTie } from './tally.js';
import { groupOf, readingStore, sameGroup, type Poll, type ReadingStore } from './store.js';

/** `suggest …`: open a poll, or close one. */
export async function suggestOrClose(input: CommandInput): Promise<Reply> {
  const parsed = parseSuggestArgs(input.args);
  if (parsed.kind === 'close') return closePoll(input, parsed.pollId);
  return openPoll(input, parsed);
}

type OpenRequest = { topic: string; count: number; replace: boolean; rest: string };

type Scored = { paper: Paper; relevance: number };
type Candidates = { candidates: Scored[]; notices: string[] } | { noMatch: Reply };
type Opened = { previous: Poll | null; pollId: number; picked: Paper[] } | { confirm: Poll };

async function openPoll(input: CommandInput, { topic, count, replace, rest }: OpenRequest): Promise<Reply> {
  const { lang, services } = input;
  const store = readingStore(services.sql);
  const found = candidatesFor(input, topic);
  if ('noMatch' in found) return found.noMatch;
  const intro = [...found.notices];
  const now = services.clock.now();
  const outcome = await store.transaction((tx) => createPoll(input, tx, { topic, count, replace }, found.candidates, now.toISOString()));
  if ('confirm' in outcome) return confirmReplace(input, outcome.confirm, rest);

  if (outcome.previous) {
    await Promise.all([refreshPollMessage(services, outcome.previous.id), announceWinner(services, outcome.previous.id)]);
    intro.push(await closedNote(input, outcome.previous.id));
  }
  const posted = await postPoll(input, outcome.pollId, now);
  if (posted) {
    // The poll stands (text votes work); show it as this command's reply so the channel still sees it.
    posted.intro.unshift(...intro);
    return posted;
  }
  if (outcome.picked.length < count) intro.push(pollText.text(lang, 'fewerOffered', { count: outcome.picked.length }));
  intro.push(pollText.text(lang, 'pollPosted', { poll: outcome.pollId, count: outcome.picked.length }));
  return reply('poll-opened', lang, {
    intro,
    data: {
      pollId: outcome.pollId,
      paperIds: outcome.picked.map((p) => p.id),
      closedPollId: outcome.previous?.id ?? null,
    },
  });
}

/** The papers a poll on `topic` may offer, each with its relevance; the whole catalog when there is no topic. */
function candidatesFor(input: CommandInput, topic: string): Candidates {
  const { lang, services } = input;
  if (!topic) return { candidates: services.papers.map((paper) => ({ paper, relevance: 1 })), notices: [] };
  const result = services.search.search(topic, { limit: 1000 });
  const notices = result.notices.map((n) => localize(n, lang));
  if (result.total === 0) {
    const lines = [pollText.text(lang, 'noMatchNoPoll', { query: result.query }), ...notices];
    if (result.suggestions.length) lines.push(coreText.text(lang, 'tryHints', { hints: result.suggestions.join(', ') }));
    lines.push(pollText.text(lang, 'suggestAny'));
    return { noMatch: reply('no-match', lang, { intro: lines, data: { code: 'no-match', query: result.query, suggestions: result.suggestions } }) };
  }
  const top = Math.max(...result.hits.map((h) => h.score), 0);
  return { candidates: result.hits.map((h) => ({ paper: h.paper, relevance: top > 0 ? h.score / top : 1 })), notices };
}

/**
 * Closes the channel's open poll (when the asker may) and opens one with up to `count` unread
 * papers. Runs inside the store's transaction (`store` is bound to it): a UserError rolls back the
 * closing too.
 */
async function createPoll(
  input: CommandInput,
  store: ReadingStore,
  { topic, count, replace }: Omit<OpenRequest, 'rest'>,
  candidates: Scored[],
  at: string,
): Promise<Opened> {
  const { lang, invocation } = input;
  const group = groupOf(input);
  // Two `suggest`s at once in one channel, on any replicas: the second waits here, then sees the first's poll.
  await store.lockGroup(group);
  const previous = await store.openPoll(group);
  // Replacing a poll closes it, so it takes the same right as closing it.
  if (previous && !mayClose(input, previous)) throw notAllowed(input, previous, 'replace');
  const unread = async () => {
    const read = new Set((await store.reads(group)).map((r) => r.paperId));
    const chosen = (await store.chosen(group))?.paperId;
    return candidates.filter((c) => !read.has(c.paper.id) && c.paper.id !== chosen);
  };
  // A new poll closes the open one and picks its winner on the spot: never without a yes.
  if (previous && !replace && (await unread()).length > 0) return { confirm: previous };
  const closed = previous ? await store.closePoll(previous.id, invocation.userId, at) : null;
  const fresh = await unread();
  if (fresh.length === 0) {
    throw new UserError(
      'nothing-left',
      topic ? pollText.both('allReadOnTopic', { topic }) : pollText.both('allRead'),
      topic ? ['suggest any'] : ['history'],
    );
  }
  const offered = await store.offeredPollsAgo(group);
  // The workspace joins the seed only when there is one, so the console's and older groups' polls stay as they were.
  const tenant = group.workspaceId ? `${group.workspaceId}:` : '';
  const seed = `${group.platform}:${tenant}${group.channelId}:${await store.pollCount(group)}`;
  const picked = pickDiverse(
    fresh.map((c) => ({ ...c, offeredPollsAgo: offered.get(c.paper.id) ?? null })),
    count,
    seed,
  );
  const pollId = await store.createPoll({
    group,
    openedBy: invocation.userId,
    openedByName: invocation.userName,
    openedAt: at,
    lang,
    topic,
    paperIds: picked.map((p) => p.id),
  });
  return { previous: closed && previous ? previous : null, pollId, picked };
}

/** Asks before a new poll closes the open one: `suggest --replace …` or the button does it. */
async function confirmReplace(input: CommandInput, poll: Poll, rest: string): Promise<Reply> {
  const { lang, services } = input;
  const voters = await readingStore(services.sql).voterCount(poll.id);
  const command = `suggest --replace${rest ? ` ${rest}` : ''}`;
  return reply('confirm-replace', lang, {
    intro: [pollText.text(lang, 'confirmReplace', { poll: poll.id, voters, command })],
    actions: [{ label: pollText.text(lang, 'confirmReplaceButton', { poll: poll.id }), command, effect: 'reply', style: 'danger' }],
    data: { code: 'confirm-replace', openPollId: poll.id, command },
  });
}

/**
 * Posts the poll message to the channel and records where it is. Returns null when posted; when the
 * platform refused, the poll message itself, for the command to answer with.
 */
async function postPoll(input: CommandInput, pollId: number, now: Date): Promise<Reply | null> {
  const { services } = input;
  const group = groupOf(input);
  const store = readingStore(services.sql);
  const message = await currentPollReply(services, store, pollId);
  try {
    const ref = await services.outbox.post(group, message, {
      idempotencyKey: `pbp-${pollId}-${now.getTime().toString(36)}`,
    });
    await store.setMessageRef(pollId, ref);
    // A vote that arrived while the message was on its way could not update it.
    if ((await store.tally(pollId)).some((o) => o.votes > 0)) await refreshPollMessage(services, pollId);
    return null;
  } catch (error) {
    services.log.warn(`reading group: could not post poll #${pollId} to ${group.platform} ${group.channelId}`, error);
    return message;
  }
}

/** A paper's title for a message, or its id when it has left the catalog. */
const titleOf = (input: CommandInput, paperId: string): string => input.services.search.get(paperId)?.title ?? paperId;

async function closedNote(input: CommandInput, pollId: number): Promise<string> {
  const { lang, services } = input;
  const store = readingStore(services.sql);
  const poll = mustExist(await store.poll(pollId), `poll #${pollId}`);
  const tally = await store.tally(pollId);
  const winner = tally.find((o) => o.n === poll.winnerN);
  if (!winner) return pollText.text(lang, 'previousClosedNoVotes', { poll: pollId });
  const closed = pollText.text(lang, 'previousClosed', { poll: pollId, title: titleOf(input, winner.paperId), votes: winner.votes });
  return wasTie(tally, winner) ? `${closed} ${tieNote(lang, tally, winner)}` : closed;
}

/**
 * A button's text (`suggest close #3`) holds no Chinese, so an answer to a click follows the
 * language the poll was opened in rather than the button's text.
 */
function inPollLanguage(input: CommandInput, poll: Poll, text: LocalText): LocalText {
  return input.invocation.trigger === 'button' && poll.lang === 'zh' ? { en: text.zh ?? text.en, zh: text.zh } : text;
}

function mayClose(input: CommandInput, poll: Poll): boolean {
  return poll.openedBy === input.invocation.userId || mayManage(input.invocation);
}

function notAllowed(input: CommandInput, poll: Poll, act: 'close' | 'replace'): UserError {
  const opener = poll.openedByName || poll.openedBy;
  const text = pollText.both(act === 'close' ? 'closeNotAllowed' : 'replaceNotAllowed', { poll: poll.id, opener });
  return new UserError('not-allowed', inPollLanguage(input, poll, text), ['vote 1', 'next']);
}

/**
 * The poll a vote or close names (`#id`), or the channel's open one; never another channel's, nor
 * another workspace's (a forged button naming its id is told the poll does not exist).
 */
async function findPoll(input: CommandInput, pollId: number | null): Promise<Poll> {
  const group = groupOf(input);
  const store = readingStore(input.services.sql);
  const poll = pollId === null ? await store.openPoll(group) : await store.poll(pollId);
  if (poll && sameGroup(poll, group)) return poll;
  if (pollId === null) {
    throw new UserError(
      'no-open-poll',
      pollText.both('noOpenPoll'),
      ['suggest', 'next'],
    );
  }
  throw new UserError('unknown-poll', pollText.both('unknownPoll', { poll: pollId }));
}

/**
 * A click on a closed poll shows the poll as it ended (the message is replaced by its final state,
 * which is right for everyone); typed text gets an error reply.
 */
async function closedPoll(input: CommandInput, poll: Poll): Promise<Reply> {
  const { services } = input;
  const notice = pollText.text(poll.lang, 'pollClosedNotice', { poll: poll.id });
  if (input.invocation.trigger === 'button') {
    const store = readingStore(services.sql);
    const r = await currentPollReply(services, store, poll.id, notice);
    r.data = { ...r.data, code: 'poll-closed' };
    return r;
  }
  throw new UserError(
    'poll-closed',
    pollText.both('pollClosedError', { poll: poll.id }),
    ['next', 'suggest'],
  );
}

async function closePoll(input: CommandInput, pollId: number | null): Promise<Reply> {
  const { lang, services, invocation } = input;
  const store = readingStore(services.sql);
  const poll = await findPoll(input, pollId);
  if (poll.closedAt) return closedPoll(input, poll);
  if (!mayClose(input, poll)) throw notAllowed(input, poll, 'close');
  const result = await store.transaction((tx) => tx.closePoll(poll.id, invocation.userId, services.clock.now().toISOString()));
  if (!result) return closedPoll(input, poll);

  const byButton = invocation.trigger === 'button';
  // A click replaces the poll message with what we return; typed text updates it through the outbox.
  await Promise.all([byButton ? Promise.resolve() : refreshPollMessage(services, poll.id), announceWinner(services, poll.id)]);
  const closed = mustExist(await store.poll(poll.id), `poll #${poll.id}`);
  if (byButton) return currentPollReply(services, store, closed.id);
  const winner = result.winner;
  const title = winner ? titleOf(input, winner.paperId) : '';
  const tally = await store.tally(poll.id);
  const tie = wasTie(tally, winner);
  return reply('poll-closed', lang, {
    intro: [
      winner
        ? pollText.text(lang, 'closedWithWinner', { poll: poll.id, title, votes: winner.votes })
        : pollText.text(lang, 'closedNoVotes', { poll: poll.id }),
      ...(tie && winner ? [tieNote(lang, tally, winner)] : []),
    ],
    data: { pollId: poll.id, winner: winner?.paperId ?? null, votes: winner?.votes ?? 0, tie },
  });
}

/** `vote <n> [#poll]`: toggles the voter's vote for the nth paper. */
export async function vote(input: CommandInput): Promise<Reply> {
  const { lang, services, invocation } = input;
  const store = readingStore(services.sql);
  const { n, pollId } = parseVoteArgs(input.args);
  const poll = await findPoll(input, pollId);
  if (poll.closedAt) return closedPoll(input, poll);

  const outcome = await store.transaction(async (tx) => {
    // Read again under the lock a close must wait for: another replica may have closed it a moment ago.
    if ((await tx.lockForVote(poll.id, invocation.userId)) !== 'open') return 'closed' as const;
    const size = await tx.optionCount(poll.id);
    if (n < 1 || n > size) {
      throw new UserError('no-such-option', pollText.both('noSuchOption', { poll: poll.id, size }));
    }
    return tx.toggleVote(poll.id, n, invocation.userId, services.clock.now().toISOString());
  });
  if (outcome === 'closed') return closedPoll(input, poll);

  if (invocation.trigger === 'button') {
    settlePollMessage(services, poll.id);
    const r = await currentPollReply(services, store, poll.id);
    r.data = { ...r.data, vote: outcome, n };
    return r;
  }
  await refreshPollMessage(services, poll.id);
  const option = mustExist((await store.tally(poll.id)).find((o) => o.n === n), `option ${n} of poll #${poll.id}`);
  const title = titleOf(input, option.paperId);
  return reply('vote', lang, {
    intro: [
      pollText.text(lang, outcome === 'added' ? 'voteAdded' : 'voteRemoved', { n, title, votes: option.votes }),
    ],
    data: { pollId: poll.id, n, vote: outcome, votes: option.votes },
  });
}
