import { channelOf, type ChannelRef } from '../../delivery/index.js';
import { mayManage, type Command, type CommandInput } from '../../services.js';
import { mustExist, UserError } from '../../errors.js';
import { reply, type Reply } from '../../reply.js';
import { cleanInput } from '../../text.js';
import { followText } from './messages.js';
import * as store from './store.js';

/** `/paper follow <query>`, `following`, `unfollow <n>`: the topics a channel's digest brings. */

/** Most topics one channel follows. */
const MAX_FOLLOWS = 25;

/** The channel the command was typed in, with the topics it followed before its workspace was known. */
async function channelHere(input: CommandInput): Promise<ChannelRef> {
  const ref = channelOf(input.invocation);
  await store.adopt(input.services.sql, ref);
  return ref;
}

function requireManager(input: CommandInput): void {
  if (mayManage(input.invocation)) return;
  throw new UserError('not-allowed', followText.both('notAllowed'));
}

async function follow(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, invocation, lang } = input;
  const query = cleanInput(input.args).text.trim();
  if (!query) throw new UserError('follow-empty', followText.both('emptyQuery'), ['follow segmentation mri', 'follow author:"Kamnitsas"']);
  // The search reads it now: a malformed filter gets the search's own message.
  const check = services.search.search(query, { limit: 1 });
  const matchesNow = check.total - check.related;
  if (check.notices.some((n) => /no words or filters/.test(n.en))) {
    throw new UserError('follow-nothing', followText.both('nothingToFollow', { query }));
  }
  const here = await channelHere(input);
  const existing = await store.followsOf(services.sql, here);
  if (existing.length >= MAX_FOLLOWS) throw new UserError('follow-many', followText.both('tooMany', { max: MAX_FOLLOWS }));
  const added = await store.addFollow(services.sql, here, query, invocation.userId, services.clock.now().toISOString());
  const count = existing.length + (added ? 1 : 0);
  return reply('follow', lang, {
    visibility: added ? 'channel' : 'ephemeral',
    intro: [
      added
        ? followText.text(lang, 'followed', { query, count })
        : followText.text(lang, 'alreadyFollowed', { query }),
      followText.text(lang, 'matchesNow', { count: matchesNow }),
    ],
    data: { added, query, matchesNow },
  });
}

async function following(input: CommandInput): Promise<Reply> {
  const { services, lang } = input;
  const follows = await store.followsOf(services.sql, await channelHere(input));
  if (follows.length === 0) {
    return reply('following', lang, { intro: [followText.text(lang, 'noTopics')], data: { follows: [] } });
  }
  return reply('following', lang, {
    title: followText.text(lang, 'listTitle'),
    intro: follows.map((f, i) => `${i + 1}. ${f.query}`),
    data: { follows: follows.map((f) => f.query) },
  });
}

async function unfollow(input: CommandInput): Promise<Reply> {
  requireManager(input);
  const { services, lang } = input;
  const here = await channelHere(input);
  const follows = await store.followsOf(services.sql, here);
  const n = Number(input.args.trim());
  if (!Number.isInteger(n) || n < 1 || n > follows.length) {
    throw new UserError('unfollow-number', followText.both('badNumber', { count: follows.length }), ['following']);
  }
  const gone = mustExist(follows[n - 1], `followed topic ${n}`);
  await store.removeFollow(services.sql, here, gone.id);
  return reply('unfollow', lang, { visibility: 'channel', intro: [followText.text(lang, 'unfollowed', { query: gone.query })], data: { removed: gone.query } });
}

export const followCommand: Command = {
  name: 'follow',
  aliases: ['关注'],
  summary: followText.both('summary.follow'),
  examples: ['follow segmentation mri', 'follow author:"Kamnitsas"', 'follow 肺结节 -classification'],
  run: follow,
};

export const followingCommand: Command = {
  name: 'following',
  aliases: ['关注列表'],
  summary: followText.both('summary.following'),
  examples: ['following'],
  run: following,
};

export const unfollowCommand: Command = {
  name: 'unfollow',
  aliases: ['取消关注'],
  summary: followText.both('summary.unfollow'),
  examples: ['unfollow 1'],
  run: unfollow,
};
