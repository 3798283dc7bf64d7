import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryButtons } from '../helpers/buttons.js';
import { createBot } from '../../src/bot.js';
import type { PaperSearch } from '../../src/search/types.js';
import { blockActionBody, blockActionPayload, signedHeaders, slashCommandBody } from '../fakes/slack.js';
import { BOT_TOKEN, pagedCatalog, SIGNING_SECRET, startSlackHarness, type SlackHarness } from './harness.js';

type Block = { type: string; text?: { text: string }; accessory?: Button; elements?: any[] };
type Button = { action_id: string; value: string; text: { text: string } };

const sections = (blocks: Block[]) => blocks.filter((b) => b.type === 'section' && b.accessory);
const allButtons = (blocks: Block[]): Button[] =>
  blocks.flatMap((b) => (b.accessory ? [b.accessory] : b.type === 'actions' ? (b.elements as Button[]) : []));
const buttonLabelled = (blocks: Block[], label: string) => allButtons(blocks).find((b) => b.text.text === label);

describe('Slack HTTP mode, real Bolt against a local Slack', () => {
  let h: SlackHarness;
  const responseUrl = (id: string) => h.fake.responseUrl(id);
  const command = async (text: string, extra: { userId?: string } = {}) => {
    const res = await h.send(slashCommandBody({ text, responseUrl: responseUrl(`cmd-${text}`), ...extra }));
    expect(res.status).toBe(200);
    return (await res.json()) as { response_type: string; text: string; blocks: Block[] };
  };
  const click = async (button: Button, id: string) => {
    const body = blockActionBody(blockActionPayload({ actionId: button.action_id, value: button.value, responseUrl: responseUrl(id) }));
    const res = await h.send(body);
    expect(res.status).toBe(200);
    return (await h.fake.waitForResponses(id))[0].body;
  };

  beforeAll(async () => {
    h = await startSlackHarness({ catalog: pagedCatalog(12), env: { SLACK_ADMIN_USERS: 'U0ADMIN' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN /paper <query> THEN the ack itself carries an ephemeral Block Kit reply naming the query and the match count', async () => {
    const total = h.paperbot.services.search.search('segmentation').total;
    const ack = await command('segmentation');
    expect(ack.response_type).toBe('ephemeral');
    const header = ack.blocks.find((b) => b.type === 'header');
    expect(header?.text?.text).toContain('segmentation');
    expect(header?.text?.text).toContain(String(total));
    // One section with a Show button per paper on the first page, each linking its title.
    const cards = sections(ack.blocks);
    expect(cards).toHaveLength(Math.min(total, 5));
    for (const card of cards) {
      expect(card.text?.text).toMatch(/^\*<https:\/\/arxiv\.org\/abs\/[^|]+\|Segmentation paper \d+>\*/);
      expect(card.accessory?.text.text).toBe('Show');
    }
    expect(ack.blocks.at(-1)?.type).toBe('actions');
    expect(buttonLabelled(ack.blocks, 'More')).toBeDefined();
    expect(buttonLabelled(ack.blocks, 'Share')).toBeDefined();
    expect(ack.text).toContain('Segmentation paper');
  });

  it('GIVEN a slash command THEN the command layer sees who asked where, with admin rights from SLACK_ADMIN_USERS', async () => {
    await command('help', { userId: 'U0ADMIN' });
    await command('help', { userId: 'U0ALICE' });
    const [admin, other] = h.handled.slice(-2);
    expect(admin).toMatchObject({ text: 'help', platform: 'slack', channelId: 'C0PAPERS', userId: 'U0ADMIN', userName: 'alice', canManageChannel: true, trigger: 'command' });
    expect(other).toMatchObject({ userId: 'U0ALICE', canManageChannel: false });
  });

  it('GIVEN /paper show <id> THEN the reply is the full record of that paper with a Share button', async () => {
    const paper = h.paperbot.catalog.papers[3];
    const ack = await command(`show ${paper.id}`);
    expect(ack.response_type).toBe('ephemeral');
    expect(JSON.stringify(ack.blocks)).toContain(paper.title);
    expect(JSON.stringify(ack.blocks)).toContain(paper.id);
    expect(buttonLabelled(ack.blocks, 'Share')).toBeDefined();
  });

  it('GIVEN /paper help THEN the usage comes back ephemeral', async () => {
    const ack = await command('help');
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.blocks[0]).toMatchObject({ type: 'header', text: { text: 'paperbot usage' } });
    expect(ack.text).toContain('/paper');
  });

  it('GIVEN an empty /paper THEN the user alone gets an error telling them what to type', async () => {
    const ack = await command('');
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toContain('Type what you are looking for');
  });

  it('GIVEN /paper share <query> THEN the result is posted for the channel', async () => {
    const ack = await command('share segmentation');
    expect(ack.response_type).toBe('in_channel');
    expect(sections(ack.blocks).length).toBeGreaterThan(0);
  });

  it('GIVEN /paper share <query> that matches nothing THEN only the user is told, the channel sees nothing', async () => {
    const ack = await command('share qqzzxxyy');
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toContain('No paper matches');
  });

  it('GIVEN a query with mentions and markup THEN the echoed query is escaped in every text', async () => {
    const ack = await command('<!channel> @here <@U0ALICE> &');
    const json = JSON.stringify(ack);
    expect(json).not.toMatch(/<!channel>|<@U0ALICE>/);
    expect(json).not.toMatch(/@here/);
    expect(ack.text).toContain('&lt;!channel&gt;');
  });

  it('GIVEN a click on More THEN the next page replaces the message in place via response_url', async () => {
    const ack = await command('segmentation');
    const more = buttonLabelled(ack.blocks, 'More')!;
    const firstPage = sections(ack.blocks).map((s) => s.text?.text);
    const update = await click(more, 'more-1');
    expect(update.replace_original).toBe(true);
    expect(update.response_type).toBeUndefined();
    const secondPage = sections(update.blocks).map((s: Block) => s.text?.text);
    expect(secondPage.length).toBeGreaterThan(0);
    for (const s of secondPage) expect(firstPage).not.toContain(s);
    // The click ran as the person who clicked, on the message that holds the button.
    expect(h.handled.at(-1)).toMatchObject({ trigger: 'button', userId: 'U0BOB', messageRef: { platform: 'slack', channelId: 'C0PAPERS', messageId: '1800000000.000100' } });
    expect(buttonLabelled(update.blocks, 'Previous')).toBeDefined();
  });

  it('GIVEN a click on Show THEN the paper comes back to the clicker alone, leaving the list in place', async () => {
    const ack = await command('segmentation');
    const show = sections(ack.blocks)[0].accessory!;
    const answer = await click(show, 'show-1');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.replace_original).toBe(false);
    expect(h.handled.at(-1)?.text).toMatch(/^show segmentation-paper-\d+-2017$/);
    expect(JSON.stringify(answer.blocks)).toMatch(/Segmentation paper \d+/);
  });

  it('GIVEN a click on Share THEN the result is posted in the channel', async () => {
    const ack = await command('segmentation');
    const answer = await click(buttonLabelled(ack.blocks, 'Share')!, 'share-1');
    expect(answer.response_type).toBe('in_channel');
    expect(answer.replace_original).toBe(false);
    expect(sections(answer.blocks).length).toBeGreaterThan(0);
  });

  it('GIVEN a button whose long command is no longer known THEN the clicker is told it expired', async () => {
    const answer = await click({ action_id: 'paperbot:0', value: 'pb:u:0:#zz', text: { text: 'More' } }, 'expired-1');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/expired/);
  });

  it('GIVEN a page button that fails THEN the error goes to the clicker and the original message stays', async () => {
    const value = memoryButtons(2000).encode({ label: 'More', command: 'segmentation --page 99', effect: 'update' }, 0);
    const answer = await click({ action_id: 'paperbot:0', value, text: { text: 'More' } }, 'bad-page-1');
    expect(answer.replace_original).toBe(false);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/page/);
  });

  it('answers GET /healthz and 404s other paths', async () => {
    const health = await fetch(`http://127.0.0.1:${h.adapter.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    expect((await fetch(`http://127.0.0.1:${h.adapter.port}/elsewhere`)).status).toBe(404);
  });

  describe('rejected requests run nothing', () => {
    const body = () => slashCommandBody({ text: 'segmentation', responseUrl: 'http://127.0.0.1:9/never' });
    const now = () => Math.floor(Date.now() / 1000);
    const expectRejected = async (res: Response, status: number) => {
      const before = h.handled.length;
      expect(res.status).toBe(status);
      expect(await res.text()).toBe('');
      expect(h.handled.length).toBe(before);
    };

    it('a bad signature gets 401', async () => {
      const before = h.handled.length;
      const res = await h.send(body(), { signature: 'v0=' + '0'.repeat(64) });
      expect(res.status).toBe(401);
      expect(h.handled.length).toBe(before);
    });

    it('a missing signature header gets 401', async () => {
      await expectRejected(await h.send(body(), { omit: ['x-slack-signature'] }), 401);
    });

    it('a missing timestamp header gets 401', async () => {
      await expectRejected(await h.send(body(), { omit: ['x-slack-request-timestamp'] }), 401);
    });

    it('a correctly signed request stamped 6 minutes ago gets 401', async () => {
      await expectRejected(await h.send(body(), { timestamp: now() - 6 * 60 }), 401);
    });

    it('a correctly signed request stamped 6 minutes in the future gets 401', async () => {
      await expectRejected(await h.send(body(), { timestamp: now() + 6 * 60 }), 401);
    });

    it('a correctly signed request stamped 4 minutes in the future is still served', async () => {
      const res = await h.send(body(), { timestamp: now() + 4 * 60 });
      expect(res.status).toBe(200);
    });

    it('a signed body over 64 KiB gets 413', async () => {
      const big = slashCommandBody({ text: 'x'.repeat(70 * 1024), responseUrl: 'http://127.0.0.1:9/never' });
      await expectRejected(await h.send(big), 413);
    });

    it('a chunked body over 64 KiB with no Content-Length gets 413', async () => {
      const before = h.handled.length;
      const big = slashCommandBody({ text: 'x'.repeat(70 * 1024), responseUrl: 'http://127.0.0.1:9/never' });
      const status = await new Promise<number>((resolve, reject) => {
        // Signed, so only the size can be what refuses it.
        const headers = { ...signedHeaders(SIGNING_SECRET, big), 'transfer-encoding': 'chunked' };
        const req = request(h.eventsUrl, { method: 'POST', headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        for (let i = 0; i < big.length; i += 8192) req.write(big.slice(i, i + 8192));
        req.end();
      });
      expect(status).toBe(413);
      expect(h.handled.length).toBe(before);
    });
  });

  it('never logs a token or the signing secret', () => {
    const all = h.logs.join('\n');
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SIGNING_SECRET);
  });
});

describe('Slack HTTP mode when a command throws', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    // The only test that swaps a core part: a search engine that fails on every query.
    h = await startSlackHarness({
      bot: (paperbot) => {
        const broken: PaperSearch = {
          ...paperbot.services.search,
          search: () => {
            throw new Error('index exploded');
          },
        };
        return createBot({ ...paperbot.services, search: broken });
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a search that throws THEN the user gets an ephemeral apology, the stack is logged and the server keeps serving', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await h.send(slashCommandBody({ text: 'segmentation', responseUrl: h.fake.responseUrl() }));
      expect(res.status).toBe(200);
      const ack = (await res.json()) as any;
      expect(ack.response_type).toBe('ephemeral');
      expect(ack.text).toMatch(/Sorry, something went wrong/);
    }
    expect(h.logs.some((l) => l.includes('index exploded') && l.includes('at '))).toBe(true);
    const help = await h.send(slashCommandBody({ text: 'help', responseUrl: h.fake.responseUrl() }));
    expect(((await help.json()) as any).blocks[0].text.text).toBe('paperbot usage');
  });
});

describe('Slack HTTP mode with a slow command', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    // The real bot behind a delay longer than the ack deadline.
    h = await startSlackHarness({
      ackDeadlineMs: 50,
      bot: (paperbot) => ({
        ...paperbot.bot,
        handle: async (invocation) => {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          return paperbot.bot.handle(invocation);
        },
      }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a command slower than the ack deadline THEN Slack gets an empty ack in time and the reply arrives at response_url', async () => {
    const started = Date.now();
    const res = await h.send(slashCommandBody({ text: 'help', responseUrl: h.fake.responseUrl('slow-1') }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(Date.now() - started).toBeLessThan(900);
    const [late] = await h.fake.waitForResponses('slow-1');
    expect(late.body.response_type).toBe('ephemeral');
    expect(late.body.blocks[0]).toMatchObject({ type: 'header', text: { text: 'paperbot usage' } });
  });
});

describe('Slack HTTP mode with a hostile catalog', () => {
  let h: SlackHarness;
  const evil = '<!channel> @here <@U0ALICE> & ';
  beforeAll(async () => {
    const catalog = pagedCatalog(200);
    for (const p of catalog.papers) {
      p.title = `Segmentation ${evil}${'t'.repeat(10_000)}`;
      p.datasets = [{ name: `${evil}${'d'.repeat(5000)}`, url: '' }];
      p.url = `https://example.org/${p.id}?a=1&b=<2>|3`;
    }
    h = await startSlackHarness({ catalog });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN 200 matching papers with 10,000-character titles and mentions THEN the ack stays inside Slack limits and escapes everything', async () => {
    for (const text of ['segmentation', `show ${h.paperbot.catalog.papers[0].id}`, 'share segmentation']) {
      const res = await h.send(slashCommandBody({ text, responseUrl: h.fake.responseUrl() }));
      expect(res.status).toBe(200);
      const ack = (await res.json()) as any;
      expect(ack.blocks.length).toBeLessThanOrEqual(50);
      expect(ack.text.length).toBeLessThanOrEqual(3000);
      for (const b of ack.blocks) {
        if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
        if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000);
        if (b.accessory) expect(b.accessory.text.text.length).toBeLessThanOrEqual(75);
      }
      const shown = JSON.stringify(ack, (key, v) => (key === 'value' ? undefined : v));
      expect(shown).not.toMatch(/<!channel>|<@U0ALICE>|@here/);
      expect(shown.length).toBeLessThan(40_000);
    }
  });
});
