// What the test does against every runtime's edge, from Node with the library as a client: pair by PASE over HTTP
// and over WebSocket, read VendorName, close; bad input; metrics.
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import * as lib from '../../src/node.js';

export const PASSCODE = 20202021;
export const ADMIN_TOKEN = 'edge-runtimes-admin';
const VENDOR_NAME = { endpoint: 0, cluster: 0x28, attribute: 1 };

export interface EdgeUnderTest {
  /** http://host:port */
  url: string;
  realm: string;
  vendorName: string;
  /** Where the realm's metrics are: /metrics, or /realms/<realm>/metrics on workerd. */
  metricsPath: string;
}

interface Client {
  sessions: lib.SessionManager;
  exchanges: lib.ExchangeManager;
  receive(message: Uint8Array, channel: lib.MessageChannel): void;
  close(): Promise<void>;
}

async function client(): Promise<Client> {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  return {
    sessions, exchanges,
    receive: (message, channel) => exchanges.receive(message, channel),
    close: async () => {
      exchanges.close();
      await sessions.close();
    },
  };
}

export const messagesUrl = (edge: EdgeUnderTest) => `${edge.url}/realms/${edge.realm}/messages`;

async function readVendorName(c: Client, session: lib.SecureSession): Promise<unknown> {
  return lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, VENDOR_NAME));
}

/** The realm's open session ids, through the admin endpoint. */
async function edgeSessionIds(edge: EdgeUnderTest): Promise<number[]> {
  const response = await fetch(`${edge.url}/realms/${edge.realm}/sessions`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(response.status, 200, 'admin session list');
  const body = await response.json() as { sessions: Array<{ sessionId: number }> };
  return body.sessions.map((s) => s.sessionId);
}

/** Pairs over HTTP and reads VendorName; returns the session, still open, with its client. */
export async function pairOverHttp(edge: EdgeUnderTest): Promise<{ c: Client; session: lib.SecureSession }> {
  const c = await client();
  try {
    const channel = new lib.HttpClientChannel(messagesUrl(edge), c.receive);
    const session = await lib.establishPase(c.exchanges, channel, { passcode: PASSCODE });
    assert.equal(await readVendorName(c, session), edge.vendorName, 'VendorName read over HTTP');
    return { c, session };
  } catch (error) {
    await c.close();
    throw error;
  }
}

export async function pairReadAndCloseOverHttp(edge: EdgeUnderTest): Promise<void> {
  const { c, session } = await pairOverHttp(edge);
  try {
    assert.ok((await edgeSessionIds(edge)).includes(session.peerSessionId), 'the edge lists the new session');
    await lib.closeSession(c.exchanges, session);
    assert.ok(!(await edgeSessionIds(edge)).includes(session.peerSessionId), 'the edge forgot the closed session');
  } finally {
    await c.close();
  }
}

export async function pairOverWebSocketUntilItCloses(edge: EdgeUnderTest): Promise<void> {
  const c = await client();
  try {
    const channel = await lib.WebSocketClientChannel.connect(`${edge.url.replace(/^http/, 'ws')}/realms/${edge.realm}/ws`, c.receive,
      (url) => new WebSocket(url) as unknown as lib.WebSocketLike);
    const session = await lib.establishPase(c.exchanges, channel, { passcode: PASSCODE });
    assert.equal(await readVendorName(c, session), edge.vendorName, 'VendorName read over WebSocket');
    assert.ok((await edgeSessionIds(edge)).includes(session.peerSessionId), 'the edge lists the WebSocket session');
    channel.close();
    const deadline = Date.now() + 5000;
    while ((await edgeSessionIds(edge)).includes(session.peerSessionId)) {
      assert.ok(Date.now() < deadline, 'the edge closed the session within 5 s of its socket closing');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await c.close();
  }
}

export async function rejectsBadInput(edge: EdgeUnderTest): Promise<void> {
  const post = (url: string, type: string, body: Uint8Array) =>
    fetch(url, { method: 'POST', headers: { 'content-type': type }, body: body as Uint8Array<ArrayBuffer> });
  const check = async (response: Response, status: number, error: string) => {
    assert.equal(response.status, status, `${error}: status`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${error}: content type`);
    const body = await response.json() as { error: string; detail: string };
    assert.equal(body.error, error);
    assert.ok(body.detail.length > 0, `${error}: a detail`);
  };
  await check(await post(messagesUrl(edge), 'text/plain', new Uint8Array([1])), 415, 'unsupported-media-type');
  await check(await post(messagesUrl(edge), 'application/octet-stream', new Uint8Array([0x70, 1, 2])), 400, 'malformed-message');
  await check(await post(`${edge.url}/realms/no-such-realm/messages`, 'application/octet-stream', new Uint8Array([0])), 404, 'unknown-realm');
}

export async function servesMetricsAndHealth(edge: EdgeUnderTest): Promise<void> {
  const metrics = await fetch(`${edge.url}${edge.metricsPath}`);
  assert.equal(metrics.status, 200);
  const text = await metrics.text();
  for (const series of [`matter_sessions_opened_total{realm="${edge.realm}"}`, `matter_messages_in_total{realm="${edge.realm}"}`,
    'matter_sessions_closed_total{']) {
    assert.ok(text.includes(series), `metrics include ${series}:\n${text}`);
  }
  assert.deepEqual(await (await fetch(`${edge.url}/healthz`)).json(), { status: 'ok' });
}
