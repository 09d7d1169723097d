// Matter over UDP for one edge realm (Matter Core spec §4.3 "UDP" with §4.12 reliable messaging, port 5540 by
// default): the datagrams take the realm's path (checks, fleet admission, metrics) and reach its Matter node, so a
// standard controller commissions and controls the realm by address, as it would a device on its network.
import { UdpTransport } from '../transport/udp-transport.js';
import type { EdgeRealm } from './edge-realm.js';

/** The Matter operational port (spec §4.3.1). */
export const MATTER_UDP_PORT = 5540;

export interface RealmUdpOptions {
  /** '::' (default: IPv6 and, dual-stack, IPv4), '0.0.0.0', '127.0.0.1', '::1'... */
  host?: string;
  /** Default 5540; 0 lets the OS choose. */
  port?: number;
  /** Told of each refused datagram: the error kind ('unknown-session', 'malformed-message'...) and its detail. */
  onRefused?: (error: string, detail: string) => void;
}

export interface RealmUdpListener {
  readonly realm: string;
  readonly address: { host: string; port: number };
  /** Peer addresses with a channel open (each one that sent an accepted message). */
  readonly peers: number;
  close(): Promise<void>;
}

export async function listenRealmUdp(realm: EdgeRealm, options: RealmUdpOptions = {}): Promise<RealmUdpListener> {
  const port = options.port ?? MATTER_UDP_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`udp.port: expected 0 to 65535, got ${String(port)}`);
  let transport: UdpTransport;
  try {
    transport = await UdpTransport.bind({ host: options.host ?? '::', port });
  } catch (error) {
    // A host without IPv6 cannot bind '::': IPv4 alone then, unless an address was asked for.
    if (options.host !== undefined) throw error;
    transport = await UdpTransport.bind({ host: '0.0.0.0', port });
  }
  // Nothing is answered to a refused datagram (a stranger learns nothing); the app hears of it. A peer address that
  // never sent an accepted message is forgotten at once, so spoofed source addresses leave no channel behind.
  const accepted = new WeakSet<object>();
  const open = new Set<object>();
  transport.onDatagram((datagram, channel) => {
    if (!open.has(channel)) {
      open.add(channel);
      channel.onClose(() => open.delete(channel));
    }
    void realm.receiveDatagram(datagram, channel).then((refused) => {
      if (!refused) {
        accepted.add(channel);
        return;
      }
      if (!accepted.has(channel)) channel.close();
      options.onRefused?.(refused.error, refused.detail);
    });
  });
  return {
    realm: realm.name,
    get address() {
      return transport.address;
    },
    get peers() {
      return open.size;
    },
    close: () => transport.close(),
  };
}
