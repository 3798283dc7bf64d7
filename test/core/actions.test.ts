import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BUTTON_COMMAND_TTL_MS, buttonCommandsMigration, clickOutcome, createActionCodec, type ButtonIds } from '../../src/actions.js';
import type { Tenant } from '../../src/adapter.js';
import { ManualClock } from '../../src/clock.js';
import type { Action } from '../../src/reply.js';
import { openDb } from '../../src/store/db.js';
import { openSqlStore } from '../../src/store/sql/open.js';
import type { SqlDatabase } from '../../src/store/sql/types.js';
import { memoryButtons } from '../helpers/buttons.js';
import { freshDatabase, testedEngines, type FreshDatabase } from '../helpers/engines.js';

const LAB: Tenant = { platform: 'slack', workspaceId: 'T0LAB', channelId: 'C0PAPERS' };
const longCommand = `share ${'segmentation '.repeat(10)}`;

/** Draws one button with the codec, as a renderer would, and hands back its id. */
function idOf(buttons: ButtonIds, action: Action, slot = 0): string {
  return buttons.encode(action, slot);
}

describe('button ids', () => {
  it('carry the command and its effect; a command too long for the id, or one that looks like a key, is kept aside', () => {
    const buttons = memoryButtons(40);
    const short = idOf(buttons, { label: 'More', command: 'gan --page 2', effect: 'update' }, 3);
    expect(short.length).toBeLessThanOrEqual(40);
    expect(short).toContain('gan --page 2');
    expect(buttons.decode(short)).toEqual({ command: 'gan --page 2', effect: 'update' });
    const long = idOf(buttons, { label: 'Share', command: longCommand, effect: 'post' }, 4);
    expect(long.length).toBeLessThanOrEqual(40);
    expect(buttons.decode(long)).toEqual({ command: longCommand, effect: 'post' });
    const keyLike = idOf(buttons, { label: 'Odd', command: '#0', effect: 'reply' });
    expect(buttons.decode(keyLike)).toEqual({ command: '#0', effect: 'reply' });
    expect(buttons.decode('someone-elses-button')).toBeNull();
  });
});

describe.each(testedEngines())('long button commands in the state database on %s', (engine) => {
  let fresh: FreshDatabase;
  const open: { close(): unknown }[] = [];

  /** A replica: its own connection (its own pool on PostgreSQL) to the shared database, and its own codec. */
  async function replica(clock: ManualClock) {
    const legacy: Database.Database = openDb(fresh.dbPath, []);
    const sql: SqlDatabase = await openSqlStore(fresh, legacy, [buttonCommandsMigration]);
    open.push(sql, legacy);
    return { sql, codec: createActionCodec({ sql, clock, maxLength: 40 }) };
  }

  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
    await fresh?.cleanup();
  });

  it('GIVEN a long command drawn on replica A THEN a click on replica B gets it; another workspace’s or channel’s click is refused; past its expiry it says expired, and the row is swept', async () => {
    fresh = await freshDatabase(engine);
    const clock = new ManualClock('2026-12-01T10:00:00Z');
    const [a, b] = [await replica(clock), await replica(clock)];

    const drawn = await a.codec.render(LAB, (buttons) => [
      idOf(buttons, { label: 'Share', command: longCommand, effect: 'post' }, 0),
      idOf(buttons, { label: 'More', command: 'gan --page 2', effect: 'update' }, 1),
    ]);
    const [longId, shortId] = drawn;
    expect(longId.length).toBeLessThanOrEqual(40);
    expect(longId).not.toContain('segmentation');
    // The row is written before render hands the message back: no click can come first.
    expect(await b.sql.all('SELECT platform, workspace_id AS "workspaceId", channel FROM button_commands')).toEqual([
      { platform: 'slack', workspaceId: 'T0LAB', channel: 'C0PAPERS' },
    ]);

    expect(await b.codec.decode(longId, LAB)).toEqual({ command: longCommand, effect: 'post' });
    expect(await b.codec.decode(shortId, LAB)).toEqual({ command: 'gan --page 2', effect: 'update' });
    // The same id, forged into a click from another workspace sharing the channel id, or another channel or platform.
    expect(await b.codec.decode(longId, { ...LAB, workspaceId: 'T0OTHER' })).toBe('refused');
    expect(await b.codec.decode(longId, { ...LAB, channelId: 'C0ELSEWHERE' })).toBe('refused');
    expect(await b.codec.decode(longId, { ...LAB, platform: 'discord' })).toBe('refused');
    expect(await b.codec.decode('pb:p:0:#nosuchkey', LAB)).toBe('expired');

    // Drawing the same buttons again renews the one row rather than adding another.
    clock.advance(BUTTON_COMMAND_TTL_MS - 60_000);
    expect(await a.codec.render(LAB, (buttons) => idOf(buttons, { label: 'Share', command: longCommand, effect: 'post' }))).toBe(longId);
    clock.advance(120_000);
    expect(await b.codec.decode(longId, LAB)).toEqual({ command: longCommand, effect: 'post' });
    expect(await b.sql.one('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM button_commands')).toEqual({ n: 1 });

    // Past its expiry: expired on any replica; the next long button drawn sweeps the old row.
    clock.advance(BUTTON_COMMAND_TTL_MS);
    expect(await b.codec.decode(longId, LAB)).toBe('expired');
    const other = await b.codec.render(LAB, (buttons) => idOf(buttons, { label: 'Share', command: `${longCommand} mri`, effect: 'post' }));
    expect(await a.codec.decode(other, LAB)).toEqual({ command: `${longCommand} mri`, effect: 'post' });
    expect(await a.sql.all('SELECT command FROM button_commands')).toEqual([{ command: `${longCommand} mri` }]);
  });

  it('GIVEN a message posted for state recorded before tenants (workspace empty) THEN a click from a workspace in that channel gets its command', async () => {
    fresh = await freshDatabase(engine);
    const clock = new ManualClock('2026-12-01T10:00:00Z');
    const { codec } = await replica(clock);
    const id = await codec.render({ ...LAB, workspaceId: '' }, (buttons) => idOf(buttons, { label: 'Share', command: longCommand, effect: 'post' }));
    expect(await codec.decode(id, LAB)).toEqual({ command: longCommand, effect: 'post' });
    expect(await codec.decode(id, { ...LAB, channelId: 'C0ELSEWHERE' })).toBe('refused');
  });
});

describe('where the answer to a click goes', () => {
  it.each([
    ['update', 'search', 'ephemeral', 'replace'],
    ['update', 'error', 'ephemeral', 'clicker'],
    ['post', 'search', 'channel', 'channel'],
    ['post', 'no-match', 'ephemeral', 'clicker'],
    ['post', 'error', 'ephemeral', 'clicker'],
    ['reply', 'paper', 'ephemeral', 'clicker'],
    ['reply', 'paper', 'channel', 'clicker'],
  ] as const)('GIVEN effect %s and a %s reply (%s) THEN it goes to: %s', (effect, kind, visibility, outcome) => {
    expect(clickOutcome(effect, { kind, visibility })).toBe(outcome);
  });
});
