import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import { createPaperbot } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadSettings } from '../../adapters/settings.js';
import { createLogger } from '../../src/log.js';
import { tick } from '../../src/capabilities/spotlight/index.js';
import { postsOf } from '../../src/capabilities/spotlight/store.js';
import { FakeSlack } from '../fakes/slack.js';
import { tempDbPath } from '../helpers/temp-db.js';
import { syntheticPapers, channelRef } from '../spotlight/harness.js';

const CHANNEL = 'C0SPOT';
const SLOT = '2026-11-30T09:00:00.000Z';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A bot process of our own on the same database, with the real Slack adapter. */
async function bot(dbPath: string, fake: FakeSlack, now: string, logs: string[] = []) {
  const config = loadSettings({ PAPERBOT_DB: dbPath, LOG_LEVEL: 'debug', SLACK_BOT_TOKEN: 'xoxb-parent-0123456789', SLACK_SIGNING_SECRET: 'parent-secret', SLACK_API_URL: fake.apiUrl });
  const log = createLogger('debug', [], (l) => logs.push(l));
  const paperbot = await createPaperbot({ config, clock: new ManualClock(now), catalog: { papers: syntheticPapers(6) }, log });
  paperbot.services.outbox.register(createSlackAdapter({ config: config.slack!, bot: paperbot.bot, log }));
  return paperbot;
}

/**
 * The first process claims the slot and posts; Slack stores the message and the process is killed
 * with SIGKILL before the answer comes back, so the database never records it. A second process
 * retries after the lease runs out.
 */
async function crashThenRetry(scopes: string[]) {
  const fake = await FakeSlack.start({ scopes });
  const db = tempDbPath();
  const logs: string[] = [];
  try {
    const setup = await bot(db.dbPath, fake, '2026-11-27T12:00:00Z');
    await setup.bot.handle({ text: 'spotlight on monday 09:00 UTC', platform: 'slack', channelId: CHANNEL, userId: 'U1', canManageChannel: true, trigger: 'command' });
    setup.close();

    fake.acceptAndHangNext('chat.postMessage');
    const child = spawn(process.execPath, ['bin/run-ts.js', 'test/slack/child/spotlight-child.ts', db.dbPath, fake.apiUrl, '2026-11-30T09:00:30Z'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    for (let i = 0; i < 600 && fake.messagesIn(CHANNEL).length === 0; i++) {
      if (child.exitCode !== null) throw new Error(`child exited early: ${stderr.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);
    child.kill('SIGKILL');
    await exited;

    // After the attempt's lease (2 minutes), another process takes the claim.
    const retry = await bot(db.dbPath, fake, '2026-11-30T09:03:00Z', logs);
    const posted = await tick(retry.services);
    const rows = (await postsOf(retry.services.sql, channelRef('slack', CHANNEL)));
    retry.close();
    return { fake, posted, rows, logs };
  } finally {
    await fake.close();
    db.cleanup();
  }
}

describe('Slack spotlight exactly once across a kill -9', () => {
  it('GIVEN the history scopes THEN the retry finds the first message by its metadata key: one message, recorded with its ts', async () => {
    const { fake, posted, rows } = await crashThenRetry(['commands', 'chat:write', 'channels:history', 'groups:history']);
    const messages = fake.messagesIn(CHANNEL);
    expect(messages).toHaveLength(1);
    expect(messages[0].metadata).toMatchObject({ event_type: 'paperbot_post', event_payload: { key: expect.stringMatching(/^sp/) } });
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ slot: SLOT, status: 'posted', messageId: messages[0].ts });
    expect(posted.map((p: { messageId: string }) => p.messageId)).toEqual([messages[0].ts]);
  }, 30_000);

  it('GIVEN no history scope THEN the retry posts again and logs it as a possible duplicate', async () => {
    const { fake, rows, logs } = await crashThenRetry(['commands', 'chat:write']);
    expect(fake.messagesIn(CHANNEL)).toHaveLength(2);
    expect(rows[0]).toMatchObject({ status: 'posted' });
    expect(logs.join('\n')).toMatch(/may be a duplicate/);
  }, 30_000);
});
