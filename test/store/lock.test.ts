import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleBot, type ConsoleBot } from '../helpers/console-bot.js';
import { tempDbPath } from '../helpers/temp-db.js';

/**
 * Another process holding the write lock is played by a second connection to the same file with an
 * open IMMEDIATE transaction: SQLite cannot tell the difference.
 */
describe('a database write lock held elsewhere', () => {
  let bot: ConsoleBot | undefined;
  let holder: Database.Database | undefined;
  let cleanup = () => {};
  afterEach(() => {
    if (holder?.inTransaction) holder.exec('ROLLBACK');
    holder?.close();
    bot?.close();
    cleanup();
    bot = holder = undefined;
  });

  const setUp = async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    bot = await consoleBot({ dbPath: db.dbPath });
    holder = new Database(db.dbPath);
    holder.exec('BEGIN IMMEDIATE');
    return bot;
  };

  it('GIVEN a command that must write while the lock is held THEN other channels are answered meanwhile, and the write lands once the lock is released', async () => {
    const b = await setUp();
    const finished: string[] = [];
    const write = b.paperbot.bot
      .handle({ text: 'spotlight on monday 09:00', platform: 'console', channelId: 'A', userId: 'U1', canManageChannel: true, trigger: 'command' })
      .then((r) => (finished.push('write'), r));
    const read = b.paperbot.bot
      .handle({ text: 'help', platform: 'console', channelId: 'B', userId: 'U2', canManageChannel: false, trigger: 'command' })
      .then((r) => (finished.push('help'), r));
    const help = await read;
    expect(help.kind).toBe('help');
    expect(finished).toEqual(['help']);
    // The other process commits; the waiting command goes through on its own.
    holder!.exec('COMMIT');
    const on = await write;
    expect(on.kind).toBe('spotlight-on');
    expect(finished).toEqual(['help', 'write']);
  });

  it('GIVEN a lock that is never released THEN the command answers that the database is busy instead of hanging or apologising', async () => {
    const b = await setUp();
    const r = await b.paperbot.bot.handle({ text: 'spotlight on monday 09:00', platform: 'console', channelId: 'A', userId: 'U1', canManageChannel: true, trigger: 'command' });
    expect(r.kind).toBe('error');
    expect(r.data).toMatchObject({ code: 'db-busy' });
    expect(r.intro.join(' ')).toMatch(/busy/);
  });
});
