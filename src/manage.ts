import type { Invocation } from './commands/types.js';
import type { LocalText } from './i18n.js';

/** Whether the invocation may manage its channel; a yes is noted, so the bot can say when everyone may. */
export function mayManage(invocation: Invocation): boolean {
  if (!invocation.canManageChannel) return false;
  invocation.usedManageRight = true;
  return true;
}

export const EVERYONE_MANAGES: LocalText = {
  en: 'Note: no channel managers are configured (SLACK_ADMIN_USERS is empty), so every member may change the spotlight, close polls and edit the reading history here. An admin can list who may in SLACK_ADMIN_USERS.',
  zh: '注意：未配置频道管理员（SLACK_ADMIN_USERS 为空），因此本频道每位成员都可以更改每周论文、结束投票和修改已读记录。管理员可在 SLACK_ADMIN_USERS 中指定有权限的人。',
};
