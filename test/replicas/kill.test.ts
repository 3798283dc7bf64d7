import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/slack.js';
import { freshDatabase, testedEngines } from '../helpers/engines.js';
import { minuteAfter, Replica, slashCommand, spotlightWordsFor } from '../helpers/replicas.js';
import { HoldingProxy } from './holding-proxy.js';

/**
 * Issue 15, "Speed and faults": replicas are real `paperbot start` processes on one database, each
 * waking on its own for the spotlight's minute. Two of them are frozen in the middle of a post and
 * killed with SIGKILL; the survivor must finish their work once their attempt leases run out (the
 * shortest lease allowed, LEASE_SECONDS: the test waits for it, watching the fake Slack and the
 * survivor's log, never a timer).
 */

/** DELIVERY_ATTEMPT_LEASE_SECONDS's least value (the default, 120, made this test a minute longer). */
const LEASE_SECONDS = '60';

const CHANNELS = 40;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

// The deployment with several replicas is the PostgreSQL one; SQLite only where this machine has no server.
const engine = testedEngines().includes('postgres') ? 'postgres' : 'sqlite';
const isPost = (path: string) => path.endsWith('/chat.postMessage');

describe(`replicas on ${engine}: one killed while posting`, () => {
  it('GIVEN three replicas posting the same minute, one frozen before its post arrives and one after, both killed -9 THEN the survivor posts the first after the lease, finds the second already there, and every channel has exactly one post', async () => {
    const database = await freshDatabase(engine);
    cleanups.push(() => database.cleanup());
    // The history scope lets a retry look for its own earlier post before posting again (adapters/slack/web-api.ts).
    const slack = await FakeSlack.start({ scopes: ['commands', 'chat:write', 'channels:history'] });
    cleanups.push(() => slack.close());
    const slackPort = Number(new URL(slack.apiUrl).port);
    const start = async (name: string, apiUrl: string) => {
      const replica = await Replica.start({ name, env: { ...database.env, SLACK_API_URL: apiUrl, DELIVERY_ATTEMPT_LEASE_SECONDS: LEASE_SECONDS }, from: 'sources' });
      cleanups.push(() => replica.kill());
      return replica;
    };
    const proxies = { survivor: await HoldingProxy.start(slackPort), lost: await HoldingProxy.start(slackPort), late: await HoldingProxy.start(slackPort) };
    for (const proxy of Object.values(proxies)) cleanups.push(() => proxy.close());
    // One after the other: the first migrates the database.
    const survivor = await start('survivor', proxies.survivor.apiUrl);
    const lost = await start('lost', proxies.lost.apiUrl);
    const late = await start('late', proxies.late.apiUrl);

    const slot = minuteAfter(20_000);
    const channels = Array.from({ length: CHANNELS }, (_, i) => `CK${String(i).padStart(3, '0')}`);
    const seeded = await Promise.all(
      channels.map((channelId, i) => slashCommand([survivor, lost, late][i % 3], slack, `spotlight on ${spotlightWordsFor(slot)}`, { channelId, userId: 'U0ADMIN' })),
    );
    expect(seeded.filter((answer) => !/spotlight is on/i.test(answer.text))).toEqual([]);
    expect(Date.now()).toBeLessThan(slot);

    // Each replica is stopped at its first post of the slot (the survivor only until the others are
    // down, so that it cannot post every channel before they reach one); then two are killed where they stand.
    void proxies.survivor.holdNth(isPost, 1, 'before-arrival');
    const killedWhenHeld = async (proxy: HoldingProxy, replica: Replica, mode: 'before-arrival' | 'after-arrival') => {
      const held = await proxy.holdNth(isPost, 1, mode);
      expect(await replica.kill('SIGKILL')).toBe('SIGKILL');
      return held.body.channel;
    };
    const [neverArrived, arrivedUnanswered] = await Promise.all([killedWhenHeld(proxies.lost, lost, 'before-arrival'), killedWhenHeld(proxies.late, late, 'after-arrival')]);
    expect(channels).toContain(neverArrived);
    expect(channels).toContain(arrivedUnanswered);
    expect(slack.messagesIn(neverArrived)).toHaveLength(0);
    expect(slack.messagesIn(arrivedUnanswered)).toHaveLength(1);
    proxies.survivor.release();

    // The survivor takes both claims once their leases run out, in a later minute's round.
    const [postedLost, postedLate] = await Promise.all([
      survivor.waitForLine(new RegExp(`spotlight slack:(?:[^/\\s]+/)?${neverArrived}: posted`)),
      survivor.waitForLine(new RegExp(`spotlight slack:(?:[^/\\s]+/)?${arrivedUnanswered}: posted`)),
    ]);
    await survivor.until('every channel to have a post', () => channels.every((c) => slack.messagesIn(c).length > 0));

    expect(channels.filter((c) => slack.messagesIn(c).length !== 1)).toEqual([]);
    // The post that had arrived was found by its key, not posted again: the survivor recorded that very message.
    expect(postedLate).toContain(`(message ${slack.messagesIn(arrivedUnanswered)[0].ts})`);
    expect(postedLost).toContain(`(message ${slack.messagesIn(neverArrived)[0].ts})`);
    const postsTo = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.body.channel === channel);
    expect(postsTo(neverArrived).map((c) => c.authorization)).toEqual([`Bearer ${survivor.botToken}`]);
    expect(postsTo(arrivedUnanswered).map((c) => c.authorization)).toEqual([`Bearer ${late.botToken}`]);
    // The retry looked before it posted.
    expect(slack.callsTo('conversations.history').some((c) => c.body.channel === arrivedUnanswered && c.authorization === `Bearer ${survivor.botToken}`)).toBe(true);
    expect(survivor.alive).toBe(true);
  }, 600_000);
});
