// `matter-sessions/edge/deno`: the edge app served by Deno.serve, WebSockets through hono/deno. A realm keeps its
// records in memory unless its config gives a storage. Uses Deno's globals only (typed here as far as this module
// needs them), so the package's Node-typed build compiles it.
// Limits: request bodies are streams the app cuts at 1,280 bytes. WebSocket frames cannot be refused from their
// header here: Deno.upgradeWebSocket takes no size limit, and Deno reads each message whole, up to 64 MiB (larger ones
// close the connection, 1006), before the app sees it and closes the socket (1003). So one socket can make Deno hold
// up to 64 MiB for a moment; where that matters, put a proxy with a frame limit in front or use the HTTP route.
import { upgradeWebSocket } from 'hono/deno';
import { createEdgeApp, type EdgeApp, type EdgeAppOptions } from './edge-app.js';

export interface DenoEdgeServerOptions extends Omit<EdgeAppOptions, 'upgradeWebSocket'> {
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
}

export interface DenoEdgeServer {
  url: string;
  edge: EdgeApp;
  close(): Promise<void>;
}

interface DenoServeGlobals {
  Deno: {
    serve(options: { hostname: string; port: number; onListen(address: { hostname: string; port: number }): void },
      handler: (request: Request) => Response | Promise<Response>): { shutdown(): Promise<void> };
  };
}

export function serveEdgeOnDeno(options: DenoEdgeServerOptions): Promise<DenoEdgeServer> {
  const { Deno } = globalThis as unknown as DenoServeGlobals;
  const edge = createEdgeApp({ ...options, upgradeWebSocket });
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: options.hostname ?? '127.0.0.1',
      port: options.port ?? 8787,
      // Given, it also replaces Deno's own "Listening on" line.
      onListen: ({ hostname, port }) => resolve({
        url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`,
        edge,
        close: async () => {
          await edge.close();
          await server.shutdown();
        },
      }),
    }, (request) => edge.app.fetch(request));
  });
}
