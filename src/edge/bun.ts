// `matter-sessions/edge/bun`: the edge app served by Bun.serve, WebSockets through hono/bun (whose handler Bun.serve
// takes as `websocket`). A realm keeps its records in memory unless its config gives a storage. Uses Bun's globals
// only (typed here as far as this module needs them), so the package's Node-typed build compiles it.
import { createBunWebSocket } from 'hono/bun';
import { createEdgeApp, type EdgeApp, type EdgeAppOptions } from './edge-app.js';

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
      websocket: unknown;
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
    websocket,
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
