import type { Paper } from '../catalog/paper.js';
import type { CommandInput } from '../commands/types.js';
import { UserError } from '../errors.js';
import { localize, tr, type LocalText } from '../i18n.js';
import { reply, type Reply } from '../reply.js';
import { parseSuggestArgs, parseVoteArgs } from './args.js';
import { announceWinner, currentPollReply, refreshPollMessage, settlePollMessage } from './messages.js';
import { mayManage } from '../manage.js';
import { pickDiverse } from './pick.js';
import { tieNote } from './render.js';
import { wasTie } from './tally.js';
import { groupOf, readingStore, type Poll } from './store.js';

/** `suggest …`: open a poll, or close one. */
export async function suggestOrClose(input: CommandInput): Promise<Reply> {
  const parsed = parseSuggestArgs(input.args);
  if (parsed.kind === 'close') return closePoll(input, parsed.pollId);
  return openPoll(input, parsed);
}

function confirmReplace(input: CommandInput, poll: Poll, rest: string): Reply {
  const { lang, services } = input;
  const voters = readingStore(services.db).voterCount(poll.id);
  const command = `suggest --replace${rest ? ` ${rest}` : ''}`;
  return reply('confirm-replace', lang, {
    intro: [
      tr(
        lang,
        `Poll #${poll.id} is still open (${voters} voter${voters === 1 ? '' : 's'} so far). A new poll would close it now and choose its winner from the votes so far. To go ahead: /paper ${command}, or the button below. To keep it open, do nothing.`,
        `投票 #${poll.id} 仍在进行（已有 ${voters} 人投票）。发起新投票会立即结束它，并按现有票数选出论文。确认请输入 /paper ${command}，或点击下方按钮；若要保留当前投票，无需操作。`,
      ),
    ],
    actions: [{ label: tr(lang, `Close #${poll.id} and open a new poll`, `结束 #${poll.id} 并发起新投票`), command, effect: 'reply', style: 'danger' }],
    data: { code: 'confirm-replace', openPollId: poll.id, command },
  });
}

type Scored = { paper: Paper; relevance: number };

async function openPoll(input: CommandInput, { topic, count, replace, rest }: { topic: string; count: number; replace: boolean; rest: string }): Promise<Reply> {
  const { lang, services, invocation } = input;
  const group = groupOf(input);
  const store = readingStore(services.db);

  let candidates: Scored[];
  const intro: string[] = [];
  if (topic) {
    const result = services.search.search(topic, { limit: 1000 });
    intro.push(...result.notices.map((n) => localize(n, lang)));
    if (result.total === 0) {
      const lines = [
        tr(lang, `No paper matches "${result.query}", so no poll was opened.`, `没有与“${result.query}”匹配的论文，未发起投票。`),
        ...intro,
      ];
      if (result.suggestions.length) lines.push(`${tr(lang, 'Try', '可以试试')}: ${result.suggestions.join(', ')}`);
      lines.push(tr(lang, 'To suggest from the whole catalog instead: /paper suggest any', '从整个清单中推荐：/paper suggest any'));
      return reply('no-match', lang, { intro: lines, data: { code: 'no-match', query: result.query, suggestions: result.suggestions } });
    }
    const top = Math.max(...result.hits.map((h) => h.score), 0);
    candidates = result.hits.map((h) => ({ paper: h.paper, relevance: top > 0 ? h.score / top : 1 }));
  } else {
    candidates = services.papers.map((paper) => ({ paper, relevance: 1 }));
  }

  const now = services.clock.now();
  const at = now.toISOString();
  const outcome = store.transaction(() => {
    const previous = store.openPoll(group);
    // Replacing a poll closes it, so it takes the same right as closing it.
    if (previous && !mayClose(input, previous)) throw notAllowed(input, previous, 'replace');
    const unread = () => {
      const read = new Set(store.reads(group).map((r) => r.paperId));
      const chosen = store.chosen(group)?.paperId;
      return candidates.filter((c) => !read.has(c.paper.id) && c.paper.id !== chosen);
    };
    // A new poll closes the open one and picks its winner on the spot: never without a yes.
    if (previous && !replace && unread().length > 0) return { confirm: previous } as const;
    const closed = previous ? store.closePoll(previous.id, invocation.userId, at) : null;
    const fresh = unread();
    if (fresh.length === 0) {
      // Throwing rolls back the closing of the previous poll too: nothing changes.
      throw new UserError(
        'nothing-left',
        topic
          ? {
              en: `The group has already read every paper matching "${topic}". Nothing was changed.`,
              zh: `与“${topic}”匹配的论文小组都已读过。未做任何更改。`,
            }
          : { en: 'The group has read every paper in the catalog. Nothing was changed.', zh: '小组已读完清单中的全部论文。未做任何更改。' },
        topic ? ['suggest any'] : ['history'],
      );
    }
    const offered = store.offeredPollsAgo(group);
    const seed = `${group.platform}:${group.channelId}:${store.pollCount(group)}`;
    const picked = pickDiverse(
      fresh.map((c) => ({ ...c, offeredPollsAgo: offered.get(c.paper.id) ?? null })),
      count,
      seed,
    );
    const pollId = store.createPoll({
      group,
      openedBy: invocation.userId,
      openedByName: invocation.userName,
      openedAt: at,
      lang,
      topic,
      paperIds: picked.map((p) => p.id),
    });
    return { previous: closed && previous ? previous : null, pollId, picked };
  });
  if ('confirm' in outcome) return confirmReplace(input, outcome.confirm as Poll, rest);

  if (outcome.previous) {
    await Promise.all([refreshPollMessage(services, outcome.previous.id), announceWinner(services, outcome.previous.id)]);
    intro.push(closedNote(input, outcome.previous.id));
  }

  const poll = store.poll(outcome.pollId)!;
  const message = currentPollReply(services, store, poll.id);
  try {
    const ref = await services.outbox.post(group.platform, group.channelId, message, {
      idempotencyKey: `pbp-${poll.id}-${now.getTime().toString(36)}`,
    });
    store.setMessageRef(poll.id, ref);
    // A vote that arrived while the message was on its way could not update it.
    if (store.tally(poll.id).some((o) => o.votes > 0)) await refreshPollMessage(services, poll.id);
  } catch (error) {
    services.log.warn(`reading group: could not post poll #${poll.id} to ${group.platform} ${group.channelId}`, error);
    // The poll stands (text votes work); show it as this command's reply so the channel still sees it.
    message.intro.unshift(...intro);
    return message;
  }
  if (outcome.picked.length < count) {
    intro.push(
      tr(
        lang,
        `Only ${outcome.picked.length} unread paper${outcome.picked.length === 1 ? '' : 's'} could be offered.`,
        `只有 ${outcome.picked.length} 篇未读论文可推荐。`,
      ),
    );
  }
  intro.push(
    tr(
      lang,
      `Poll #${poll.id} is posted in this channel with ${outcome.picked.length} paper${outcome.picked.length === 1 ? '' : 's'}. Vote with its buttons or /paper vote <n>; close it with /paper suggest close.`,
      `投票 #${poll.id} 已发到本频道，共 ${outcome.picked.length} 篇论文。点按钮或输入 /paper vote <序号> 投票；输入 /paper suggest close 结束投票。`,
    ),
  );
  return reply('poll-opened', lang, {
    intro,
    data: {
      pollId: poll.id,
      paperIds: outcome.picked.map((p) => p.id),
      closedPollId: outcome.previous?.id ?? null,
    },
  });
}

/** A paper's title for a message, or its id when it has left the catalog. */
const titleOf = (input: CommandInput, paperId: string): string => input.services.search.get(paperId)?.title ?? paperId;

function closedNote(input: CommandInput, pollId: number): string {
  const { lang, services } = input;
  const store = readingStore(services.db);
  const poll = store.poll(pollId)!;
  const tally = store.tally(pollId);
  const winner = tally.find((o) => o.n === poll.winnerN);
  if (!winner) return tr(lang, `Poll #${pollId} was still open and is now closed, with no votes.`, `投票 #${pollId} 原本未结束，现已结束，无人投票。`);
  const title = titleOf(input, winner.paperId);
  const tie = wasTie(tally, winner) ? ` ${tieNote(lang, tally, winner)}` : '';
  return tr(
    lang,
    `Poll #${pollId} was still open and is now closed. Next paper: ${title} (${winner.votes} vote${winner.votes === 1 ? '' : 's'}).`,
    `投票 #${pollId} 原本未结束，现已结束。下一篇：${title}（${winner.votes} 票）。`,
  ) + tie;
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
  const text: LocalText =
    act === 'close'
      ? {
          en: `Only ${opener}, who opened poll #${poll.id}, or someone who can manage this channel can close it.`,
          zh: `只有发起投票 #${poll.id} 的 ${opener} 或频道管理员可以结束它。`,
        }
      : {
          en: `Poll #${poll.id} is still open. Only ${opener}, who opened it, or someone who can manage this channel can close it and start a new one; nothing was changed.`,
          zh: `投票 #${poll.id} 仍在进行。只有发起人 ${opener} 或频道管理员可以结束它并发起新投票；未做任何更改。`,
        };
  return new UserError('not-allowed', inPollLanguage(input, poll, text), ['vote 1', 'next']);
}

/** The poll a vote or close names (`#id`), or the channel's open one; never another channel's. */
function findPoll(input: CommandInput, pollId: number | null): Poll {
  const group = groupOf(input);
  const store = readingStore(input.services.db);
  const poll = pollId === null ? store.openPoll(group) : store.poll(pollId);
  if (poll && poll.platform === group.platform && poll.channelId === group.channelId) return poll;
  if (pollId === null) {
    throw new UserError(
      'no-open-poll',
      { en: 'No poll is open in this channel. Start one with /paper suggest.', zh: '本频道没有进行中的投票。发起投票：/paper suggest。' },
      ['suggest', 'next'],
    );
  }
  throw new UserError('unknown-poll', { en: `This channel has no poll #${pollId}.`, zh: `本频道没有编号为 #${pollId} 的投票。` });
}

/**
 * A click on a closed poll shows the poll as it ended (the message is replaced by its final state,
 * which is right for everyone); typed text gets an error reply.
 */
function closedPoll(input: CommandInput, poll: Poll): Reply {
  const { services } = input;
  const notice = tr(poll.lang, `Poll #${poll.id} is closed: votes no longer count.`, `投票 #${poll.id} 已结束，不再计票。`);
  if (input.invocation.trigger === 'button') {
    const store = readingStore(services.db);
    const r = currentPollReply(services, store, poll.id, notice);
    r.data = { ...r.data, code: 'poll-closed' };
    return r;
  }
  throw new UserError(
    'poll-closed',
    {
      en: `Poll #${poll.id} is closed: votes no longer count. /paper next shows the chosen paper.`,
      zh: `投票 #${poll.id} 已结束，不再计票。/paper next 查看选出的论文。`,
    },
    ['next', 'suggest'],
  );
}

async function closePoll(input: CommandInput, pollId: number | null): Promise<Reply> {
  const { lang, services, invocation } = input;
  const store = readingStore(services.db);
  const poll = findPoll(input, pollId);
  if (poll.closedAt) return closedPoll(input, poll);
  if (!mayClose(input, poll)) throw notAllowed(input, poll, 'close');
  const result = store.transaction(() => store.closePoll(poll.id, invocation.userId, services.clock.now().toISOString()));
  if (!result) return closedPoll(input, poll);

  const byButton = invocation.trigger === 'button';
  // A click replaces the poll message with what we return; typed text updates it through the outbox.
  await Promise.all([byButton ? Promise.resolve() : refreshPollMessage(services, poll.id), announceWinner(services, poll.id)]);
  const closed = store.poll(poll.id)!;
  if (byButton) return currentPollReply(services, store, closed.id);
  const winner = result.winner;
  const title = winner ? titleOf(input, winner.paperId) : '';
  const tally = store.tally(poll.id);
  const tie = wasTie(tally, winner);
  return reply('poll-closed', lang, {
    intro: [
      winner
        ? tr(
            lang,
            `Poll #${poll.id} is closed. Next paper: ${title} (${winner.votes} vote${winner.votes === 1 ? '' : 's'}). /paper read marks it read once the group has.`,
            `投票 #${poll.id} 已结束。下一篇：${title}（${winner.votes} 票）。读完后输入 /paper read 标记为已读。`,
          )
        : tr(lang, `Poll #${poll.id} is closed with no votes: no paper was chosen.`, `投票 #${poll.id} 已结束，无人投票，没有选出论文。`),
      ...(tie && winner ? [tieNote(lang, tally, winner)] : []),
    ],
    data: { pollId: poll.id, winner: winner?.paperId ?? null, votes: winner?.votes ?? 0, tie },
  });
}

/** `vote <n> [#poll]`: toggles the voter's vote for the nth paper. */
export async function vote(input: CommandInput): Promise<Reply> {
  const { lang, services, invocation } = input;
  const store = readingStore(services.db);
  const { n, pollId } = parseVoteArgs(input.args);
  const poll = findPoll(input, pollId);
  if (poll.closedAt) return closedPoll(input, poll);

  const outcome = store.transaction(() => {
    // Read again under the write lock: another process may have closed it a moment ago.
    if (store.poll(poll.id)?.closedAt) return 'closed' as const;
    const size = store.optionCount(poll.id);
    if (n < 1 || n > size) {
      throw new UserError('no-such-option', {
        en: `Poll #${poll.id} has ${size} paper${size === 1 ? '' : 's'}: vote with a number from 1 to ${size}.`,
        zh: `投票 #${poll.id} 共有 ${size} 篇论文，请输入 1 到 ${size} 之间的序号。`,
      });
    }
    return store.toggleVote(poll.id, n, invocation.userId, services.clock.now().toISOString());
  });
  if (outcome === 'closed') return closedPoll(input, poll);

  if (invocation.trigger === 'button') {
    settlePollMessage(services, poll.id);
    const r = currentPollReply(services, store, poll.id);
    r.data = { ...r.data, vote: outcome, n };
    return r;
  }
  await refreshPollMessage(services, poll.id);
  const option = store.tally(poll.id).find((o) => o.n === n)!;
  const title = titleOf(input, option.paperId);
  return reply('vote', lang, {
    intro: [
      outcome === 'added'
        ? tr(lang, `Your vote for ${n}. ${title} counts: ${option.votes} vote${option.votes === 1 ? '' : 's'} now.`, `已为 ${n}. ${title} 投票，现有 ${option.votes} 票。`)
        : tr(
            lang,
            `Your vote for ${n}. ${title} is taken back: ${option.votes} vote${option.votes === 1 ? '' : 's'} now. Vote again with /paper vote ${n}.`,
            `已撤回对 ${n}. ${title} 的投票，现有 ${option.votes} 票。再次投票：/paper vote ${n}。`,
          ),
    ],
    data: { pollId: poll.id, n, vote: outcome, votes: option.votes },
  });
}
