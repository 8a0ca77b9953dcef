import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import type { HostLookup } from '../../src/callbacks/host-lookup.js';

/** What the server answers for a name: its IPv4 addresses, or NXDOMAIN when it has none. */
export type Zone = Map<string, string[]>;

export interface DnsServer {
  /** Names and their A records; change it to make a name point elsewhere, for the next query. */
  zone: Zone;
  /** A {@link HostLookup} that asks this server, as the handler's `lookupHost`. */
  lookup: HostLookup;
  /** Stops answering (the port closes, so queries fail as with a resolver that is down). */
  stop(): Promise<void>;
}

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;

function questionEnd(query: Buffer): number {
  let offset = 12;
  while (query[offset]! !== 0) offset += query[offset]! + 1;
  return offset + 5; // the root label, QTYPE, QCLASS
}

function questionName(query: Buffer): string {
  const labels: string[] = [];
  for (let offset = 12; query[offset]! !== 0; offset += query[offset]! + 1) labels.push(query.subarray(offset + 1, offset + 1 + query[offset]!).toString('ascii'));
  return labels.join('.').toLowerCase();
}

/** The answer to one query: A records from the zone (nothing for other types), else NXDOMAIN. */
function answer(query: Buffer, zone: Zone): Buffer {
  const end = questionEnd(query);
  const type = query.readUInt16BE(end - 4);
  const addresses = zone.get(questionName(query));
  const records = addresses === undefined || type !== TYPE_A ? [] : addresses;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180 | (addresses === undefined ? RCODE_NXDOMAIN : 0), 2); // response, recursion desired and available
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name, by pointer to the question's
    record.writeUInt16BE(TYPE_A, 2);
    record.writeUInt16BE(CLASS_IN, 4);
    record.writeUInt32BE(0, 6); // TTL 0: nothing cached, the next lookup asks again
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, index) => record.writeUInt8(Number(octet), 12 + index));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, end), ...answers]);
}

/**
 * A real DNS server on a loopback UDP port with a zone tests can change, and a lookup that asks it
 * through Node's resolver (c-ares): names, changes and outages go over the wire as in production.
 */
export async function startDnsServer(zone: Zone = new Map()): Promise<DnsServer> {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => socket.send(answer(query, zone), peer.port, peer.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  let stopped = false;
  return {
    zone,
    lookup: async (host) => (await resolver.resolve4(host)).map((address) => ({ address, family: 4 })),
    stop: () => (stopped ? Promise.resolve() : new Promise<void>((resolve) => ((stopped = true), socket.close(() => resolve())))),
  };
}
