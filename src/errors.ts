import { coreText } from './i18n/catalog.js';
import type { LocalText } from './i18n/index.js';

/**
 * A problem the user can fix (empty query, unknown id, malformed filter). The command layer turns it
 * into a reply; it is never logged as a failure.
 */
export class UserError extends Error {
  constructor(
    readonly code: string,
    readonly text: LocalText,
    readonly hints: string[] = [],
  ) {
    super(`paperbot: ${text.en}`);
    this.name = 'UserError';
  }
}

/** What the user is told when something failed that they cannot fix; the failure itself is logged. */
export const APOLOGY = coreText.both('apology');

/** The apology in both languages, for an adapter that fails before it knows the user's language. */
export const BILINGUAL_APOLOGY = `${APOLOGY.en} / ${APOLOGY.zh}`;

/** A setting that is missing or malformed: start-up stops with this message, which says how to fix it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(`paperbot: ${message}`);
    this.name = 'ConfigError';
  }
}

/** A catalog source that cannot be read; names the file and line so the list can be fixed. */
export class CatalogError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly detail: string,
  ) {
    super(`paperbot: ${file}${line === null ? '' : `:${line}`}: ${detail}`);
    this.name = 'CatalogError';
  }
}

/**
 * A post that the platform refused. `permanent` means retrying cannot help (channel deleted or
 * archived, bot removed, no permission): schedulers pause the channel instead of retrying.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(`paperbot: ${message}`);
    this.name = 'DeliveryError';
  }
}
