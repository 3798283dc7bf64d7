import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { ActionCodec } from '../../src/actions.js';
import type { Bot } from '../../src/bot.js';
import { BILINGUAL_APOLOGY } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { ReplyKind } from '../../src/reply.js';
import type { Invocation } from '../../src/services.js';
import type { Workspace } from './installations.js';
import { renderMessage, type SlackMessage } from './render.js';

/** What Slack's command and button listeners need of the adapter. */
export type ListenerContext = {
  bot: Bot;
  codec: ActionCodec;
  log: Logger;
  /** SLACK_ADMIN_USERS: who may manage channels; everyone when empty. */
  adminUsers: string[];
  /** How long a command may run before the ack goes out empty and the reply follows via response_url. */
  ackDeadlineMs: number;
  /** Records which workspace the channel is used from, before the command may post there (distribution.ts). */
  noteChannel(workspace: Workspace, channelId: string): Promise<void>;
};

export type ResponsePayload = SlackMessage & { response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean };
type Answer = ResponsePayload & { kind: ReplyKind };

/**
 * `/paper …`: the reply rides on the ack when it is ready within the deadline (Slack waits 3 s);
 * a slower one is acknowledged empty and sent to response_url when done.
 */
export async function onCommand(context: ListenerContext, command: SlashCommand, ack: (r?: ResponsePayload) => Promise<void>, respond: RespondFn): Promise<void> {
  const invocation: Invocation = {
    text: command.text ?? '',
    platform: 'slack',
    // The workspace the command came from: every group's state is kept per (platform, workspace, channel).
    workspaceId: command.team_id,
    channelId: command.channel_id,
    userId: command.user_id,
    userName: command.user_name,
    ...managerRights(context, command.user_id),
    trigger: 'command',
  };
  const handled = answer(context, invocation, command.enterprise_id);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), context.ackDeadlineMs);
  });
  const first = await Promise.race([handled, late]);
  clearTimeout(timer);
  if (first !== 'late') {
    await ack(slackFields(first));
    return;
  }
  // A slow command: acknowledge now so Slack does not show a timeout, answer when it is done.
  await ack();
  await safeRespond(context.log, respond, await handled);
}

/** Whether the user may manage the channel (SLACK_ADMIN_USERS), and the setting to name when everyone may. */
export function managerRights(context: ListenerContext, userId: string): Pick<Invocation, 'canManageChannel' | 'everyoneManages'> {
  const admins = context.adminUsers;
  return { canManageChannel: admins.length === 0 || admins.includes(userId), everyoneManages: admins.length === 0 ? 'SLACK_ADMIN_USERS' : undefined };
}

/** Runs the invocation and renders it; never throws, so the ack always carries something. */
export async function answer(context: ListenerContext, invocation: Invocation, enterpriseId?: string): Promise<Answer> {
  try {
    await context.noteChannel({ teamId: invocation.workspaceId ?? '', enterpriseId }, invocation.channelId);
    const reply = await context.bot.handle(invocation);
    const where = { platform: 'slack', workspaceId: invocation.workspaceId ?? '', channelId: invocation.channelId };
    const message = await context.codec.render(where, (buttons) => renderMessage(reply, buttons));
    return { kind: reply.kind, response_type: reply.visibility === 'channel' ? 'in_channel' : 'ephemeral', ...message };
  } catch (error) {
    context.log.error(`slack: could not answer ${JSON.stringify(invocation.text.slice(0, 200))} (${invocation.channelId})`, error);
    return { kind: 'error', response_type: 'ephemeral', text: BILINGUAL_APOLOGY, blocks: [] };
  }
}

export async function safeRespond(log: Logger, respond: RespondFn, payload: ResponsePayload & { kind?: ReplyKind }): Promise<void> {
  try {
    await respond(slackFields(payload));
  } catch (error) {
    log.warn(`slack: response_url post failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** What Slack reads of a response; our own bookkeeping (the reply's kind) never leaves the process. */
function slackFields(payload: ResponsePayload & { kind?: ReplyKind }): ResponsePayload {
  const { kind: _kind, ...message } = payload;
  return message;
}
