// A minimal multicast DNS querier for tests (RFC 6762 §5.1 one-shot queries, RFC 1035 §4.1 message format): sends
// a PTR question to 224.0.0.251:5353 on one interface and collects every record of the responses that arrive
// within a time limit. Enough to see what a responder announces; not a resolver.
import dgram from 'node:dgram';

export interface MdnsRecord {
  name: string;
  type: 'PTR' | 'SRV' | 'TXT' | 'A' | 'AAAA' | 'NSEC' | 'OTHER';
  ttl: number;
  /** PTR target, SRV "priority weight port target", A/AAAA address. */
  data: string;
  /** TXT strings. */
  txt?: string[];
}

const TYPES: Record<number, MdnsRecord['type']> = { 12: 'PTR', 33: 'SRV', 16: 'TXT', 1: 'A', 28: 'AAAA', 47: 'NSEC' };

function encodeName(name: string): Uint8Array {
  const parts = name.replace(/\.$/, '').split('.');
  const bytes: number[] = [];
  for (const part of parts) {
    const label = new TextEncoder().encode(part);
    bytes.push(label.length, ...label);
  }
  bytes.push(0);
  return Uint8Array.from(bytes);
}

export function encodeQuery(name: string, type = 12): Uint8Array {
  const qname = encodeName(name);
  const out = new Uint8Array(12 + qname.length + 4);
  out[5] = 1; // QDCOUNT 1; id 0 and flags 0 as RFC 6762 §18 asks of multicast queries
  out.set(qname, 12);
  const view = new DataView(out.buffer);
  view.setUint16(12 + qname.length, type);
  view.setUint16(12 + qname.length + 2, 1); // class IN, QU bit clear: multicast answer
  return out;
}

function readName(buf: Uint8Array, offset: number): [string, number] {
  const labels: string[] = [];
  let end = -1;
  for (let jumps = 0; jumps < 64; jumps++) {
    const len = buf[offset]!;
    if (len === 0) { offset++; break; }
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = offset + 2;
      offset = ((len & 0x3f) << 8) | buf[offset + 1]!;
      continue;
    }
    labels.push(new TextDecoder().decode(buf.subarray(offset + 1, offset + 1 + len)));
    offset += 1 + len;
  }
  return [labels.join('.'), end >= 0 ? end : offset];
}

export function decodeResponse(buf: Uint8Array): { isResponse: boolean; records: MdnsRecord[] } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const isResponse = (view.getUint16(2) & 0x8000) !== 0;
  const qd = view.getUint16(4), rr = view.getUint16(6) + view.getUint16(8) + view.getUint16(10);
  let offset = 12;
  for (let i = 0; i < qd; i++) offset = readName(buf, offset)[1] + 4;
  const records: MdnsRecord[] = [];
  for (let i = 0; i < rr; i++) {
    const [name, at] = readName(buf, offset);
    const type = view.getUint16(at), ttl = view.getUint32(at + 4), length = view.getUint16(at + 8);
    const data = at + 10;
    const kind = TYPES[type] ?? 'OTHER';
    const record: MdnsRecord = { name, type: kind, ttl, data: '' };
    if (kind === 'PTR') record.data = readName(buf, data)[0];
    else if (kind === 'SRV') record.data = `${view.getUint16(data)} ${view.getUint16(data + 2)} ${view.getUint16(data + 4)} ${readName(buf, data + 6)[0]}`;
    else if (kind === 'A') record.data = Array.from(buf.subarray(data, data + 4)).join('.');
    else if (kind === 'AAAA') record.data = Array.from({ length: 8 }, (_, k) => view.getUint16(data + 2 * k).toString(16)).join(':');
    else if (kind === 'TXT') {
      record.txt = [];
      for (let p = data; p < data + length;) {
        const n = buf[p]!;
        record.txt.push(new TextDecoder().decode(buf.subarray(p + 1, p + 1 + n)));
        p += 1 + n;
      }
    }
    records.push(record);
    offset = data + length;
  }
  return { isResponse, records };
}

/**
 * Asks `name` (PTR) on the interface with IPv4 address `interfaceAddress`, and returns the records of every mDNS
 * response heard (multicast, from any responder) until `ms` have passed. `listen` only (no question) collects
 * unsolicited announcements and goodbyes.
 */
export async function mdnsQuery(interfaceAddress: string, name: string | undefined, ms: number): Promise<MdnsRecord[]> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const records: MdnsRecord[] = [];
  socket.on('message', (message) => {
    try {
      const decoded = decodeResponse(new Uint8Array(message));
      if (decoded.isResponse) records.push(...decoded.records);
    } catch {
      // a malformed packet from someone else: ignored
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(5353, () => resolve());
  });
  socket.addMembership('224.0.0.251', interfaceAddress);
  socket.setMulticastInterface(interfaceAddress);
  if (name !== undefined) socket.send(encodeQuery(name), 5353, '224.0.0.251');
  await new Promise((resolve) => setTimeout(resolve, ms));
  socket.close();
  return records;
}

/** The first IPv4 address of a non-internal interface (the one multicast can use), if any. */
export async function multicastInterface(): Promise<{ name: string; address: string } | undefined> {
  const { networkInterfaces } = await import('node:os');
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return { name, address: v4.address };
  }
  return undefined;
}
