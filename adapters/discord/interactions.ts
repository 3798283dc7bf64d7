import {
  InteractionResponseType,
  Routes,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type REST,
} from 'discord.js';
import { clickOutcome, type ActionCodec } from '../../src/actions.js';
import { asksToShare, type Bot } from '../../src/bot.js';
import type { Tenant } from '../../src/adapter.js';
import type { Invocation } from '../../src/services.js';
import { BILINGUAL_APOLOGY } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Reply } from '../../src/reply.js';
import { autocompleteChoices } from './autocomplete.js';
import { invocationFrom, tenantOf } from './invocation.js';
import { asEphemeral, EPHEMERAL_FLAG, renderMessage, type DiscordMessage } from './render.js';
import { settledWithin } from '../../src/within.js';

export const COMMAND_NAME = 'paper';
export const QUERY_OPTION = 'query';

/** Discord allows 3 s for the first answer; anything slower than this is deferred first. */
export const DEFAULT_DEFER_AFTER_MS = 1500;

const EXPIRED = 'This button has expired. Run the command again. / 按钮已失效，请重新运行命令。';
const UNKNOWN_COMMAND = 'paperbot only answers /paper. Ask an admin to run `npm run register`. / paperbot 只响应 /paper。';
const UNKNOWN_BUTTON = 'This button is not one paperbot understands. Run the command again. / 无法识别此按钮，请重新运行命令。';

export type InteractionDeps = {
  bot: Bot;
  rest: REST;
  codec: ActionCodec;
  log: Logger;
  deferAfterMs: number;
};

/**
 * Transport only: an interaction becomes an Invocation, the core answers with a Reply, the Reply is
 * rendered and sent through the interaction's callback, edits or follow-ups. Never throws: a failure
 * anywhere is logged and the user gets a short ephemeral apology.
 */
export async function handleInteraction(interaction: Interaction, deps: InteractionDeps): Promise<void> {
  const respond = responder(interaction, deps.rest);
  try {
    if (interaction.isAutocomplete()) await answerAutocomplete(interaction, deps, respond);
    else if (interaction.isChatInputCommand() && interaction.commandName === COMMAND_NAME) await answerCommand(interaction, deps, respond);
    else if (interaction.isButton()) await answerButton(interaction, deps, respond);
    else if (interaction.isRepliable()) {
      // A command registered by an older version, or another app's leftovers: say so rather than time out.
      await respond.callback(InteractionResponseType.ChannelMessageWithSource, asEphemeral(textMessage(UNKNOWN_COMMAND)));
    }
  } catch (error) {
    deps.log.error(`discord interaction ${interaction.id} (type ${interaction.type}) failed`, error);
    if (interaction.isAutocomplete()) return;
    try {
      const apology = asEphemeral(textMessage(BILINGUAL_APOLOGY));
      if (!respond.answered) await respond.callback(InteractionResponseType.ChannelMessageWithSource, apology);
      else {
        // A "thinking…" placeholder would otherwise stay forever.
        if (respond.deferredMessage) await respond.deleteOriginal();
        await respond.followUp(apology);
      }
    } catch (second) {
      deps.log.error(`discord interaction ${interaction.id}: the apology could not be sent either`, second);
    }
  }
}

const AUTOCOMPLETE_CATCH_UP_MS = 250;

async function answerAutocomplete(interaction: AutocompleteInteraction, deps: InteractionDeps, respond: Responder): Promise<void> {
  const focused = interaction.options.getFocused(true);
  // Titles another replica added are offered too; a slow database costs at most this much of Discord's 3 s.
  await deps.bot.services.catalog.catchUp(AUTOCOMPLETE_CATCH_UP_MS);
  const choices = focused.name === QUERY_OPTION ? autocompleteChoices(deps.bot, String(focused.value)) : [];
  await respond.callback(InteractionResponseType.ApplicationCommandAutocompleteResult, { choices });
}

async function answerCommand(interaction: ChatInputCommandInteraction, deps: InteractionDeps, respond: Responder): Promise<void> {
  const text = interaction.options.getString(QUERY_OPTION, true);
  const pending = deps.bot.handle(invocationFrom(interaction, text, 'command'));
  const early = await settledWithin(pending, deps.deferAfterMs);
  if (early) {
    const reply = await pending;
    await respond.callback(InteractionResponseType.ChannelMessageWithSource, await messageFor(reply, deps, reply.visibility === 'ephemeral', tenantOf(interaction)));
    return;
  }
  // The visibility is not known yet: guess from the text (mostly only `share …` posts for the channel).
  const ephemeralGuess = !asksToShare(text);
  await respond.callback(InteractionResponseType.DeferredChannelMessageWithSource, ephemeralGuess ? { flags: EPHEMERAL_FLAG } : undefined);
  await deliverDeferred(await pending, ephemeralGuess, deps, respond, tenantOf(interaction));
}

async function answerButton(interaction: ButtonInteraction, deps: InteractionDeps, respond: Responder): Promise<void> {
  const where = tenantOf(interaction);
  const decoded = await deps.codec.decode(interaction.customId, where);
  if (decoded === 'refused') deps.log.warn(`discord: a click in ${where.workspaceId}/${where.channelId} on a button made for another server or channel was refused`);
  if (decoded === null || decoded === 'expired' || decoded === 'refused') {
    await respond.callback(InteractionResponseType.ChannelMessageWithSource, asEphemeral(textMessage(decoded === 'expired' ? EXPIRED : UNKNOWN_BUTTON)));
    return;
  }
  const invocation: Invocation = {
    ...invocationFrom(interaction, decoded.command, 'button'),
    messageRef: { ...where, messageId: interaction.message.id },
  };
  const pending = deps.bot.handle(invocation);
  const early = await settledWithin(pending, deps.deferAfterMs);
  const effect = decoded.effect;

  if (early) {
    const reply = await pending;
    const outcome = clickOutcome(effect, reply);
    if (outcome === 'replace') await respond.callback(InteractionResponseType.UpdateMessage, await messageFor(reply, deps, false, where));
    else await respond.callback(InteractionResponseType.ChannelMessageWithSource, await messageFor(reply, deps, outcome === 'clicker', where));
    return;
  }

  if (effect === 'update') {
    await respond.callback(InteractionResponseType.DeferredMessageUpdate);
    const reply = await pending;
    if (reply.kind === 'error') await respond.followUp(await messageFor(reply, deps, true, where));
    else await respond.editOriginal(await messageFor(reply, deps, false, where));
    return;
  }
  const onlyClicker = effect === 'reply';
  await respond.callback(InteractionResponseType.DeferredChannelMessageWithSource, onlyClicker ? { flags: EPHEMERAL_FLAG } : undefined);
  await deliverDeferred(await pending, onlyClicker, deps, respond, where, onlyClicker);
}

/**
 * A deferred response's visibility is fixed when deferring. When the reply turns out to need the
 * other one, the placeholder is deleted and the reply sent as a follow-up with the right flag.
 */
async function deliverDeferred(reply: Reply, deferredEphemeral: boolean, deps: InteractionDeps, respond: Responder, where: Tenant, forceEphemeral = false): Promise<void> {
  const wantEphemeral = forceEphemeral || reply.visibility === 'ephemeral';
  if (wantEphemeral === deferredEphemeral) {
    await respond.editOriginal(await messageFor(reply, deps, false, where));
    return;
  }
  await respond.deleteOriginal();
  await respond.followUp(await messageFor(reply, deps, wantEphemeral, where));
}

/** The reply drawn for the interaction's channel (`where`: the tenant its long button commands are kept under). */
async function messageFor(reply: Reply, deps: InteractionDeps, ephemeral: boolean, where: Tenant): Promise<DiscordMessage> {
  const message = await deps.codec.render(where, (buttons) => renderMessage(reply, buttons));
  return ephemeral ? asEphemeral(message) : message;
}

function textMessage(content: string): DiscordMessage {
  return { content, embeds: [], components: [], allowed_mentions: { parse: [] } };
}

type Responder = {
  /** Whether the interaction has had its first (callback) answer. */
  readonly answered: boolean;
  /** Whether that answer was a deferred message (type 5) still showing "thinking…". */
  readonly deferredMessage: boolean;
  callback(type: InteractionResponseType, data?: unknown): Promise<void>;
  editOriginal(message: DiscordMessage): Promise<void>;
  deleteOriginal(): Promise<void>;
  followUp(message: DiscordMessage): Promise<void>;
};

/**
 * The interaction's REST endpoints, called with our own JSON so the body Discord receives is exactly
 * what render.ts built. Callbacks and webhook calls are authorized by the interaction token.
 */
function responder(interaction: Interaction, rest: REST): Responder {
  const appId = interaction.applicationId;
  let answered = false;
  let deferredMessage = false;
  return {
    get answered() {
      return answered;
    },
    get deferredMessage() {
      return deferredMessage;
    },
    async callback(type, data) {
      await rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: data === undefined ? { type } : { type, data },
        auth: false,
      });
      answered = true;
      deferredMessage = type === InteractionResponseType.DeferredChannelMessageWithSource;
    },
    async editOriginal(message) {
      const { flags: _flags, ...body } = message;
      await rest.patch(Routes.webhookMessage(appId, interaction.token, '@original'), { body, auth: false });
      deferredMessage = false;
    },
    async deleteOriginal() {
      await rest.delete(Routes.webhookMessage(appId, interaction.token, '@original'), { auth: false });
      deferredMessage = false;
    },
    async followUp(message) {
      await rest.post(Routes.webhook(appId, interaction.token), { body: message, auth: false });
    },
  };
}
