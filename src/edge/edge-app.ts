// The edge app: a Hono app that terminates Matter sessions. Web-standard only, so the same app runs on Node, Deno,
// Bun and workerd; each runtime's adapter supplies its WebSocket upgrade and serves it.
//   POST   /realms/:realm/messages       one Matter message in, the reply out (200) or nothing to answer (204)
//   GET    /realms/:realm/ws             WebSocket, one Matter message per binary frame both ways
//   GET    /realms/:realm/sessions       admin (bearer token): the realm's sessions
//   DELETE /realms/:realm/sessions/:id   admin: close one
//   GET    /realms/:realm/commissioning-window   admin: open or closed, failures, when it reopens, handshakes held
//   POST   /realms/:realm/commissioning-window   admin: reopen it now, optionally with a new passcode {"passcode": N}
//   GET    /metrics                      Prometheus text
//   GET    /healthz
import { Hono, type Context } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import { sha256 } from '../crypto/hashes.js';
import type { EdgeLog } from './edge-log.js';
import { readStreamWithin, type RawRequest } from './bounded-body.js';
import { EdgeMetrics } from './edge-metrics.js';
import type { EdgeFleet } from './edge-fleet.js';
import { EdgeRealm, type RealmConfig } from './edge-realm.js';

/** Matter's largest message: the IPv6 minimum MTU (spec "Message Size"). */
export const MAX_MESSAGE_BYTES = 1280;
const REALM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface EdgeAppOptions {
  /** The realms that exist. */
  realms: Record<string, RealmConfig>;
  /**
   * When given, an unknown realm is created on first use with the configuration it returns (undefined: no such
   * realm, a 404); without it, unknown realms are 404s.
   */
  dynamicRealm?: (name: string) => RealmConfig | undefined | Promise<RealmConfig | undefined>;
  /** Bearer token for the admin endpoints; without one they answer 404. */
  adminToken?: string;
  /** The runtime's WebSocket upgrade (hono/deno, hono/bun, hono/cloudflare-workers, @hono/node-ws). */
  upgradeWebSocket?: UpgradeWebSocket;
  /**
   * The longest a request waits for its reply (ms). It normally answers as soon as the reply is sent or the
   * handlers wait for the client (then 204). Default 10 s.
   */
  replyTimeoutMs?: number;
  /** Instances sharing a distributed store (src/edge/edge-fleet.ts): then any instance serves any session. */
  fleet?: EdgeFleet;
  /** Where sessions, handshake failures and the commissioning window are logged (src/edge/edge-log.ts). Default none. */
  log?: EdgeLog;
  /**
   * The runtime's own view of a request, when it has one quicker than the Web Request (Node: the IncomingMessage).
   * Default: the Web Request's headers, and its body stream counted as it arrives (bounded-body.ts).
   */
  rawRequest?: (c: Context) => RawRequest | undefined;
}

export interface EdgeApp {
  app: Hono;
  /** The realm by name, created if it is configured (or dynamic creation is on); undefined otherwise. */
  realm(name: string): Promise<EdgeRealm | undefined>;
  metrics: EdgeMetrics;
  close(): Promise<void>;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 503;
const problem = (c: Context, status: ErrorStatus, error: string, detail: string) => c.json({ error, detail }, status);

/** Equal-length comparison that looks at every byte, over digests so the token's length does not leak either. */
function tokenMatches(given: string, expected: string): boolean {
  const a = sha256(new TextEncoder().encode(given)), b = sha256(new TextEncoder().encode(expected));
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

export function createEdgeApp(options: EdgeAppOptions): EdgeApp {
  const metrics = new EdgeMetrics();
  const realms = new Map<string, Promise<EdgeRealm>>();
  const replyTimeoutMs = options.replyTimeoutMs ?? 10_000;

  const realm = async (name: string): Promise<EdgeRealm | undefined> => {
    if (!REALM_NAME.test(name)) return undefined;
    let pending = realms.get(name);
    if (!pending) {
      const config = options.realms[name] ?? (options.dynamicRealm ? await options.dynamicRealm(name) : undefined);
      if (!config) return undefined;
      pending = realms.get(name) ?? EdgeRealm.create(name, config, metrics, options.fleet, options.log);
      realms.set(name, pending);
      pending.catch(() => realms.delete(name));
    }
    return pending;
  };

  const app = new Hono();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/metrics', async (c) => {
    const open = new Map<string, number>();
    for (const [name, pending] of realms) open.set(name, (await pending).openSessions);
    return c.text(metrics.render(open), 200, { 'content-type': 'text/plain; version=0.0.4' });
  });

  // The body is read under the limit as it arrives, whatever Content-Length or chunked framing says: a stranger
  // cannot make the edge buffer more than MAX_MESSAGE_BYTES + 1 bytes of it. A 413 also closes the connection, so the
  // rest of an oversized body is not read either (the runtimes drain a little of it at most).
  const tooLarge = (c: Context, got?: string) => {
    c.header('connection', 'close');
    return problem(c, 413, 'too-large', `a Matter message is at most ${MAX_MESSAGE_BYTES} bytes${got ? `, got ${got}` : ''}`);
  };
  app.post('/realms/:realm/messages', async (c) => {
    const raw = options.rawRequest?.(c);
    const header = raw ? raw.header : (name: string) => c.req.header(name);
    const type = header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/octet-stream') {
      return problem(c, 415, 'unsupported-media-type', `expected application/octet-stream, got ${type ?? 'none'}`);
    }
    const declared = header('content-length');
    if (declared !== undefined && Number(declared) > MAX_MESSAGE_BYTES) return tooLarge(c, `Content-Length ${declared}`);
    const body = await (raw ? raw.read(MAX_MESSAGE_BYTES)
      // With a Content-Length (at most the limit, checked above) and no Transfer-Encoding, HTTP framing itself ends
      // the body there, and the runtime's own arrayBuffer() is the quickest way to it; otherwise it is counted as it
      // comes.
      : declared !== undefined && header('transfer-encoding') === undefined
        ? c.req.arrayBuffer().then((buffer) => new Uint8Array(buffer))
        : readStreamWithin(c.req.raw.body, MAX_MESSAGE_BYTES));
    if (!body) return tooLarge(c, 'more');
    if (body.length === 0) return problem(c, 400, 'empty-body', 'expected one Matter message');
    const target = await realm(c.req.param('realm'));
    if (!target) return problem(c, 404, 'unknown-realm', `no realm "${c.req.param('realm')}"`);
    const outcome = await target.handleHttpMessage(body, replyTimeoutMs);
    if (outcome.status === 200) {
      return c.body(outcome.reply as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/octet-stream' });
    }
    if (outcome.status === 204) return c.body(null, 204);
    return problem(c, outcome.status, outcome.error, outcome.detail);
  });

  if (options.upgradeWebSocket) {
    const upgrade = options.upgradeWebSocket;
    app.get('/realms/:realm/ws', async (c, next) => {
      const target = await realm(c.req.param('realm'));
      if (!target) return problem(c, 404, 'unknown-realm', `no realm "${c.req.param('realm')}"`);
      let onFrame: ((frame: Uint8Array) => void) | undefined;
      let channel: ReturnType<EdgeRealm['webSocketChannel']> | undefined;
      const handler = upgrade(() => ({
        onOpen(_event: Event, ws: WSContext) {
          channel = target.webSocketChannel(crypto.randomUUID().slice(0, 8), (frame) => ws.send(frame as Uint8Array<ArrayBuffer>));
          onFrame = target.attachWebSocket(channel);
        },
        onMessage(event: MessageEvent, ws: WSContext) {
          const data = event.data;
          const frame = data instanceof ArrayBuffer ? new Uint8Array(data)
            : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
          if (!frame || frame.length === 0 || frame.length > MAX_MESSAGE_BYTES) {
            ws.close(1003, 'expected binary frames of one Matter message');
            return;
          }
          onFrame?.(frame);
        },
        onClose() {
          channel?.close();
        },
        onError(event: Event) {
          channel?.close(event);
        },
      }));
      return handler(c, next);
    });
  }

  const admin = async (c: Context): Promise<Response | undefined> => {
    if (!options.adminToken) return problem(c, 404, 'not-found', 'admin endpoints are disabled');
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token || !tokenMatches(token, options.adminToken)) return problem(c, 401, 'unauthorized', 'a valid bearer token is required');
    return undefined;
  };

  app.get('/realms/:realm/sessions', async (c) => {
    const denied = await admin(c);
    if (denied) return denied;
    const target = await realm(c.req.param('realm'));
    if (!target) return problem(c, 404, 'unknown-realm', `no realm "${c.req.param('realm')}"`);
    return c.json(jsonSafe({ realm: target.name, sessions: target.sessions.getActiveSessionInformation() }) as object);
  });

  app.delete('/realms/:realm/sessions/:id', async (c) => {
    const denied = await admin(c);
    if (denied) return denied;
    const target = await realm(c.req.param('realm'));
    if (!target) return problem(c, 404, 'unknown-realm', `no realm "${c.req.param('realm')}"`);
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id) || !target.sessions.removeSession(id, 'removed')) {
      return problem(c, 404, 'unknown-session', `no session ${c.req.param('id')} in realm ${target.name}`);
    }
    return c.body(null, 204);
  });

  const windowView = (target: EdgeRealm) => {
    const { retryAfterMs, reopensAt, ...state } = target.commissioningWindow;
    return {
      realm: target.name, ...state,
      retryAfterSeconds: Number.isFinite(retryAfterMs) ? Math.ceil(retryAfterMs / 1000) : null,
      reopensAt: reopensAt === undefined ? null : new Date(reopensAt).toISOString(),
    };
  };

  app.get('/realms/:realm/commissioning-window', async (c) => {
    const denied = await admin(c);
    if (denied) return denied;
    const target = await realm(c.req.param('realm'));
    if (!target) return problem(c, 404, 'unknown-realm', `no realm "${c.req.param('realm')}"`);
    return c.json(windowView(target));
  });

  app.post('/realms/:realm/commissioning-window', async (c) => {
    const denied = await admin(c);
    if (denied) return denied;
    const target = await realm(c.req.param('realm'));
    if (!target) return problem(c, 404, 'unknown-realm', `no realm "${c.req.param('realm')}"`);
    const text = await c.req.text();
    let passcode: number | undefined;
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return problem(c, 400, 'bad-request', 'expected no body or a JSON object such as {"passcode": 34567890}');
      }
      const given = (body as { passcode?: unknown } | null)?.passcode;
      if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).some((k) => k !== 'passcode')) {
        return problem(c, 400, 'bad-request', 'expected a JSON object with at most one field, "passcode"');
      }
      if (given !== undefined && typeof given !== 'number') {
        return problem(c, 400, 'bad-passcode', `passcode: expected a number of up to 8 digits, got ${JSON.stringify(given)}`);
      }
      passcode = given;
    }
    try {
      target.reopenCommissioningWindow(passcode);
    } catch (error) {
      if (error instanceof RangeError) return problem(c, 400, 'bad-passcode', error.message);
      throw error;
    }
    return c.json(windowView(target));
  });

  return {
    app, realm, metrics,
    close: async () => {
      for (const pending of realms.values()) await (await pending).close();
      realms.clear();
    },
  };
}
