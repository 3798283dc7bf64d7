import type { BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { clickOutcome } from '../../src/actions.js';
import type { Invocation } from '../../src/services.js';
import { answer, managerRights, safeRespond, type ListenerContext } from './commands.js';

const EXPIRED = 'This button has expired: run the command again. / 此按钮已过期，请重新运行命令。';

/**
 * A click on one of our buttons: the command it carries runs as the clicking user, and the answer
 * replaces the message, goes to the channel or back to the user alone, as the button's effect says.
 */
export async function onButton(context: ListenerContext, body: BlockAction<ButtonAction>, action: ButtonAction, respond: RespondFn): Promise<void> {
  const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
  const workspaceId = workspaceOf(body);
  const decoded = await context.codec.decode(action.value ?? '', { platform: 'slack', workspaceId, channelId });
  if (decoded === 'refused') context.log.warn(`slack: a click in ${workspaceId}/${channelId} on a button made for another workspace or channel was refused`);
  if (decoded === null || decoded === 'expired' || decoded === 'refused') {
    await safeRespond(context.log, respond, { text: EXPIRED, blocks: [], response_type: 'ephemeral', replace_original: false });
    return;
  }
  const messageTs: string | undefined = body.container?.message_ts ?? body.message?.ts;
  const invocation: Invocation = {
    text: decoded.command,
    platform: 'slack',
    workspaceId,
    channelId,
    userId: body.user.id,
    userName: body.user.username ?? body.user.name,
    ...managerRights(context, body.user.id),
    trigger: 'button',
    messageRef: messageTs ? { platform: 'slack', workspaceId, channelId, messageId: messageTs } : undefined,
  };
  const response = await answer(context, invocation, body.enterprise?.id);
  const { text, blocks } = response;
  const outcome = clickOutcome(decoded.effect, { kind: response.kind, visibility: response.response_type === 'in_channel' ? 'channel' : 'ephemeral' });
  if (outcome === 'replace') await safeRespond(context.log, respond, { text, blocks, replace_original: true });
  else await safeRespond(context.log, respond, { text, blocks, response_type: outcome === 'channel' ? 'in_channel' : 'ephemeral', replace_original: false });
}

/** The clicking user's workspace: `team` on a click in a workspace, the user's own team otherwise (Enterprise Grid). */
function workspaceOf(body: Pick<BlockAction, 'team' | 'user'>): string {
  return body.team?.id ?? body.user.team_id ?? '';
}
