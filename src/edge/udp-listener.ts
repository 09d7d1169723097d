// Matter over UDP for one edge realm (Matter Core spec §4.3 "UDP" with §4.12 reliable messaging, port 5540 by
// default): the datagrams take the realm's path (checks, fleet admission, metrics) and reach its Matter node, so a
// standard controller commissions and controls the realm by address, as it would a device on its network.
import type { SecureSession } from '../session/secure-session.js';
import { UdpPeerChannel, UdpTransport } from '../transport/udp-transport.js';
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
  /**
   * Peer addresses held without a secure session (those that sent only unsecured messages: a PBKDFParamRequest, a
   * Sigma1...). Beyond it the one idle longest is dropped, with its handshake. Default 1024, as the realm's PASE
   * handshake slots.
   */
  maxPeersWithoutSession?: number;
}

export interface RealmUdpListener {
  readonly realm: string;
  readonly address: { host: string; port: number };
  /** Peer addresses with a channel open (each one that sent an accepted message). */
  readonly peers: number;
  /** Of those, the ones that carry no secure session (bounded by maxPeersWithoutSession). */
  readonly peersWithoutSession: number;
  close(): Promise<void>;
}

/** The default bound on peer addresses without a secure session: the realm's default PASE handshake slots. */
const DEFAULT_MAX_PEERS_WITHOUT_SESSION = 1024;

export async function listenRealmUdp(realm: EdgeRealm, options: RealmUdpOptions = {}): Promise<RealmUdpListener> {
  const port = options.port ?? MATTER_UDP_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`udp.port: expected 0 to 65535, got ${String(port)}`);
  const maxWithoutSession = options.maxPeersWithoutSession ?? DEFAULT_MAX_PEERS_WITHOUT_SESSION;
  if (!Number.isInteger(maxWithoutSession) || maxWithoutSession < 1) {
    throw new RangeError(`udp.maxPeersWithoutSession: expected a positive integer, got ${String(maxWithoutSession)}`);
  }
  let transport: UdpTransport;
  try {
    transport = await UdpTransport.bind({ host: options.host ?? '::', port });
  } catch (error) {
    // A host without IPv6 cannot bind '::': IPv4 alone then, unless an address was asked for.
    if (options.host !== undefined) throw error;
    transport = await UdpTransport.bind({ host: '0.0.0.0', port });
  }
  // Nothing is answered to a refused datagram (a stranger learns nothing); the app hears of it. A peer address that
  // never sent an accepted message is forgotten at once. Unsecured messages are accepted from anyone, and UDP source
  // addresses are not authenticated (spec §4.3: the address is only where answers go), so the peers that carry no
  // secure session are held in least-recently-heard order and the oldest is dropped beyond the bound. A peer with a
  // secure session (PASE or CASE done over it: only a holder of the passcode or of fabric credentials gets one) is
  // never dropped for a stranger: those are bounded by the session table itself, at least one session each.
  const withoutSession = new Map<UdpPeerChannel, true>();
  const secureSessions = new Map<UdpPeerChannel, number>();
  const watched = new WeakSet<UdpPeerChannel>();
  const watch = (channel: UdpPeerChannel) => {
    if (watched.has(channel)) return;
    watched.add(channel);
    channel.onClose(() => {
      withoutSession.delete(channel);
      secureSessions.delete(channel);
    });
  };
  const track = (channel: UdpPeerChannel) => {
    if (secureSessions.has(channel)) return;
    watch(channel);
    // Deleted and set again: heard from now, so the most recent in the map's order.
    withoutSession.delete(channel);
    withoutSession.set(channel, true);
    for (const [oldest] of withoutSession) {
      if (withoutSession.size <= maxWithoutSession) break;
      withoutSession.delete(oldest);
      oldest.close();
    }
  };
  const onOpened = (session: SecureSession) => {
    const channel = session.channel;
    if (!(channel instanceof UdpPeerChannel) || channel.closed) return;
    watch(channel);
    withoutSession.delete(channel);
    secureSessions.set(channel, (secureSessions.get(channel) ?? 0) + 1);
  };
  const onClosed = (session: SecureSession) => {
    const channel = session.channel;
    if (!(channel instanceof UdpPeerChannel)) return;
    const count = secureSessions.get(channel);
    if (count === undefined) return;
    if (count > 1) {
      secureSessions.set(channel, count - 1);
      return;
    }
    // Its last session ended: the address is one more peer without a session (the most recent one).
    secureSessions.delete(channel);
    if (!channel.closed) track(channel);
  };
  const detachOpened = realm.sessions.events.on('sessionOpened', onOpened);
  const detachClosed = realm.sessions.events.on('sessionClosed', onClosed);
  transport.onDatagram((datagram, channel) => {
    void realm.receiveDatagram(datagram, channel).then((refused) => {
      if (!refused) {
        if (!channel.closed) track(channel);
        return;
      }
      if (!withoutSession.has(channel) && !secureSessions.has(channel)) channel.close();
      options.onRefused?.(refused.error, refused.detail);
    });
  });
  return {
    realm: realm.name,
    get address() {
      return transport.address;
    },
    get peers() {
      return withoutSession.size + secureSessions.size;
    },
    get peersWithoutSession() {
      return withoutSession.size;
    },
    close: async () => {
      detachOpened();
      detachClosed();
      await transport.close();
    },
  };
}
