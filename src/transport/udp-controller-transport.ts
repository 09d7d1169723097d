// The controller's transport in Node: one UDP socket per address family, opened on first use, reaching nodes by IP
// literal and port (Matter Core spec 4.3 "Unicast over UDP"; operational discovery by DNS-SD is not needed when the
// last address is known, as the controller stores it).
import { isIP } from 'node:net';
import type { ControllerTransport } from '../controller/matter-controller.js';
import type { NodeAddress } from '../controller/commissioned-nodes.js';
import type { MessageChannel } from '../protocol/message-channel.js';
import { UdpTransport } from './udp-transport.js';

export function udpControllerTransport(): ControllerTransport {
  let receive: ((message: Uint8Array, channel: MessageChannel) => void) | undefined;
  const sockets = new Map<4 | 6, Promise<UdpTransport>>();
  const socketFor = (family: 4 | 6): Promise<UdpTransport> => {
    let socket = sockets.get(family);
    if (!socket) {
      socket = UdpTransport.bind({ host: family === 6 ? '::' : '0.0.0.0' }).then((udp) => {
        udp.onDatagram((message, channel) => receive?.(message, channel));
        return udp;
      });
      sockets.set(family, socket);
    }
    return socket;
  };
  return {
    listen(handler) {
      receive = handler;
    },
    async channelFor(address: NodeAddress) {
      if (address.transport !== 'udp') throw new RangeError(`address.transport: this transport reaches UDP addresses only, got ${address.transport}`);
      const family = isIP(address.host);
      if (family === 0) throw new RangeError(`address.host: expected an IPv4 or IPv6 literal, got "${address.host}"`);
      return (await socketFor(family as 4 | 6)).channelTo(address.host, address.port);
    },
    async close() {
      const all = [...sockets.values()];
      sockets.clear();
      await Promise.all(all.map(async (socket) => (await socket).close()));
    },
  };
}
