import type { Action, Reply } from './reply.js';

/**
 * Buttons carry their command in the platform's button id (Discord `custom_id`, at most 100
 * characters; Slack `value`). A command too long for that is kept here and the id holds a key to it;
 * such a button stops working after a restart, and the adapter then says so instead of guessing.
 */
const EFFECT_CODE = { update: 'u', reply: 'r', post: 'p' } as const;
const CODE_EFFECT = Object.fromEntries(Object.entries(EFFECT_CODE).map(([effect, code]) => [code, effect])) as Record<string, Action['effect']>;
const PREFIX = 'pb';
const BUTTON_ID = new RegExp(`^${PREFIX}:([${Object.values(EFFECT_CODE).join('')}]):([0-9a-z]+):(.*)$`, 's');
const LONG_LIMIT = 5000;

/**
 * Where the answer to a click goes, the same on every platform: an `update` replaces the message
 * the button is on; a `post` goes to the channel when the reply is meant for it; anything else goes
 * to the clicker alone, and so does any error, so a failure never wipes the results in view.
 */
export function clickOutcome(effect: Action['effect'], reply: Pick<Reply, 'kind' | 'visibility'>): 'replace' | 'channel' | 'clicker' {
  if (reply.kind === 'error') return 'clicker';
  if (effect === 'update') return 'replace';
  return effect === 'post' && reply.visibility === 'channel' ? 'channel' : 'clicker';
}

export type ActionCodec = {
  /** `slot` (the button's place in the message) keeps two buttons with the same command distinct: Discord refuses a message whose custom_ids repeat. */
  encode(action: Action, slot: number): string;
  decode(id: string): Pick<Action, 'command' | 'effect'> | 'expired' | null;
};

export function createActionCodec(maxLength = 100): ActionCodec {
  const long = new Map<string, string>();
  let counter = 0;
  return {
    encode(action, slot) {
      const head = `${PREFIX}:${EFFECT_CODE[action.effect]}:${slot.toString(36)}:`;
      if (head.length + action.command.length <= maxLength) return head + action.command;
      const key = `#${(++counter).toString(36)}`;
      long.set(key, action.command);
      // Bounded: the oldest long commands go first.
      if (long.size > LONG_LIMIT) long.delete(long.keys().next().value as string);
      return head + key;
    },
    decode(id) {
      const m = BUTTON_ID.exec(id);
      if (!m) return null;
      const [, code = '', , typed = ''] = m;
      const effect = CODE_EFFECT[code];
      if (effect === undefined) return null;
      let command = typed;
      if (command.startsWith('#')) {
        const found = long.get(command);
        if (found === undefined) return 'expired';
        command = found;
      }
      return { command, effect };
    },
  };
}
