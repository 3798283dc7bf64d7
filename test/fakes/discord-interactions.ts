import { botMessage, type FakeDiscord } from './discord.js';

/**
 * INTERACTION_CREATE payloads as Discord sends them for `/paper`, its autocomplete and its buttons,
 * built with the fields discord.js needs (notably `authorizing_integration_owners`).
 */

export const GUILD_ID = '222222222222222222';
export const CHANNEL_ID = '333333333333333333';
const COMMAND_ID = '444444444444444444';

/** Permission bits as Discord sends them (decimal strings). */
export const PERMISSIONS = {
  /** View Channel, Send Messages, Embed Links, Read Message History. */
  member: String((1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n)),
  /** The member bits plus Manage Channels. */
  channelManager: String((1n << 4n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n)),
};

export type Who = { userId?: string; userName?: string; permissions?: string; dm?: boolean; channelId?: string; guildId?: string };

/**
 * A server id whose events Discord sends to shard `shard` of `count`: `(id >> 22) % count === shard`.
 * Made from a fixed creation time, so each (shard, count) has one id.
 */
export function guildOnShard(shard: number, count: number): string {
  const base = 1_000_000_000_000n - (1_000_000_000_000n % BigInt(count));
  return (((base + BigInt(shard)) << 22n) | 0x12345n).toString();
}

export type SentInteraction = { id: string; token: string; payload: Record<string, unknown> };

function user(who: Who) {
  return {
    id: who.userId ?? '555555555555555555',
    username: who.userName ?? 'ada',
    discriminator: '0',
    global_name: who.userName ? `${who.userName} (display)` : 'Ada L.',
    avatar: null,
  };
}

function base(fake: FakeDiscord, type: number, who: Who): Record<string, unknown> {
  const id = fake.snowflake();
  const channelId = who.channelId ?? CHANNEL_ID;
  const common = {
    id,
    application_id: fake.appId,
    type,
    token: `interaction-token-${id}`,
    version: 1,
    locale: 'en-US',
    entitlements: [],
    app_permissions: PERMISSIONS.member,
    attachment_size_limit: 10_485_760,
  };
  if (who.dm) {
    return {
      ...common,
      channel_id: channelId,
      channel: { id: channelId, type: 1, recipients: [user(who)], flags: 0 },
      user: user(who),
      authorizing_integration_owners: { '0': user(who).id },
      context: 1,
    };
  }
  const guildId = who.guildId ?? GUILD_ID;
  return {
    ...common,
    guild_id: guildId,
    guild_locale: 'en-US',
    guild: { id: guildId, locale: 'en-US', features: [] },
    channel_id: channelId,
    channel: { id: channelId, type: 0, guild_id: guildId, name: 'papers', position: 0, flags: 0, permissions: PERMISSIONS.member },
    member: {
      user: user(who),
      roles: [],
      permissions: who.permissions ?? PERMISSIONS.member,
      joined_at: '2024-01-01T00:00:00.000000+00:00',
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      nick: null,
      avatar: null,
    },
    authorizing_integration_owners: { '0': guildId },
    context: 0,
  };
}

/** `/paper query:<text>` (or another command name, as a stale registration would send). */
export function slashCommand(fake: FakeDiscord, query: string, who: Who = {}, name = 'paper'): SentInteraction {
  const payload = base(fake, 2, who);
  payload.data = { id: COMMAND_ID, name, type: 1, options: [{ name: 'query', type: 3, value: query }] };
  return send(fake, payload);
}

/** The user has typed `partial` into the `query` option. */
export function autocomplete(fake: FakeDiscord, partial: string, who: Who = {}): SentInteraction {
  const payload = base(fake, 4, who);
  payload.data = { id: COMMAND_ID, name: 'paper', type: 1, options: [{ name: 'query', type: 3, value: partial, focused: true }] };
  return send(fake, payload);
}

/** A click on the button `customId` of `message` (a message body the bot sent, e.g. a callback's `data`). */
export function buttonClick(
  fake: FakeDiscord,
  customId: string,
  message: { id?: string; content?: unknown; embeds?: unknown; components?: unknown; flags?: unknown },
  who: Who = {},
): SentInteraction {
  const payload = base(fake, 3, who);
  const channelId = who.channelId ?? CHANNEL_ID;
  payload.data = { custom_id: customId, component_type: 2 };
  payload.message = {
    ...botMessage(fake.appId, message.id ?? fake.snowflake(), channelId, 20, message),
    application_id: fake.appId,
    webhook_id: fake.appId,
  };
  return send(fake, payload);
}

function send(fake: FakeDiscord, payload: Record<string, unknown>): SentInteraction {
  fake.dispatch('INTERACTION_CREATE', payload);
  return { id: String(payload.id), token: String(payload.token), payload };
}
