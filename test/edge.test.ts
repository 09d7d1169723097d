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

  /** Pairs A, then B with A's local session id: the edge's replies to both carry the same session id in the clear. */
  async function twoClientsOneSessionId(url: string) {
    const a = await client(), b = await client();
    const aSession = await lib.establishPase(a.exchanges, new lib.HttpClientChannel(url, a.receive), { passcode: PASSCODE });
    // Session ids are handed out in sequence from a random start: use up B's to the one before A's.
    const before = aSession.id === 1 ? 0xfffe : aSession.id - 1;
    for (let id = b.sessions.getNextAvailableSessionId(); id !== before; id = b.sessions.getNextAvailableSessionId()) { /* skip */ }
    const bSession = await lib.establishPase(b.exchanges, new lib.HttpClientChannel(url, b.receive), { passcode: PASSCODE });
    assert.equal(bSession.id, aSession.id, 'both clients chose the same session id');
    assert.notEqual(bSession.peerSessionId, aSession.peerSessionId, 'the edge holds two sessions');
    return { a, b, aSession, bSession };
  }

  it('replies go to the request that caused them: a slow reply to A is not taken by B, who shares A\'s session id', async () => {
    // A protocol handler on the realm answers payload [1] after 150 ms and payload [0] at once, echoing it: A asks the
    // slow question first, B the quick one while A waits. Matched by session id, B's answer would go to A's request.
    const realmName = 'dyn-replies';
    (await server.edge.realm(realmName))!.exchanges.addProtocolHandler(0xfff1, async (exchange, first) => {
      if (first.payload[0] === 1) await new Promise((resolve) => setTimeout(resolve, 150));
      await exchange.send(2, first.payload, { protocolId: 0xfff1 });
      await exchange.close();
    });
    const { a, b, aSession, bSession } = await twoClientsOneSessionId(`${server.url}/realms/${realmName}/messages`);
    try {
      const ask = async (who: typeof a, session: lib.SecureSession, payload: number[]) => {
        const request = who.sessions.encode(session, { exchangeId: 7, protocolId: 0xfff1, opcode: 1, initiator: true, needsAck: false },
          new Uint8Array(payload));
        const response = await post(`/realms/${realmName}/messages`, request);
        assert.equal(response.status, 200);
        const reply = who.sessions.decode(new Uint8Array(await response.arrayBuffer())); // fails under the other session's key
        return [...reply.payload];
      };
      const slow = ask(a, aSession, [1, 0xaa]);
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.deepEqual(await ask(b, bSession, [0, 0xbb]), [0, 0xbb], 'B gets its own answer');
      assert.deepEqual(await slow, [1, 0xaa], 'A gets its own answer');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two clients with the same session id read concurrently while an attacker posts garbage and replays under A\'s session',
    async () => {
      const { a, b, aSession, bSession } = await twoClientsOneSessionId(`${server.url}/realms/home/messages`);
      try {
        let exchangeId = 100;
        const readFrom = async (who: typeof a, session: lib.SecureSession, attribute: number) => {
          const id = exchangeId++;
          const request = who.sessions.encode(session, { exchangeId: id, protocolId: lib.ProtocolId.interactionModel,
            opcode: lib.InteractionOpcode.readRequest, initiator: true, needsAck: false },
          lib.encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute }] }));
          const response = await post('/realms/home/messages', request);
          assert.equal(response.status, 200, 'a read is answered');
          const reply = who.sessions.decode(new Uint8Array(await response.arrayBuffer())); // throws on another session's key
          assert.equal(reply.session, session);
          assert.equal(reply.payloadHeader.exchangeId, id, 'the reply belongs to this request\'s exchange');
          const report = lib.decodeReportData(reply.payload).attributeReports[0]!;
          return { request, value: lib.tlvToPlainValue(report.data!) };
        };
        const firstOfA = await readFrom(a, aSession, 1);
        assert.equal(firstOfA.value, 'Edge Vendor');

        const garbage = (i: number) => {
          const bytes = crypto.getRandomValues(new Uint8Array(60));
          bytes.set([0, aSession.peerSessionId & 0xff, aSession.peerSessionId >> 8, 0, i]); // A's session on the edge
          return bytes;
        };
        const attacks: Array<Promise<{ status: number; type: string | null; error: string }>> = [];
        const reads: Array<Promise<unknown>> = [];
        for (let i = 0; i < 12; i++) {
          reads.push(readFrom(a, aSession, 1).then((r) => assert.equal(r.value, 'Edge Vendor', 'A reads VendorName')));
          reads.push(readFrom(b, bSession, 3).then((r) => assert.equal(r.value, 'matter-sessions edge', 'B reads ProductName')));
          for (const body of [garbage(i), firstOfA.request]) {
            attacks.push(post('/realms/home/messages', body).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'),
              error: (await r.json() as { error: string }).error })));
          }
        }
        await Promise.all(reads);
        for (const [i, outcome] of (await Promise.all(attacks)).entries()) {
          assert.deepEqual(outcome, i % 2 === 0
            ? { status: 403, type: 'application/json', error: 'authentication-failed' }
            : { status: 409, type: 'application/json', error: 'replay' }, 'the attacker gets its error and nothing else');
        }
        await lib.closeSession(a.exchanges, aSession);
        await lib.closeSession(b.exchanges, bSession);
      } finally {
        await a.close();
        await b.close();
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
