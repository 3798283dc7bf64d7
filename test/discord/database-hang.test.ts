import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommand } from '../fakes/discord-interactions.js';
import { postgresBinDir, startTestPostgres, type TestPostgres } from '../helpers/postgres-server.js';
import { segmentationCatalog } from './catalog.js';
import { bodyOf, startDiscordHarness, type DiscordHarness, type MessageBody } from './harness.js';

/**
 * Discord's side of a PostgreSQL that hangs (SIGSTOP) longer than the bot's database bounds: the
 * command is deferred at once and its answer, the short apology, follows while the server is still
 * stopped; once the server goes on, the same command is answered as usual. Its own server, since it
 * is stopped.
 */
describe.skipIf(!postgresBinDir())('Discord while PostgreSQL hangs', () => {
  let server: TestPostgres;
  let h: DiscordHarness;
  beforeAll(async () => {
    server = await startTestPostgres();
    h = await startDiscordHarness({
      catalog: segmentationCatalog(),
      deferAfterMs: 300,
      env: { DATABASE_URL: server.url, DATABASE_CONNECT_TIMEOUT_SECONDS: '1', DATABASE_STATEMENT_TIMEOUT_SECONDS: '1', DATABASE_QUERY_TIMEOUT_SECONDS: '2' },
    });
  }, 120_000);
  afterAll(async () => {
    server?.thaw();
    await h?.close();
    await server?.stop();
  });

  /** The answer's message and whether it came deferred (type 5, then the webhook) or at once (type 4). */
  const answerTo = async (query: string) => {
    const sent = slashCommand(h.fake, query);
    const callback = bodyOf(await h.callbackFor(sent)) as { type: number; data?: MessageBody };
    if (callback.type === 4) return { deferred: false, text: JSON.stringify(callback.data?.content ?? callback.data?.embeds) };
    expect(callback.type).toBe(5);
    const answer = (await h.fake.waitFor((r) => (r.method === 'PATCH' || r.method === 'POST') && r.path.startsWith(`/api/v10/webhooks/${h.fake.appId}/${sent.token}`), 60_000)).body as MessageBody;
    return { deferred: true, text: JSON.stringify(answer.content ?? answer.embeds) };
  };

  it('GIVEN a server that hangs longer than the bounds WHEN a command needs it THEN it is deferred and followed by the short apology before the server goes on, and after SIGCONT the same command is answered', async () => {
    const before = await answerTo('history');
    expect(before.text).not.toMatch(/Sorry, something went wrong/);

    server.freeze();
    let during: { deferred: boolean; text: string };
    try {
      during = await answerTo('history');
    } finally {
      server.thaw();
    }
    expect(during).toEqual({ deferred: true, text: expect.stringMatching(/Sorry, something went wrong/) });

    expect((await answerTo('history')).text).toBe(before.text);
    expect(h.logs.join('\n')).toMatch(/database answered again after \d+\.\d s, 1 failure meanwhile/);
    expect(h.fake.violations).toEqual([]);
  }, 120_000);
});
