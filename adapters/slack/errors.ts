import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../src/errors.js';

/**
 * Slack errors after which a retry to this channel cannot succeed: the channel is gone or archived,
 * the bot is not in it or lacks a scope or permission. Schedulers pause the channel on these.
 */
const PERMANENT = new Set([
  'channel_not_found',
  'is_archived',
  'channel_is_archived',
  'not_in_channel',
  'missing_scope',
  'not_allowed_token_type',
  'no_permission',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'ekm_access_denied',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
]);

/**
 * A dead or revoked token, or a disabled workspace, fails every channel at once and is mended once,
 * by the admin, for all of them: pausing each channel would leave every one to be switched back on
 * by hand. They stay retryable; the scheduler's backoff and grace window bound the retries.
 */
const WORKSPACE_WIDE = new Set([
  'account_inactive',
  'user_removed_from_team',
  'team_disabled',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'team_access_not_granted',
]);

/** Slack answered and said no (as opposed to being unreachable or asking us to slow down). */
export function isRefusal(error: unknown): boolean {
  return error instanceof webApi.WebAPIPlatformError && error.data.error !== 'ratelimited';
}

/** Turns whatever the Web API threw into a DeliveryError that names the method and Slack's code. */
export function toDeliveryError(method: string, error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return new DeliveryError(`slack ${method}: ratelimited (retry after ${error.retryAfter} s)`, false, error.retryAfter * 1000);
  }
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    if (code === 'ratelimited') return new DeliveryError(`slack ${method}: ratelimited`, false, 1000);
    const hint = WORKSPACE_WIDE.has(code) ? ' (check SLACK_BOT_TOKEN and that the app is still installed)' : '';
    return new DeliveryError(`slack ${method}: ${code}${hint}`, PERMANENT.has(code));
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    return new DeliveryError(`slack ${method}: HTTP ${error.statusCode}`, false);
  }
  if (error instanceof webApi.WebAPIRequestError) {
    return new DeliveryError(`slack ${method}: request failed (${error.original.message})`, false);
  }
  return new DeliveryError(`slack ${method}: ${error instanceof Error ? error.message : String(error)}`, false);
}
