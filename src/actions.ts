import { createHash } from 'node:crypto';
import type { Tenant } from './adapter.js';
import type { Clock } from './clock.js';
import type { Action, Reply } from './reply.js';
import type { Migration } from './store/migrations.js';
import type { SqlQueries } from './store/sql/types.js';

/**
 * Buttons carry their command in the platform's button id (Discord `custom_id`, at most 100
 * characters; Slack `value`, 2,000). A command too long for that is kept in the state database
 * (`button_commands`) and the id holds a key to it, so a click answered by any replica, or after a
 * restart, finds it. The row names the channel the message went to (platform, workspace, channel):
 * a click from another workspace or channel, forged or not, never reaches it.
 */
const EFFECT_CODE = { update: 'u', reply: 'r', post: 'p' } as const;
const CODE_EFFECT = Object.fromEntries(Object.entries(EFFECT_CODE).map(([effect, code]) => [code, effect])) as Record<string, Action['effect']>;
const PREFIX = 'pb';
const BUTTON_ID = new RegExp(`^${PREFIX}:([${Object.values(EFFECT_CODE).join('')}]):([0-9a-z]+):(.*)$`, 's');
/** Marks a key to a stored command rather than the command itself (commands never start with it). */
const STORED = '#';
/** How long a stored command answers clicks after its message was last drawn: a button older than this says it expired. */
export const BUTTON_COMMAND_TTL_MS = 30 * 86_400_000;
/** Expired rows are deleted at most this often, by whichever replica draws a long button. */
const SWEEP_INTERVAL_MS = 3_600_000;

/**
 * Migration 85 (portable): the long button commands. `id` is a hash of the tenant and the command,
 * so drawing the same buttons again (paging, a poll's refresh) renews one row instead of adding one.
 */
export const buttonCommandsMigration: Migration = {
  version: 85,
  name: 'button-commands',
  portable: () => `
CREATE TABLE button_commands (
  id TEXT PRIMARY KEY,
  platform TEXT NOT NULL,
  workspace_id TEXT NOT NULL DEFAULT '',
  channel TEXT NOT NULL,
  command TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX button_commands_expiry ON button_commands (expires_at);
`,
};

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

/** What a renderer needs: the id of each button. `slot` (the button's place in the message) keeps two buttons with the same command distinct: Discord refuses a message whose custom_ids repeat. */
export type ButtonIds = { encode(action: Action, slot: number): string };

/**
 * A click's button id read back: the command and its effect; `expired` when the stored command is
 * gone (too old, or from before the database kept them); `refused` when it was made for another
 * channel or workspace than the click came from; null when the id is not one of ours.
 */
export type DecodedClick = Pick<Action, 'command' | 'effect'> | 'expired' | 'refused' | null;

export type ActionCodec = {
  /**
   * Draws a message for the tenant's channel with `draw`, and keeps its long commands in the
   * database before handing the message back, so no click can arrive before its command is there.
   */
  render<M>(where: Tenant, draw: (buttons: ButtonIds) => M): Promise<M>;
  decode(id: string, clickedIn: Tenant): Promise<DecodedClick>;
};

type Row = { platform: string; workspace_id: string; channel: string; command: string; expires_at: string };

/**
 * A button's id: its effect, its slot and its command; or, when the command does not fit in
 * `maxLength` (or could be mistaken for a key), the key `keep` gives the command under.
 */
export function buttonId(action: Action, slot: number, maxLength: number, keep: (command: string) => string): string {
  const head = `${PREFIX}:${EFFECT_CODE[action.effect]}:${slot.toString(36)}:`;
  if (head.length + action.command.length <= maxLength && !action.command.startsWith(STORED)) return head + action.command;
  return head + STORED + keep(action.command);
}

/** A button id read back: the effect, and the command or the key it is kept under; null when the id is not one of ours. */
export function parseButtonId(id: string): (Pick<Action, 'effect'> & ({ command: string } | { key: string })) | null {
  const m = BUTTON_ID.exec(id);
  if (!m) return null;
  const [, code = '', , typed = ''] = m;
  const effect = CODE_EFFECT[code];
  if (effect === undefined) return null;
  return typed.startsWith(STORED) ? { effect, key: typed.slice(STORED.length) } : { effect, command: typed };
}

export function createActionCodec(options: { sql: SqlQueries; clock: Clock; maxLength?: number }): ActionCodec {
  const { sql, clock, maxLength = 100 } = options;
  let nextSweep = 0;
  return {
    async render(where, draw) {
      const long = new Map<string, string>();
      const message = draw({
        encode: (action, slot) =>
          buttonId(action, slot, maxLength, (command) => {
            const key = keyOf(where, command);
            long.set(key, command);
            return key;
          }),
      });
      if (long.size === 0) return message;
      const now = clock.now().getTime();
      const [nowIso, expires] = [new Date(now).toISOString(), new Date(now + BUTTON_COMMAND_TTL_MS).toISOString()];
      for (const [key, command] of long) {
        await sql.run(
          `INSERT INTO button_commands (id, platform, workspace_id, channel, command, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`,
          [key, where.platform, where.workspaceId, where.channelId, command, nowIso, expires],
        );
      }
      if (now >= nextSweep) {
        nextSweep = now + SWEEP_INTERVAL_MS;
        await sql.run('DELETE FROM button_commands WHERE expires_at <= ?', [nowIso]);
      }
      return message;
    },

    async decode(id, clickedIn) {
      const parsed = parseButtonId(id);
      if (!parsed || 'command' in parsed) return parsed;
      const row = await sql.one<Row>('SELECT platform, workspace_id, channel, command, expires_at FROM button_commands WHERE id = ?', [parsed.key]);
      if (!row || Date.parse(row.expires_at) <= clock.now().getTime()) return 'expired';
      // A message posted for state recorded before tenants (workspace '') is clicked from whichever
      // workspace shares the channel: the channel still has to match.
      const sameWorkspace = row.workspace_id === '' || row.workspace_id === clickedIn.workspaceId;
      if (row.platform !== clickedIn.platform || row.channel !== clickedIn.channelId || !sameWorkspace) return 'refused';
      return { command: row.command, effect: parsed.effect };
    },
  };
}

/** The stored command's key: the same tenant and command give the same key (one row, renewed), any other a different one. */
function keyOf(where: Tenant, command: string): string {
  return createHash('sha256').update(JSON.stringify([where.platform, where.workspaceId, where.channelId, command])).digest('base64url').slice(0, 22);
}
