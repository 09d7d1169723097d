// `matter-sessions/edge/bun`: the edge app served by Bun.serve, WebSockets through hono/bun (whose handler Bun.serve
// takes as `websocket`). A realm keeps its records in memory unless its config gives a storage. Uses Bun's globals
// only (typed here as far as this module needs them), so the package's Node-typed build compiles it.
import { createBunWebSocket } from 'hono/bun';
import { createEdgeApp, MAX_MESSAGE_BYTES, type EdgeApp, type EdgeAppOptions } from './edge-app.js';

export interface BunEdgeServerOptions extends Omit<EdgeAppOptions, 'upgradeWebSocket'> {
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
}

export interface BunEdgeServer {
  url: string;
  edge: EdgeApp;
  close(): Promise<void>;
}

interface BunServer {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunServeGlobals {
  Bun: {
    serve(options: {
      hostname: string;
      port: number;
      fetch(request: Request, server: BunServer): Response | Promise<Response>;
      websocket: object;
      maxRequestBodySize?: number;
    }): BunServer;
  };
}

export async function serveEdgeOnBun(options: BunEdgeServerOptions): Promise<BunEdgeServer> {
  const { Bun } = globalThis as unknown as BunServeGlobals;
  const { upgradeWebSocket, websocket } = createBunWebSocket();
  const edge = createEdgeApp({ ...options, upgradeWebSocket });
  // hono/bun upgrades through the server, which it finds as the app's env: Bun passes it as fetch's second argument.
  const server = Bun.serve({
    hostname: options.hostname ?? '127.0.0.1',
    port: options.port ?? 8787,
    fetch: (request, bunServer) => edge.app.fetch(request, bunServer),
    // uWebSockets refuses a frame announcing more than this from its header and closes the connection (1009), before
    // buffering any of it; Bun's default is 16 MiB. Request bodies are streams the app cuts at the limit (Bun's own
    // maxRequestBodySize would close a chunked upload without any answer, so it stays at its default).
    websocket: { ...websocket, maxPayloadLength: MAX_MESSAGE_BYTES },
  });
  const host = server.hostname;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    edge,
    close: async () => {
      await edge.close();
      await server.stop(true);
    },
  };
}
