import { expect } from 'vitest';
import { LIMITS } from '../../adapters/discord/limits.js';
import { customIds, embedCharacters } from '../fakes/discord.js';
import { discordRequestValidator } from '../fakes/discord-openapi.js';
import type { MessageBody } from './harness.js';

/**
 * Every rule Discord or our safety promise imposes on one message body: Discord's schema (through
 * its OpenAPI description), the limits outside the schema, http(s) links only, and no text that
 * could ping anyone even if allowed_mentions were lost on the way.
 */
export function expectSafeDiscordMessage(message: MessageBody): void {
  expect(discordRequestValidator().validate('POST', '/api/v10/channels/1/messages', message)).toEqual([]);
  expect(message.allowed_mentions).toEqual({ parse: [] });
  const embeds = message.embeds ?? [];
  const rows = message.components ?? [];
  expect(Boolean(message.content) || embeds.length > 0 || rows.length > 0).toBe(true);
  expect((message.content ?? '').length).toBeLessThanOrEqual(LIMITS.content);
  expect(embeds.length).toBeLessThanOrEqual(LIMITS.embeds);
  expect(embedCharacters(embeds)).toBeLessThanOrEqual(LIMITS.embedTotal);
  const shown: string[] = [message.content ?? ''];
  for (const e of embeds) {
    expect((e.title ?? '').length).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect((e.description ?? '').length).toBeLessThanOrEqual(LIMITS.embedDescription);
    expect((e.footer?.text ?? '').length).toBeLessThanOrEqual(LIMITS.embedFooter);
    if (e.url !== undefined) expect(e.url).toMatch(/^https?:\/\//);
    shown.push(e.title ?? '', e.description ?? '', e.footer?.text ?? '');
  }
  expect(rows.length).toBeLessThanOrEqual(LIMITS.rows);
  for (const row of rows) {
    expect(row.components.length).toBeGreaterThan(0);
    expect(row.components.length).toBeLessThanOrEqual(LIMITS.buttonsPerRow);
    for (const b of row.components) {
      expect((b.label ?? '').length).toBeGreaterThan(0);
      expect((b.label ?? '').length).toBeLessThanOrEqual(LIMITS.buttonLabel);
      expect((b.custom_id ?? '').length).toBeLessThanOrEqual(LIMITS.customId);
      shown.push(b.label ?? '');
    }
  }
  const ids = customIds(rows);
  expect(new Set(ids).size).toBe(ids.length);
  for (const text of shown) {
    expect(text).not.toMatch(/@(everyone|here)/i);
    expect(text).not.toMatch(/<@/);
  }
}
