// `matter-sessions/edge/workerd`: the edge as a Worker module for workerd (Cloudflare Workers). Bind
// MatterRealmObject as REALMS (a SQLite-backed class: new_sqlite_classes) and configure realms in the environment
// (see MatterWorkerEnv).
//
// Each realm lives in one Durable Object, addressed by the realm's name: its sessions (in memory, so every request
// and WebSocket of the realm meets the same session table) and, through DurableObjectStore, its resumption records and
// group counters (in the object's storage, so they outlive the object). The Worker itself only routes:
//   GET  /healthz                  answered by the Worker
//   *    /realms/:realm/*          a configured realm: to its object (messages, ws, sessions: see edge-app.ts)
//   GET  /realms/:realm/metrics    that realm's metrics, from its object; there is no Worker-wide /metrics, which
//                                  would wake every realm's object on each scrape
// WebSockets are accepted by the object itself rather than through the hibernation API: a hibernated object drops
// its memory, and with it the sessions bound to a socket that is still open.
// The package's workerd entry: it imports the wasm as a module (Workers refuse to compile it from bytes) for ready().
import '../workerd.js';
import { Hono } from 'hono';
import { createEdgeApp, type EdgeApp } from './edge-app.js';
import { DurableObjectStore } from './durable-object-store.js';
import { defaultLightApp } from './default-light-app.js';
import { RealmConfigError, realmsFromEnv, type MatterWorkerEnv } from './workerd-config.js';
import type { DurableObjectStateLike } from './workerd-types.js';
import { upgradeWebSocket } from './workerd-websocket.js';

const REALM_METRICS = /^\/realms\/[^/]+\/metrics$/;

export class MatterRealmObject {
  readonly #edge: EdgeApp;

  constructor(ctx: DurableObjectStateLike, env: MatterWorkerEnv) {
    const storage = new DurableObjectStore(ctx.storage);
    this.#edge = createEdgeApp({
      realms: {},
      // The one realm whose name this object's id derives from, whatever path reaches it.
      dynamicRealm: (name) => {
        const config = realmsFromEnv(env)[name];
        if (!config || !env.REALMS.idFromName(name).equals(ctx.id)) return undefined;
        // The realm's node keeps its fabrics and ACL in the object's storage, with the session records.
        const { app, ...realm } = config;
        return { ...realm, storage, ...(app === 'light' ? { node: defaultLightApp().node } : {}) };
      },
      ...(env.ADMIN_TOKEN ? { adminToken: env.ADMIN_TOKEN } : {}),
      upgradeWebSocket,
    });
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'GET' && REALM_METRICS.test(url.pathname)) {
      url.pathname = '/metrics';
      return this.#edge.app.fetch(new Request(url, request));
    }
    return this.#edge.app.fetch(request);
  }
}

const worker = new Hono<{ Bindings: MatterWorkerEnv }>();

worker.get('/healthz', (c) => c.json({ status: 'ok' }));

worker.all('/realms/:realm/*', (c) => {
  const name = c.req.param('realm');
  if (!Object.hasOwn(realmsFromEnv(c.env), name)) return c.json({ error: 'unknown-realm', detail: `no realm "${name}"` }, 404);
  return c.env.REALMS.get(c.env.REALMS.idFromName(name)).fetch(c.req.raw);
});

worker.notFound((c) => c.json({ error: 'not-found', detail: `no route for ${c.req.method} ${c.req.path}` }, 404));

worker.onError((error, c) => {
  if (error instanceof RealmConfigError) return c.json({ error: 'misconfigured', detail: error.message }, 500);
  console.error(error);
  return c.json({ error: 'internal', detail: 'see the Worker\'s log' }, 500);
});

export default { fetch: worker.fetch };

export { DurableObjectStore } from './durable-object-store.js';
export { realmsFromEnv, RealmConfigError, type MatterWorkerEnv, type WorkerRealmConfig } from './workerd-config.js';
export { upgradeWebSocket } from './workerd-websocket.js';
export type { DurableObjectStateLike, DurableObjectStorageLike } from './workerd-types.js';
