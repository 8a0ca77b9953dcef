import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { CallbackRefusedError, type CallbackPolicy } from './callback-url.js';

/** The callback's host could not be looked up just now (the resolver failed, not the name): worth trying again. */
export class CallbackLookupError extends Error {
  override readonly name = 'CallbackLookupError';
}

/** A callback's address after the checks: where to connect, pinned, so DNS cannot change it between check and connect. */
export interface Destination {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Only plain public unicast addresses: never private, loopback (unless allowed), link-local,
 * carrier-grade NAT, multicast, reserved or an IPv4 address mapped into IPv6 that is one of those.
 */
export function isDeliverable(address: string, allowLoopback: boolean): boolean {
  if (!ipaddr.isValid(address)) return false;
  const range = ipaddr.process(address).range();
  return range === 'unicast' || (allowLoopback && range === 'loopback');
}

/**
 * Resolves the callback's host and checks every address it names, as at submit and again before
 * each delivery (a name can be made to point elsewhere later). Answers the address to connect to.
 */
export async function resolveDestination(url: URL, policy: CallbackPolicy): Promise<Destination> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = ipaddr.isValid(host) ? [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }] : await lookup(host, { all: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') throw new CallbackRefusedError(`names a host (${host}) that does not resolve`);
    throw new CallbackLookupError(`looking up ${host} failed (${code ?? 'unknown'})`, { cause: error });
  }
  const refused = addresses.find(({ address }) => !isDeliverable(address, policy.allowLoopback));
  if (refused !== undefined || addresses.length === 0) {
    throw new CallbackRefusedError(`resolves to an address callbacks may not reach (${refused?.address ?? 'none'}): private, loopback and link-local addresses are refused`);
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
