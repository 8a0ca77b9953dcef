import { lookup } from 'node:dns/promises';

/** Every address a host name resolves to, as `dns.lookup(host, { all: true })` answers. */
export type HostLookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver (getaddrinfo), as Lambda's runtime has it; tests pass one that asks their own DNS server. */
export const systemLookup: HostLookup = (host) => lookup(host, { all: true });
