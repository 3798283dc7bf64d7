import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { consoleBot, type ConsoleBot } from '../helpers/console-bot.js';
import { readingCatalog } from './catalog.js';

let bot: ConsoleBot;
afterEach(() => bot?.close());

describe('the reading group at the console', () => {
  it('GIVEN typed commands only THEN a poll is posted, its message is updated after each vote, and the winner is announced and read', async () => {
    bot = await consoleBot({ catalog: readingCatalog, clock: new ManualClock('2026-11-02T09:00:00Z') });
    expect((await bot.say('suggest liver segmentation 2')).kind).toBe('poll-opened');
    expect(bot.output()).toContain('[#console message 1]\nReading group poll #1: what should we read next?');
    await bot.say('vote 2', { user: 'ana' });
    await bot.say('vote 2', { user: 'ben' });
    await bot.say('vote 1', { user: 'ana' });
    const updates = bot.output().split('[#console message 1, updated]');
    expect(updates).toHaveLength(4);
    expect(updates[3]).toMatch(/1\. .+\n(?:.+\n)?\s+Votes: 1\n[\s\S]*2\. .+\n(?:.+\n)?\s+Votes: 2/);

    // The console operator manages the channel, so any user at it may close.
    const closed = await bot.say('suggest close', { user: 'ben' });
    expect(closed.kind).toBe('poll-closed');
    expect(bot.output()).toMatch(/\[#console message 2\]\nNext paper for the reading group: .+\nPoll #1 is closed: 2 votes\. Link: https:\/\/example\.org\/papers\//);
    const read = await bot.say('read');
    expect(read.kind).toBe('reading-read');
    const history = await bot.say('history');
    expect(history.data).toMatchObject({ total: 1, entries: [{ readOn: '2026-11-02' }] });
  });
});
