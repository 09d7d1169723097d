// The edge app on Node: pairing and reading over HTTP and WebSocket, sessions living and dying with their socket,
// every kind of bad input answered with a 4xx and no state change, realms, admin, metrics, and `npm start`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';

await lib.ready();
const PASSCODE = 20202021;
const ADMIN = 'secret-admin-token';

async function client() {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  return { sessions, exchanges, receive: (m: Uint8Array, c: lib.MessageChannel) => exchanges.receive(m, c),
    close: async () => { exchanges.close(); await sessions.close(); } };
}

describe('edge app on Node', () => {
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  const post = (path: string, body: Uint8Array | string, type = 'application/octet-stream') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: body as BodyInit });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edge-test-'));
    server = await lib.startNodeEdgeServer({
      realms: { home: { passcode: PASSCODE, basicInformation: { vendorName: 'Edge Vendor' } } },
      dynamicRealm: (name) => (name.startsWith('dyn-') ? { passcode: PASSCODE, basicInformation: { vendorName: `Dynamic ${name}` } } : undefined),
      adminToken: ADMIN, port: 0, dataDir,
    });
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('pairs by PASE over HTTP, reads VendorName, closes the session', async () => {
    const c = await client();
    try {
      const channel = new lib.HttpClientChannel(`${server.url}/realms/home/messages`, c.receive);
      const session = await lib.establishPase(c.exchanges, channel, { passcode: PASSCODE });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'Edge Vendor');
      await lib.closeSession(c.exchanges, session);
      const realm = (await server.edge.realm('home'))!;
      assert.equal(realm.sessions.getSession(session.peerSessionId), undefined, 'the edge forgot the closed session');
    } finally {
      await c.close();
    }
  });

  it('pairs over WebSocket; closing the socket closes the edge\'s session and keeps nothing else', async () => {
    const c = await client();
    try {
      const channel = await lib.WebSocketClientChannel.connect(`${server.url.replace('http', 'ws')}/realms/home/ws`, c.receive,
        (url) => new WebSocket(url) as unknown as lib.WebSocketLike);
      const session = await lib.establishPase(c.exchanges, channel, { passcode: PASSCODE });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'Edge Vendor');
      const realm = (await server.edge.realm('home'))!;
      const edgeSession = realm.sessions.getSession(session.peerSessionId)!;
      assert.equal(edgeSession.closed, false);
      channel.close();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(edgeSession.closed, true, 'the socket closed, so did its session');
      assert.equal(session.closed, true, 'and the client\'s');
    } finally {
      await c.close();
    }
  });

  it('bad input gets a 4xx with {error, detail} and changes nothing', async () => {
    const check = async (response: Response, status: number, error: string) => {
      assert.equal(response.status, status, `${error}: status`);
      const body = await response.json() as { error: string; detail: string };
      assert.equal(body.error, error);
      assert.ok(body.detail.length > 0);
    };
    await check(await post('/realms/home/messages', new Uint8Array([1]), 'text/plain'), 415, 'unsupported-media-type');
    await check(await post('/realms/home/messages', new Uint8Array(0)), 400, 'empty-body');
    await check(await post('/realms/home/messages', new Uint8Array(1281)), 413, 'too-large');
    await check(await post('/realms/home/messages', new Uint8Array([0x70, 1, 2])), 400, 'malformed-message');
    await check(await post('/realms/home/messages', new Uint8Array([0, 0x34, 0x12, 0, 1, 0, 0, 0, ...new Uint8Array(30)])), 404, 'unknown-session');
    await check(await post('/realms/nope/messages', new Uint8Array([0])), 404, 'unknown-realm');

    // A session, then a tampered message (403), a replay (409), and the genuine message still accepted.
    const c = await client();
    try {
      const channel = new lib.HttpClientChannel(`${server.url}/realms/home/messages`, c.receive);
      const session = await lib.establishPase(c.exchanges, channel, { passcode: PASSCODE });
      const message = c.sessions.encode(session, { exchangeId: 9, protocolId: 0xfff1, opcode: 1, initiator: true, needsAck: false }, new Uint8Array([1, 2]));
      const tampered = message.slice();
      tampered[tampered.length - 1]! ^= 1;
      await check(await post('/realms/home/messages', tampered), 403, 'authentication-failed');
      assert.equal((await post('/realms/home/messages', message)).status, 204, 'the genuine message: nothing was committed by the forgery');
      await check(await post('/realms/home/messages', message), 409, 'replay');
      await lib.closeSession(c.exchanges, session);
    } finally {
      await c.close();
    }
  });

  it('a client that sets the R flag over HTTP gets its ack piggy-backed on the reply, and no R back', async () => {
    const c = await client();
    try {
      const unsecured = c.sessions.createUnsecuredSession({ isInitiator: true });
      const request = c.sessions.encode(unsecured, { exchangeId: 0x4444, protocolId: lib.ProtocolId.secureChannel,
        opcode: lib.SecureChannelOpcode.pbkdfParamRequest, initiator: true, needsAck: true },
      lib.encodePbkdfParamRequest({ initiatorRandom: new Uint8Array(32).fill(3), initiatorSessionId: 99, passcodeId: 0, hasPbkdfParameters: false }));
      const response = await post('/realms/home/messages', request);
      assert.equal(response.status, 200);
      const reply = c.sessions.decode(new Uint8Array(await response.arrayBuffer()));
      assert.equal(reply.payloadHeader.opcode, lib.SecureChannelOpcode.pbkdfParamResponse);
      assert.equal(reply.payloadHeader.ackedMessageCounter, lib.decodeMessageHeader(request).header.messageCounter, 'piggy-backed ack');
      assert.equal(reply.payloadHeader.needsAck, false, 'HTTP is reliable: the edge asks for no ack and retransmits nothing');
    } finally {
      await c.close();
    }
  });

  it('realms: a dynamic realm is created on first use; others stay unknown', async () => {
    const c = await client();
    try {
      const channel = new lib.HttpClientChannel(`${server.url}/realms/dyn-7/messages`, c.receive);
      const session = await lib.establishPase(c.exchanges, channel, { passcode: PASSCODE });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'Dynamic dyn-7');
      await lib.closeSession(c.exchanges, session);
    } finally {
      await c.close();
    }
    assert.equal((await post('/realms/other/messages', new Uint8Array([0]))).status, 404);
  });

  it('admin: bearer token required; lists and closes sessions', async () => {
    const c = await client();
    try {
      const channel = new lib.HttpClientChannel(`${server.url}/realms/home/messages`, c.receive);
      const session = await lib.establishPase(c.exchanges, channel, { passcode: PASSCODE });
      assert.equal((await fetch(`${server.url}/realms/home/sessions`)).status, 401);
      assert.equal((await fetch(`${server.url}/realms/home/sessions`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      const auth = { authorization: `Bearer ${ADMIN}` };
      const list = await (await fetch(`${server.url}/realms/home/sessions`, { headers: auth })).json() as { sessions: Array<{ sessionId: number; kind: string }> };
      const entry = list.sessions.find((s) => s.sessionId === session.peerSessionId);
      assert.equal(entry?.kind, 'pase');
      assert.equal((await fetch(`${server.url}/realms/home/sessions/${session.peerSessionId}`, { method: 'DELETE', headers: auth })).status, 204);
      assert.equal((await fetch(`${server.url}/realms/home/sessions/${session.peerSessionId}`, { method: 'DELETE', headers: auth })).status, 404);
    } finally {
      await c.close();
    }
  });

  it('metrics and health', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of ['matter_sessions_open{realm="home"}', 'matter_sessions_opened_total{realm="home"}', 'matter_sessions_closed_total{',
      'matter_session_duration_seconds_bucket{', 'matter_messages_in_total{realm="home"}', 'matter_messages_out_total{realm="home"}',
      'matter_authentication_failures_total{realm="home"} 1', 'matter_replays_dropped_total{realm="home"} 1']) {
      assert.ok(text.includes(name), `metrics include ${name}`);
    }
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
  });
});

describe('npm start', () => {
  it('serves the edge and the web app on $PORT with the file store under ./data, printing realm, passcode and URLs', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'npm-start-'));
    const child = spawn(process.execPath, [join(process.cwd(), 'dist/edge/node-main.js')], { cwd, env: { ...process.env, PORT: '0' } });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15_000);
        child.stdout.on('data', (d) => { out += d; if (out.includes('try:')) { clearTimeout(timer); resolve(); } });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      assert.match(out, /realm:\s+home/);
      assert.match(out, /passcode:\s+20202021/);
      const url = /listening on (\S+)/.exec(out)![1]!;
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200, 'the web app is served at /');
      assert.match(await page.text(), /Pair a Matter device/);
      assert.equal((await fetch(`${url}/matter-sessions.wasm`)).headers.get('content-type'), 'application/wasm');
      const c = await client();
      try {
        const session = await lib.establishPase(c.exchanges, new lib.HttpClientChannel(`${url}/realms/home/messages`, c.receive), { passcode: PASSCODE });
        assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'matter-sessions edge');
      } finally {
        await c.close();
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
