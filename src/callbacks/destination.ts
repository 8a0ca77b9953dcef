import ipaddr from 'ipaddr.js';
import { CallbackRefusedError, type CallbackPolicy } from './callback-url.js';
import { systemLookup, type HostLookup } from './host-lookup.js';

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

/** IPv6's global unicast block: every public IPv6 address is in it, none of the special ones outside it. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Only plain public unicast addresses: never private, loopback (unless allowed), link-local,
 * carrier-grade NAT, multicast, reserved, an IPv4 address mapped into IPv6 that is one of those,
 * nor an IPv6 address outside the global unicast block (IPv4-compatible `::a.b.c.d` among them).
 */
export function isDeliverable(address: string, allowLoopback: boolean): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (allowLoopback && range === 'loopback') return true;
  if (range !== 'unicast') return false;
  return parsed.kind() === 'ipv4' || (parsed as ipaddr.IPv6).match(GLOBAL_UNICAST_V6 as [ipaddr.IPv6, number]);
}

/** Resolver answers that say the name itself cannot work, as opposed to the resolver failing for now. */
const BAD_NAME = new Set(['ENOTFOUND', 'ENODATA', 'EINVAL', 'EBADNAME', 'EBADFAMILY']);

function lookupWithin(lookupHost: HostLookup, host: string, timeoutMs: number): Promise<Array<{ address: string; family: number }>> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`looking up ${host} took over ${timeoutMs} ms`), { code: 'ETIMEOUT' })), timeoutMs);
  });
  return Promise.race([lookupHost(host), timedOut]).finally(() => clearTimeout(timer));
}

/**
 * Resolves the callback's host (within `timeoutMs`) and checks every address it names, as at
 * submit and again before each delivery (a name can be made to point elsewhere later). Answers
 * the address to connect to.
 */
export async function resolveDestination(url: URL, policy: CallbackPolicy, timeoutMs: number, lookupHost: HostLookup = systemLookup): Promise<Destination> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = ipaddr.isValid(host) ? [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }] : await lookupWithin(lookupHost, host, timeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && BAD_NAME.has(code)) throw new CallbackRefusedError(`names a host (${host}) that does not resolve`);
    throw new CallbackLookupError(`looking up ${host} failed (${code ?? 'unknown'})`, { cause: error });
  }
  const refused = addresses.find(({ address }) => !isDeliverable(address, policy.allowLoopback));
  if (refused !== undefined || addresses.length === 0) {
    throw new CallbackRefusedError(`resolves to an address callbacks may not reach (${refused?.address ?? 'none'}): private, loopback and link-local addresses are refused`);
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
