import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../../src/errors.js';

/**
 * Encryption at rest for the workspaces' installations (their bot tokens), with SLACK_TOKEN_KEY:
 * AES-256-GCM from node:crypto, a fresh 96-bit IV per write, the row's key (enterprise, team) as
 * additional data so a sealed installation copied into another workspace's row does not open. A
 * stored value is `sealed:aes-256-gcm:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts); the key
 * id (a hash prefix of the key) lets a wrong or missing key be named instead of failing as garbage.
 * Rows written before the key was set are plain JSON: read as they are, sealed at their next write.
 */
const SEALED_PREFIX = 'sealed:aes-256-gcm:v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const HOW_TO_MAKE_ONE = 'make one with: openssl rand -base64 32 (and give every replica the same)';

/** SLACK_TOKEN_KEY read and checked: 32 bytes as base64 (44 characters) or hex (64); undefined when unset. */
export function readTokenKey(value: string | undefined): Buffer | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) key = Buffer.from(text, 'base64');
  if (key?.length !== KEY_BYTES) {
    throw new ConfigError(`SLACK_TOKEN_KEY must be ${KEY_BYTES} random bytes written as base64 (44 characters) or hex (64 characters); ${HOW_TO_MAKE_ONE}.`);
  }
  return key;
}

/** The forms SLACK_TOKEN_KEY may have been written in, for the logger to mask. */
export function tokenKeyForms(key: Buffer | undefined): string[] {
  return key ? [key.toString('base64'), key.toString('hex'), key.toString('base64url')] : [];
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('paperbot slack token key\n').update(key).digest('hex').slice(0, 12);
}

export class TokenSeal {
  private readonly keyId: string | undefined;

  /** `key` undefined: nothing is sealed, and a sealed row says the key is missing. */
  constructor(private readonly key: Buffer | undefined) {
    this.keyId = key ? keyIdOf(key) : undefined;
  }

  /** Whether values are sealed (a key is set). */
  get enabled(): boolean {
    return this.key !== undefined;
  }

  /** The value to store: sealed with the key when there is one, else as it is. `context` names the row (its key) and binds the value to it. */
  seal(plain: string, context: string): string {
    if (!this.key || !this.keyId) return plain;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [SEALED_PREFIX, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
  }

  /** Whether a stored value is sealed (a plain one was written before the key was set). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(`${SEALED_PREFIX}:`);
  }

  /** The stored value opened; a plain one as it is. Throws a ConfigError that says what to fix when the key is missing or not the one it was sealed with. */
  open(stored: string, context: string, what: string): string {
    if (!TokenSeal.isSealed(stored)) return stored;
    const [sealedWith = '', iv = '', tag = '', data = ''] = stored.slice(SEALED_PREFIX.length + 1).split(':');
    if (!this.key) {
      throw new ConfigError(`${what} is encrypted (SLACK_TOKEN_KEY key id ${sealedWith}) but SLACK_TOKEN_KEY is not set: set it to the key the bot ran with when it was stored.`);
    }
    if (sealedWith !== this.keyId) {
      throw new ConfigError(
        `${what} was encrypted with another SLACK_TOKEN_KEY (key id ${sealedWith}; the one set has key id ${this.keyId}): set the key it was stored with, or have the workspace install the app again.`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // GCM's tag check: the right key, but the value was altered or belongs to another row.
      throw new ConfigError(`${what} does not open with SLACK_TOKEN_KEY although the key id matches: the stored row was altered or copied from another workspace; have the workspace install the app again.`);
    }
  }
}
