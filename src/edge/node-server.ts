// The edge app on Node (@hono/node-server, WebSockets through @hono/node-ws), with the file store and, when a
// directory is given, a static site (the web app).
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import { FileStore } from '../storage/file-store.js';
import { concat, type BodyReader, type RawRequest } from './bounded-body.js';
import { createEdgeApp, MAX_MESSAGE_BYTES, type EdgeApp, type EdgeAppOptions } from './edge-app.js';
import type { RealmConfig } from './edge-realm.js';
import { listenRealmUdp, type RealmUdpListener, type RealmUdpOptions } from './udp-listener.js';
import { advertiseNode, type MdnsAdvertiserOptions, type NodeAdvertisement } from '../discovery/mdns-advertiser.node.js';
import type { NodeDiscoveryOptions } from '../discovery/node-discovery.js';

export interface NodeEdgeServerOptions extends Omit<EdgeAppOptions, 'upgradeWebSocket' | 'realms'> {
  realms: Record<string, Omit<RealmConfig, 'storage'>>;
  host?: string;
  port?: number;
  /** Each realm keeps its records in a FileStore under <dataDir>/<realm> (unless the fleet's store holds them). */
  dataDir: string;
  /** A directory to serve at / (the web app), if any. */
  staticRoot?: string;
  /** Matter over UDP for one realm (src/edge/udp-listener.ts): default port 5540 on '::' (IPv6 and IPv4). */
  udp?: RealmUdpOptions & { realm: string; optional?: boolean };
  /**
   * DNS-SD over mDNS (Matter Core spec §4.3) for the UDP realm's node: commissionable while its window is open,
   * operational per fabric. Off unless given; needs `udp` and a realm with a node.
   */
  mdns?: boolean | (Omit<MdnsAdvertiserOptions, 'port'> & NodeDiscoveryOptions);
}

export interface NodeEdgeServer {
  url: string;
  edge: EdgeApp;
  /** The UDP listener, when `udp` was given (and, if optional, its port was free). */
  udp?: RealmUdpListener;
  /** Why an optional UDP listener is not there. */
  udpSkipped?: string;
  /** The node's mDNS advertisement, when `mdns` was asked for and UDP is up. */
  mdns?: NodeAdvertisement;
  close(): Promise<void>;
}

/**
 * Reads the body straight from Node's IncomingMessage, counting bytes as they arrive and pausing at the first byte
 * past the limit. Faster than the Web stream @hono/node-server builds on demand (with a Request, an AbortController
 * and a ReadableStream per request), and just as bounded.
 */
function readIncomingWithin(incoming: IncomingMessage): BodyReader {
  return (limit) => new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    const finish = (body: Uint8Array | undefined) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        // Nothing more is read: the 413 closes the connection, and @hono/node-server drains what is left for 500 ms
        // at most.
        incoming.pause();
        finish(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(concat(chunks, length));
    const onError = (error: Error) => {
      incoming.off('data', onData).off('end', onEnd).off('aborted', onAborted);
      reject(error);
    };
    const onAborted = () => onError(new Error('the client aborted the request'));
    if (incoming.readableEnded) return resolve(new Uint8Array(0));
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

export async function startNodeEdgeServer(options: NodeEdgeServerOptions): Promise<NodeEdgeServer> {
  const stores: FileStore[] = [];
  const storeFor = async (realm: string) => {
    const dir = join(options.dataDir, realm);
    await mkdir(dir, { recursive: true });
    const store = await FileStore.open(dir);
    stores.push(store);
    return store;
  };
  const realms: Record<string, RealmConfig> = {};
  // In a fleet the realms keep their records in the shared store; alone, in files.
  for (const [name, config] of Object.entries(options.realms)) {
    realms[name] = options.fleet ? config : { ...config, storage: await storeFor(name) };
  }

  const outer = new Hono();
  const { upgradeWebSocket, injectWebSocket, wss } = createNodeWebSocket({ app: outer });
  // @hono/node-ws makes its ws server without options; ws reads maxPayload from them at each upgrade. With it, a
  // frame announcing more than one Matter message is refused from its header (close 1009) before any of it is
  // buffered, instead of ws' default of reading up to 100 MiB first.
  wss.options.maxPayload = MAX_MESSAGE_BYTES;
  const edge = createEdgeApp({
    ...options, realms, upgradeWebSocket,
    rawRequest: (c): RawRequest | undefined => {
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      // Node's parsed headers (lower-case names) spare building a Web Headers object for each message.
      return incoming && { header: (name) => incoming.headers[name] as string | undefined, read: readIncomingWithin(incoming) };
    },
    ...(options.dynamicRealm ? {
      dynamicRealm: async (name: string) => {
        const config = await options.dynamicRealm!(name);
        return config && (options.fleet ? config : { ...config, storage: await storeFor(name) });
      },
    } : {}),
  });
  outer.route('/', edge.app);
  if (options.staticRoot) outer.use('/*', serveStatic({ root: options.staticRoot }));

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: outer.fetch, hostname: options.host ?? '127.0.0.1', port: options.port ?? 8787 }, () => resolve(s));
  });
  injectWebSocket(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 8787;
  const host = options.host ?? '127.0.0.1';
  let udp: RealmUdpListener | undefined;
  let udpSkipped: string | undefined;
  if (options.udp) {
    const target = await edge.realm(options.udp.realm);
    if (!target) throw new RangeError(`udp.realm: no realm "${options.udp.realm}"`);
    try {
      udp = await listenRealmUdp(target, options.udp);
    } catch (error) {
      if (!options.udp.optional) {
        for (const socket of wss.clients) socket.terminate();
        await edge.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        for (const store of stores) await store.close();
        throw error;
      }
      udpSkipped = (error as Error).message;
    }
  }
  let mdns: NodeAdvertisement | undefined;
  if (options.mdns && udp) {
    const node = (await edge.realm(udp.realm))?.node;
    try {
      if (!node) throw new TypeError(`mdns: realm "${udp.realm}" has no Matter node to advertise`);
      mdns = await advertiseNode(node, { ...(options.mdns === true ? {} : options.mdns), port: udp.address.port });
    } catch (error) {
      await udp.close();
      for (const socket of wss.clients) socket.terminate();
      await edge.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const store of stores) await store.close();
      throw error;
    }
  }
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    edge,
    ...(udp ? { udp } : {}),
    ...(udpSkipped ? { udpSkipped } : {}),
    ...(mdns ? { mdns } : {}),
    close: async () => {
      await mdns?.close();
      await udp?.close();
      // Open sockets would keep server.close() waiting: close them (and with them their sessions) first.
      for (const socket of wss.clients) socket.terminate();
      await edge.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const store of stores) await store.close();
    },
  };
}
