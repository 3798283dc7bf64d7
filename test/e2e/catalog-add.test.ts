import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slashCommand } from '../fakes/discord-interactions.js';
import { slashCommandBody } from '../fakes/slack.js';
import { FakeSources } from '../fakes/sources.js';
import { bodyOf, startDiscordHarness, type DiscordHarness, type MessageBody } from '../discord/harness.js';
import { startSlackHarness, type SlackHarness } from '../slack/harness.js';

/**
 * `/paper add <arXiv id>` through the real Bolt app and the real discord.js client, each against its
 * fake platform, with arXiv a fake on 127.0.0.1 serving the recorded Atom: the card posted names
 * what was added, and the next `/paper` query in the same adapter finds the paper.
 */
const sources = new FakeSources();
beforeAll(async () => {
  await sources.start();
});
afterAll(() => sources.stop());

type Block = { type: string; text?: { text: string }; elements?: { text?: string }[] };
type SlackMessage = { response_type?: string; text?: string; blocks?: Block[] };
const blockText = (message: SlackMessage) => JSON.stringify(message.blocks ?? []);

describe('Slack: /paper add through Bolt', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ env: sources.env() });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The reply to a slash command: in the ack, or at response_url when the command outlasts the ack deadline. */
  async function command(text: string, id: string): Promise<SlackMessage> {
    const res = await h.send(slashCommandBody({ text, responseUrl: h.fake.responseUrl(id) }));
    expect(res.status).toBe(200);
    const ack = await res.text();
    if (ack) return JSON.parse(ack) as SlackMessage;
    const [late] = await h.fake.waitForResponses(id, 1, 60_000);
    return late?.body as SlackMessage;
  }

  it('posts the card of the added paper, and the next /paper finds it', async () => {
    const before = await command('comparative study multiple testing techniques', 'before');
    expect(blockText(before)).not.toContain('Testing Deep Learning Models');

    const added = await command('add arXiv:2202.12139', 'add');
    const text = blockText(added);
    expect(text).toContain('Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques');
    expect(text).toContain('arXiv:2202.12139v1');
    expect(text).toContain('doi:10.1109/icstw55395.2022.00035');
    expect(added.text).toContain('Testing Deep Learning Models');
    expect(sources.requests('arxiv').some((r) => r.query.get('id_list') === '2202.12139')).toBe(true);

    const after = await command('comparative study multiple testing techniques', 'after');
    const found = (after.blocks ?? []).filter((b) => b.type === 'section' && b.text?.text.includes('Testing Deep Learning Models'));
    expect(found).toHaveLength(1);
    expect(found[0]?.text?.text).toContain('https://arxiv.org/abs/2202.12139');
  });
});

describe('Discord: /paper add through discord.js', () => {
  let h: DiscordHarness;
  beforeAll(async () => {
    h = await startDiscordHarness({ env: sources.env() });
  });
  afterAll(async () => {
    expect(h?.fake.violations).toEqual([]);
    await h?.close();
  });

  /** The reply to a slash command: the callback, or the edit of the deferred original response. */
  async function command(query: string): Promise<MessageBody> {
    const sent = slashCommand(h.fake, query);
    const callback = bodyOf(await h.callbackFor(sent, 60_000));
    if (callback.type !== 5) return callback.data ?? {};
    const path = `/api/v10/webhooks/${h.fake.appId}/${sent.token}/messages/@original`;
    const edit = await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === path, 60_000);
    return edit.body as MessageBody;
  }

  it('posts the card of the added paper, and the next /paper finds it', async () => {
    const title = 'Towards Explainable Test Case Prioritisation with Learning-to-Rank Models';
    const before = await command('explainable test case prioritisation learning to rank');
    expect((before.embeds ?? []).map((e) => e.title ?? '').join('\n')).not.toContain(title);

    const added = await command('add https://arxiv.org/abs/2405.13786');
    expect(added.embeds).toHaveLength(1);
    const card = added.embeds?.[0];
    expect(card?.title).toBe(title);
    expect(card?.url).toBe('https://arxiv.org/abs/2405.13786v1');
    expect(card?.description).toContain('arXiv:2405.13786v1');
    expect(added.content).toContain('Added 1, merged 0.');

    const after = await command('explainable test case prioritisation learning to rank');
    const hit = (after.embeds ?? []).find((e) => e.title?.replace(/^\d+\. /, '') === title);
    expect(hit?.url).toBe('https://arxiv.org/abs/2405.13786v1');
  });
});
