// A controller transport that reaches a node wherever its address says (Matter Core spec §4.3 UDP; this project's
// Matter over HTTP and WebSocket, an edge realm named by URL): UDP through a UDP transport given to it, 'http' with
// one HttpClientChannel per URL, 'ws' with one WebSocket per URL, opened on first use and again after it closed.
import type { ControllerTransport } from '../controller/matter-controller.js';
import type { NodeAddress } from '../controller/commissioned-nodes.js';
import type { MessageChannel } from '../protocol/message-channel.js';
import { HttpClientChannel } from './http-client-channel.js';
import { WebSocketClientChannel, type WebSocketLike } from './websocket-client-channel.js';

export interface EdgeControllerTransportOptions {
  /** Reaches 'udp' addresses (udpControllerTransport() in Node); without it they are refused. */
  udp?: ControllerTransport;
  /** Makes a WebSocket (the browser's, or the `ws` package's in Node); without it 'ws' addresses are refused. */
  webSocket?: (url: string) => WebSocketLike;
  fetch?: typeof fetch;
}

const SCHEMES = { http: ['http:', 'https:'], ws: ['ws:', 'wss:'] } as const;

function checkUrl(address: NodeAddress, kind: 'http' | 'ws'): string {
  let url: URL;
  try {
    url = new URL(address.host);
  } catch {
    throw new RangeError(`address.host: expected a ${kind} URL, got "${address.host}"`);
  }
  if (!(SCHEMES[kind] as readonly string[]).includes(url.protocol)) {
    throw new RangeError(`address.host: expected a ${SCHEMES[kind].join(' or ')} URL, got "${address.host}"`);
  }
  return address.host;
}

export function edgeControllerTransport(options: EdgeControllerTransportOptions = {}): ControllerTransport {
  let receive: ((message: Uint8Array, channel: MessageChannel) => void) | undefined;
  const deliver = (message: Uint8Array, channel: MessageChannel) => receive?.(message, channel);
  const http = new Map<string, HttpClientChannel>();
  const sockets = new Map<string, Promise<WebSocketClientChannel>>();
  options.udp?.listen(deliver);
  return {
    listen(handler) {
      receive = handler;
    },
    async channelFor(address: NodeAddress) {
      if (typeof address !== 'object' || address === null) throw new TypeError('address: expected a NodeAddress');
      switch (address.transport) {
        case 'udp':
          if (!options.udp) throw new RangeError('address.transport: udp addresses need options.udp');
          return options.udp.channelFor(address);
        case 'http': {
          const url = checkUrl(address, 'http');
          let channel = http.get(url);
          if (!channel) {
            const made = new HttpClientChannel(url, deliver, options.fetch ?? fetch);
            made.onClose(() => { if (http.get(url) === made) http.delete(url); });
            http.set(url, (channel = made));
          }
          return channel;
        }
        case 'ws': {
          const url = checkUrl(address, 'ws');
          if (!options.webSocket) throw new RangeError('address.transport: ws addresses need options.webSocket');
          const open = sockets.get(url);
          if (open) return open;
          const pending = WebSocketClientChannel.connect(url, deliver, options.webSocket);
          sockets.set(url, pending);
          const forget = () => { if (sockets.get(url) === pending) sockets.delete(url); };
          // A socket that closes (or never opens) is forgotten: the next use connects again.
          pending.then((channel) => channel.onClose(forget), forget);
          return pending;
        }
        default:
          throw new RangeError(`address.transport: expected udp, http or ws, got ${String((address as NodeAddress).transport)}`);
      }
    },
    async close() {
      for (const channel of http.values()) channel.close();
      http.clear();
      const all = [...sockets.values()];
      sockets.clear();
      for (const pending of all) (await pending.catch(() => undefined))?.close();
      await options.udp?.close();
    },
  };
}
