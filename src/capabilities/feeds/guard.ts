import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { mustExist } from '../../errors.js';

/**
 * Feed URLs come from chat, so a feed fetch must never reach the bot's own machine, its network or
 * a cloud metadata service. The check runs on the address actually connected to (inside the
 * socket's DNS lookup, so a name cannot resolve to a public address when checked and a private
 * one when used), and again on every redirect, since each hop connects anew.
 */

/** Why a feed address was refused; a user error, not a failure of the feed. */
class BlockedAddressError extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolves to ${address}, a loopback, private, link-local or metadata address; paperbot does not fetch feeds there`);
    this.name = 'BlockedAddressError';
  }
}

/** Only ordinary public unicast addresses are allowed; ipaddr.js names every special range. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // `::ffff:127.0.0.1` is loopback too: process() turns IPv4-mapped addresses into IPv4.
  const parsed = ipaddr.process(address);
  return parsed.range() === 'unicast';
}

/** Strips the brackets of an IPv6 literal in a URL's host. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

export type AddressPolicy = (address: string) => boolean;

/**
 * A `lookup` for http.request that refuses addresses the policy rejects. Node skips lookup for
 * literal IP hosts, so callers also check those with checkLiteralHost before connecting. `resolve`
 * is the system resolver; tests hand in their own names.
 */
export function guardedLookup(allowed: AddressPolicy = isPublicAddress, resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const blocked = list.find((a) => !allowed(a.address));
      if (blocked) return callback(new BlockedAddressError(hostname, blocked.address) as NodeJS.ErrnoException, '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = mustExist(list[0], `an address of ${hostname}`);
      callback(null, first.address, first.family);
    });
  };
}

/** Checks a URL's literal IP host (names are checked by guardedLookup when connecting). */
export function checkLiteralHost(url: URL, allowed: AddressPolicy = isPublicAddress): void {
  const host = bareHost(url.hostname);
  if (isIP(host) && !allowed(host)) throw new BlockedAddressError(host, host);
}
