import { ConfigError } from './errors.js';
import { maskUrlCredentials, type LogFormat, type LogLevel } from './log.js';
import { DEFAULT_SOURCE_URLS, type SourceSettings } from './catalog/sources/resolve.js';
import type { DatabaseBounds } from './store/sql/types.js';

export type Config = {
  /** SQLite file for spotlight and reading-group state. */
  dbPath: string;
  /**
   * DATABASE_URL: a PostgreSQL server for the state on the asynchronous store interface (the reading
   * group so far; see src/store/sql/); unset, that state lives in the SQLite file too.
   */
  databaseUrl?: string;
  /** How long the bot waits on PostgreSQL before a command gets the short apology (DATABASE_*_SECONDS). */
  databaseBounds: DatabaseBounds;
  /** Extra catalog sources (markdown lists in the bundled format, BibTeX files), after the bundled ones. */
  extraSources: string[];
  logLevel: LogLevel;
  /** `text` (a readable line per event) or `json` (one JSON object per line, for log collectors). */
  logFormat: LogFormat;
  /** Where /healthz, /readyz and /metrics are served; none when unset. */
  httpPort?: number;
  spotlight: { timezone: string; graceHours: number };
  /** Where papers are resolved (arXiv, Crossref, NCBI, OpenAlex) and who we say we are. */
  sources: SourceSettings;
  feeds: FeedsConfig;
  delivery: {
    /** DELIVERY_ATTEMPT_LEASE_SECONDS: how long one attempt at a scheduled post holds it before another replica may try again. */
    attemptLeaseMs: number;
  };
};

/** How feeds are read (their sources' URLs are in SourceSettings). */
type FeedsConfig = {
  /** PAPERBOT_ALLOW_PRIVATE_FEEDS: feed URLs may reach private addresses (an intranet feed, tests). */
  allowPrivate: boolean;
  pollMinutes: number;
  timeoutMs: number;
};

export type Env = Record<string, string | undefined>;

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** A setting as written, trimmed; empty counts as unset. */
export function settingReader(env: Env): (name: string) => string | undefined {
  return (name) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
}

/**
 * Reads the core's settings once into a typed, validated object (as probot's readEnvOptions). Tests
 * pass their own object. Every failure names the variable and how to fix it. Each adapter reads
 * its own settings (`adapters/<platform>/settings.ts`) with the helpers below.
 */
export function loadConfig(env: Env = process.env): Config {
  const get = settingReader(env);

  const logLevel = (get('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${env.LOG_LEVEL}".`);
  }

  const logFormat = (get('LOG_FORMAT') ?? 'text') as LogFormat;
  if (logFormat !== 'text' && logFormat !== 'json') {
    throw new ConfigError(`LOG_FORMAT must be text or json; got "${env.LOG_FORMAT}".`);
  }
  const rawPort = get('PAPERBOT_HTTP_PORT');
  const httpPort = rawPort === undefined ? undefined : wholeNumber(rawPort, 0, 'PAPERBOT_HTTP_PORT', 0, 65535);

  const timezone = get('SPOTLIGHT_TIMEZONE') ?? 'UTC';
  if (!isTimeZone(timezone)) {
    throw new ConfigError(
      `SPOTLIGHT_TIMEZONE "${timezone}" is not an IANA time zone. Use a name such as Europe/Berlin, Asia/Shanghai or UTC.`,
    );
  }
  const graceHours = wholeNumber(get('SPOTLIGHT_GRACE_HOURS'), 24, 'SPOTLIGHT_GRACE_HOURS', 0, 24 * 14);

  return {
    dbPath: get('PAPERBOT_DB') ?? 'paperbot.db',
    databaseUrl: postgresUrl(get('DATABASE_URL')),
    databaseBounds: databaseBounds(get),
    extraSources: commaList(get('PAPERBOT_SOURCES')),
    logLevel,
    logFormat,
    httpPort,
    spotlight: { timezone, graceHours },
    sources: sourceSettings(get),
    feeds: {
      allowPrivate: flag(get('PAPERBOT_ALLOW_PRIVATE_FEEDS'), 'PAPERBOT_ALLOW_PRIVATE_FEEDS'),
      pollMinutes: wholeNumber(get('FEEDS_POLL_MINUTES'), 60, 'FEEDS_POLL_MINUTES', 5, 24 * 60),
      timeoutMs: wholeNumber(get('FEEDS_TIMEOUT_SECONDS'), 20, 'FEEDS_TIMEOUT_SECONDS', 1, 300) * 1000,
    },
    delivery: { attemptLeaseMs: attemptLease(get('DELIVERY_ATTEMPT_LEASE_SECONDS')) },
  };
}

/**
 * The attempt lease, in ms. A replica that dies mid-post leaves its claim to another after the lease,
 * so shorter means a faster take-over; but another replica must never try again while the first
 * attempt may still be under way. An attempt is bounded by the platform clients: Discord's REST
 * client tries a request 4 times with a 15 s timeout (60 s), Slack's Web API client 3 times with
 * 10 s, twice on a retry (its history look-up, then the post). Hence at least 60 s. At most 300 s:
 * a retry must come within Discord's few minutes of duplicate detection by nonce.
 */
function attemptLease(raw: string | undefined): number {
  try {
    return wholeNumber(raw, 120, 'DELIVERY_ATTEMPT_LEASE_SECONDS', 60, 300) * 1000;
  } catch (error) {
    throw new ConfigError(
      `${(error as Error).message} At least 60: a post attempt with the platforms' retries can take that long, and no other replica may post again meanwhile; at most 300: a retry must come within Discord's duplicate detection by nonce.`,
    );
  }
}

/**
 * The waits on PostgreSQL. The server cancels a statement after DATABASE_STATEMENT_TIMEOUT_SECONDS
 * (15), lock waits included: the row locks and advisory locks of delivery and votes are held only by
 * transactions that do database work, milliseconds long, so a wait of seconds means a stuck holder.
 * No separate lock_timeout, then: a shorter one would fail a `spotlight now` that legitimately
 * queues behind a tick's claim. A session idle inside a transaction for
 * DATABASE_IDLE_IN_TRANSACTION_SECONDS (10, shorter than the statement timeout) is ended, so a
 * replica that froze or lost its network mid-transaction frees its locks before the statements
 * waiting on them give up. The client drops a connection with no answer after
 * DATABASE_QUERY_TIMEOUT_SECONDS (statement timeout + 5): longer than the statement timeout, so a
 * live server cancels first and the connection stays usable; only a server that does not answer
 * at all meets it. DATABASE_CONNECT_TIMEOUT_SECONDS (10) bounds the wait for a pooled or new connection.
 */
function databaseBounds(get: (name: string) => string | undefined): DatabaseBounds {
  const seconds = (name: string, fallback: number, min: number, max: number) => wholeNumber(get(name), fallback, name, min, max) * 1000;
  const statementTimeoutMs = seconds('DATABASE_STATEMENT_TIMEOUT_SECONDS', 15, 1, 3600);
  const queryTimeoutMs = seconds('DATABASE_QUERY_TIMEOUT_SECONDS', statementTimeoutMs / 1000 + 5, 2, 3600);
  if (queryTimeoutMs <= statementTimeoutMs) {
    throw new ConfigError(
      `DATABASE_QUERY_TIMEOUT_SECONDS (${queryTimeoutMs / 1000}) must be greater than DATABASE_STATEMENT_TIMEOUT_SECONDS (${statementTimeoutMs / 1000}), so PostgreSQL cancels a slow statement before the bot drops the connection. Raise the first or lower the second.`,
    );
  }
  return {
    connectTimeoutMs: seconds('DATABASE_CONNECT_TIMEOUT_SECONDS', 10, 1, 300),
    statementTimeoutMs,
    queryTimeoutMs,
    idleInTransactionMs: seconds('DATABASE_IDLE_IN_TRANSACTION_SECONDS', 10, 1, 3600),
  };
}

function sourceSettings(get: (name: string) => string | undefined): SourceSettings {
  const contactEmail = get('PAPERBOT_CONTACT_EMAIL');
  if (contactEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contactEmail)) {
    throw new ConfigError(
      `PAPERBOT_CONTACT_EMAIL must be an e-mail address (sent to arXiv, Crossref and NCBI so they can reach the lab); got "${contactEmail}".`,
    );
  }
  const ncbiApiKey = get('NCBI_API_KEY');
  if (ncbiApiKey && !/^[A-Za-z0-9]{20,64}$/.test(ncbiApiKey)) {
    throw new ConfigError('NCBI_API_KEY must be the key from your NCBI account settings (letters and digits), or empty.');
  }
  const base = (name: string, fallback: string) => (httpUrl(get(name), name) ?? fallback).replace(/\/+$/, '');
  return {
    arxivApiUrl: base('ARXIV_API_URL', DEFAULT_SOURCE_URLS.arxivApiUrl),
    crossrefApiUrl: base('CROSSREF_API_URL', DEFAULT_SOURCE_URLS.crossrefApiUrl),
    ncbiEutilsUrl: base('NCBI_EUTILS_URL', DEFAULT_SOURCE_URLS.ncbiEutilsUrl),
    openalexApiUrl: base('OPENALEX_API_URL', DEFAULT_SOURCE_URLS.openalexApiUrl),
    doiResolverUrl: base('DOI_RESOLVER_URL', DEFAULT_SOURCE_URLS.doiResolverUrl),
    contactEmail,
    ncbiApiKey,
    openalexApiKey: get('OPENALEX_API_KEY'),
  };
}

/** The core's secrets (the sources' API keys, the database password), for the logger to mask. */
export function coreSecrets(config: Config): string[] {
  return [config.sources.ncbiApiKey, config.sources.openalexApiKey, ...urlSecrets(config.databaseUrl)].filter((s): s is string => Boolean(s));
}

/** DATABASE_URL, when set: a postgres:// or postgresql:// URL naming a host. */
function postgresUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    // Reported below with the fix.
  }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol) || !url.hostname) {
    throw new ConfigError(
      `DATABASE_URL must be a PostgreSQL URL such as postgres://paperbot:password@db.example.org:5432/paperbot; got "${maskUrlCredentials(raw)}". Unset it to keep state in SQLite (PAPERBOT_DB).`,
    );
  }
  return raw;
}

export function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function flag(raw: string | undefined, name: string): boolean {
  if (raw === undefined) return false;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false; got "${raw}".`);
}

export function wholeNumber(raw: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (raw === undefined) return fallback;
  // Plain decimal digits only: Number() would also read 1e1, 0x10 and 5.0 as whole numbers.
  const n = /^[0-9]{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  }
  return n;
}

export function httpUrl(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    return raw;
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL such as http://127.0.0.1:8080/api/; got "${maskUrlCredentials(raw)}".`);
  }
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The user and password inside a URL setting, for the logger to mask wherever they appear. */
export function urlSecrets(raw: string | undefined): string[] {
  if (!raw) return [];
  const u = new URL(raw);
  return [u.password, decodeURIComponent(u.password), `${u.username}:${u.password}`].filter((part) => part && part !== ':');
}
