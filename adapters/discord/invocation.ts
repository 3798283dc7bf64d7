import { PermissionFlagsBits, type Interaction } from 'discord.js';
import type { Tenant } from '../../src/adapter.js';
import type { Invocation } from '../../src/services.js';

/**
 * Who asked, in which server and channel, and whether they may change the channel's settings (spotlight, reading group):
 * in a server, whoever holds Manage Channels there; in a DM with the bot, the user, since the
 * conversation is theirs alone.
 */
export function invocationFrom(interaction: Interaction, text: string, trigger: Invocation['trigger']): Invocation {
  const inGuild = interaction.inGuild();
  return {
    text,
    platform: 'discord',
    // The server the channel belongs to (state is kept per platform, server and channel); none in a DM.
    workspaceId: interaction.guildId ?? undefined,
    channelId: interaction.channelId ?? '',
    userId: interaction.user.id,
    userName: interaction.user.globalName ?? interaction.user.username,
    canManageChannel: inGuild ? (interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels) ?? false) : true,
    trigger,
  };
}

/** The channel an interaction came from, as state is keyed: the server, or '' in a DM. */
export function tenantOf(interaction: Interaction): Tenant {
  return { platform: 'discord', workspaceId: interaction.guildId ?? '', channelId: interaction.channelId ?? '' };
}
