import type { MessageRef, Platform } from './adapter.js';
import type { Paper } from './catalog/paper.js';
import type { CatalogService } from './catalog/service.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { coreText } from './i18n/catalog.js';
import type { Lang, LocalText } from './i18n/index.js';
import type { Logger } from './log.js';
import type { Reply } from './reply.js';
import type { PaperSearch } from './search/types.js';
import type { Db } from './store/db.js';
import type { Migration } from './store/migrations.js';
import type { SqlDatabase } from './store/sql/types.js';
import type { Outbox } from './outbox.js';

/** One use of `/paper`, whatever the platform: the text after `/paper` and who typed it where. */
export type Invocation = {
  text: string;
  platform: Platform;
  /**
   * The Slack team or Discord server the channel belongs to, so that state is kept per tenant
   * (platform, workspace, channel). Empty or absent for the console and for adapters that do not
   * set it yet.
   */
  workspaceId?: string;
  channelId: string;
  userId: string;
  userName?: string;
  /** The adapter decides: Discord's Manage Channels, Slack's SLACK_ADMIN_USERS, the local operator. */
  canManageChannel: boolean;
  /**
   * Set by an adapter that grants the right to everyone because no manager is configured: the name
   * of the empty setting (Slack's SLACK_ADMIN_USERS). The bot says so in the first reply that used it.
   */
  everyoneManages?: string;
  /** Set by mayManage() when the command relied on the right; read by the bot. */
  usedManageRight?: boolean;
  /** `button` when the text came from a clicked button rather than typed. */
  trigger: 'command' | 'button';
  /** The message holding the clicked button, when there is one. */
  messageRef?: MessageRef;
};

/** Everything a command may use; built once at start-up and shared by every adapter. */
export type Services = {
  /** Every shown paper, current (a getter over the live catalog). */
  readonly papers: Paper[];
  /** Adds, hides, tags and resolves papers; keeps `search` current. */
  catalog: CatalogService;
  search: PaperSearch;
  /** The synchronous SQLite handle: only its migration (1) and /readyz use it now; every store is on `sql`. */
  db: Db;
  /** The asynchronous store interface (SQLite or PostgreSQL; src/store/sql/), for those that are. */
  sql: SqlDatabase;
  clock: Clock;
  config: Config;
  log: Logger;
  /** Posts to or updates messages in any platform's channels (spotlight, polls). */
  outbox: Outbox;
};

export type CommandInput = {
  /** The text after the command word, trimmed. */
  args: string;
  invocation: Invocation;
  /** The language to answer in: Chinese when the user wrote any Chinese. */
  lang: Lang;
  services: Services;
};

/**
 * A command is defined once, here in the core; every adapter runs it through the same dispatcher.
 * Search is the default: text whose first word names no command is a search.
 */
export type Command = {
  /** The first word that selects it (`show`, `help`, `spotlight`, …). */
  name: string;
  /** Other first words, e.g. Chinese ones (`帮助`). */
  aliases?: string[];
  summary: LocalText;
  /** Example invocations shown by `help`, without the `/paper` prefix. */
  examples: string[];
  /**
   * Whether the text after the command word reads as this command's arguments. When it does not,
   * the whole text is a search: `show me work on knee osteoarthritis`, `history of the u-net`,
   * `next generation sequencing`. Without it, any text fits.
   */
  fits?(args: string, services: Services): boolean;
  run(input: CommandInput): Reply | Promise<Reply>;
};

/**
 * A capability is one folder under `src/capabilities/` (search, show, spotlight, reading, …): its
 * commands and the migrations of its store. `src/capabilities/index.ts` lists them; the command
 * list, help, autocomplete and the schema all come from that list.
 */
export type Capability = {
  name: string;
  commands: Command[];
  migrations: Migration[];
};

/** Whether the invocation may manage its channel; a yes is noted, so the bot can say when everyone may. */
export function mayManage(invocation: Invocation): boolean {
  if (!invocation.canManageChannel) return false;
  invocation.usedManageRight = true;
  return true;
}

/** What the first managed reply in a channel says when the adapter granted the right to everyone. */
export function mayManageNote(invocation: Invocation, lang: Lang): string {
  return coreText.text(lang, 'everyoneManages', { setting: invocation.everyoneManages ?? '' });
}
