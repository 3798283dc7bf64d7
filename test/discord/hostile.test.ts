import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autocomplete, buttonClick, slashCommand } from '../fakes/discord-interactions.js';
import { hostileCatalog } from './catalog.js';
import { bodyOf, buttonsOf, startDiscordHarness, type DiscordHarness, type MessageBody } from './harness.js';
import { expectSafeDiscordMessage } from './safety.js';

describe('GIVEN a hostile catalog and hostile queries', () => {
  let h: DiscordHarness;

  beforeAll(async () => {
    h = await startDiscordHarness({ catalog: hostileCatalog() });
  });
  afterAll(async () => {
    // The fake validated every payload it received against Discord's OpenAPI description.
    expect(h.fake.violations).toEqual([]);
    await h.close();
  });

  it('THEN search results, every page, every Show and every Share mention nobody and stay within limits', async () => {
    const messages: MessageBody[] = [];
    const answer = async (sent: ReturnType<typeof slashCommand>) => bodyOf(await h.callbackFor(sent)).data ?? {};
    const first = await answer(slashCommand(h.fake, 'segmentation'));
    expect(first.embeds?.length).toBeGreaterThan(0);
    messages.push(first);
    for (const b of buttonsOf(first)) messages.push(bodyOf(await h.callbackFor(buttonClick(h.fake, b.custom_id!, first))).data ?? {});
    for (const p of h.paperbot.services.papers) messages.push(await answer(slashCommand(h.fake, `show ${p.id}`)));
    messages.push(await answer(slashCommand(h.fake, `@everyone <@&123> @here ${'q'.repeat(10_000)}`)));
    messages.push(await answer(slashCommand(h.fake, 'share segmentation')));
    for (const m of messages) expectSafeDiscordMessage(m);
    expect(h.fake.violations).toEqual([]);
  });

  it('THEN a title too long for an autocomplete value is offered as show <id>, and ids too long for that are left out', async () => {
    const body = bodyOf(await h.callbackFor(autocomplete(h.fake, 'segmentation')));
    const choices = body.data?.choices ?? [];
    expect(choices.length).toBeGreaterThan(0);
    for (const c of choices) {
      expect(c.name.length).toBeLessThanOrEqual(100);
      expect(c.value.length).toBeLessThanOrEqual(100);
    }
    const completed = h.paperbot.services.search.complete('segmentation', 25);
    // Every title in this catalog holds "segmentation", so the 10,000-character one is among them.
    expect(completed.map((p) => p.id)).toContain('huge-title-2019');
    expect(choices.map((c) => c.value)).toContain('show huge-title-2019');
    expect(choices.some((c) => c.value.includes('long-id-'))).toBe(false);
    expect(h.fake.violations).toEqual([]);
  });

  it('THEN every payload carries allowed_mentions with nothing to parse', () => {
    const bodies = h.fake.requests.map((r) => r.body as { type?: number; data?: MessageBody } & MessageBody).filter(Boolean);
    const messages = bodies.map((b) => (b.type === 4 || b.type === 7 ? b.data : b.type === undefined ? b : undefined)).filter((m): m is MessageBody => Boolean(m));
    expect(messages.length).toBeGreaterThan(10);
    for (const m of messages) expect(m.allowed_mentions).toEqual({ parse: [] });
  });
});
