// CASE at an edge realm over WebSocket (Matter Core spec §4.14.2.2 resumption): resumptions done back to back on
// the same realm each resume, because the responder stores the new resumption id before the initiator can name it;
// and the realm's /metrics count the CASE handshakes by outcome (full, resumed, failures by reason).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';

await lib.ready();

describe('CASE at an edge realm over WebSocket', { timeout: 120_000 }, () => {
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  let controller: lib.MatterController;
  let ws: lib.NodeAddress;
  const passcode = 20202021 + Math.floor(Math.random() * 1000);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edge-case-'));
    server = await lib.startNodeEdgeServer({ realms: {
      attic: { passcode, node: lib.defaultLightApp().node },
      // One CASE handshake at a time: the second is answered Busy.
      cellar: { passcode, node: { ...lib.defaultLightApp().node, maxCaseHandshakes: 1 } },
    }, port: 0, dataDir });
    ws = { transport: 'ws', host: `${server.url.replace('http', 'ws')}/realms/attic/ws`, port: 0 };
    controller = await lib.MatterController.open({
      storage: new lib.MemoryStore(),
      transport: lib.edgeControllerTransport({ webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }),
    });
    await controller.commission({ address: ws, passcode, nodeId: 1n });
  });
  after(async () => {
    await controller?.close();
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('10 resumptions back to back, each started as soon as the previous one ends, all resume', async () => {
    const channel = await controller.transport.channelFor(ws);
    const realm = (await server.edge.realm('attic'))!;
    const opened: boolean[] = [];
    realm.sessions.events.on('sessionOpened', (s) => { if (s.kind === 'case') opened.push(s.isResumption); });
    const resumed: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await lib.establishCase(controller.exchanges, channel, {
        fabric: controller.fabric.caseFabric(), peerNodeId: 1n, timeoutMs: 10_000,
      });
      resumed.push(result.resumed);
    }
    assert.deepEqual(resumed, Array(10).fill(true), 'the initiator saw Sigma2_Resume every time');
    assert.deepEqual(opened, Array(10).fill(true), 'the realm opened 10 resumed sessions');
  });

  const metrics = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (name: string, labels: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    return { text, value };
  };

  it('/metrics counts CASE sessions per realm by outcome: the commissioning\'s full handshake, then the 10 resumed', async () => {
    await server.edge.realm('cellar'); // realms start on first use
    const { text, value } = await metrics();
    assert.match(text, /# TYPE matter_case_handshakes_total counter/);
    assert.match(text, /# TYPE matter_case_handshake_failures_total counter/);
    assert.equal(value('matter_case_handshakes_total', 'realm="attic",outcome="full"'), 1, 'CASE once at commissioning');
    assert.equal(value('matter_case_handshakes_total', 'realm="attic",outcome="resumed"'), 10);
    assert.equal(value('matter_case_handshakes_total', 'realm="cellar",outcome="full"'), 0, 'shown at 0 before any session');
    assert.equal(value('matter_case_handshakes_total', 'realm="cellar",outcome="resumed"'), 0);
  });

  it('/metrics counts failures by reason: a stranger\'s fabric (no-shared-trust-roots), a malformed Sigma1 (protocol), Busy', async () => {
    // A controller of another fabric: its destination id matches none of the realm's fabrics.
    const stranger = await lib.MatterController.open({
      storage: new lib.MemoryStore(),
      transport: lib.edgeControllerTransport({ webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }),
    });
    const cellar: lib.NodeAddress = { transport: 'ws', host: ws.host.replace('/attic/', '/cellar/'), port: 0 };
    const client = await lib.SessionManager.create({});
    const exchanges = new lib.ExchangeManager(client);
    try {
      const channel = await stranger.transport.channelFor(ws);
      await assert.rejects(lib.establishCase(stranger.exchanges, channel, { fabric: stranger.fabric.caseFabric(), peerNodeId: 1n, timeoutMs: 5000 }),
        (e: lib.CaseError) => e.failure === 'no-shared-trust-roots');
      // Sigma1 that is not TLV: the responder refuses it (InvalidParam) and counts a protocol failure.
      const sigma1 = (payload: Uint8Array, socket: lib.MessageChannel) => {
        const exchange = exchanges.initiate(client.createUnsecuredSession({ isInitiator: true, channel: socket }));
        return exchange.send(lib.SecureChannelOpcode.sigma1, payload).then(() => exchange);
      };
      const raw = await lib.WebSocketClientChannel.connect(cellar.host, (m, c) => exchanges.receive(m, c),
        (url) => new WebSocket(url) as unknown as lib.WebSocketLike);
      const bad = await sigma1(new Uint8Array([0x15, 0x30, 0x01]), raw);
      await bad.next(5000).catch(() => undefined);
      // The cellar realm serves one handshake at a time: a full handshake left waiting for its Sigma3 holds it.
      await controller.commission({ address: cellar, passcode, nodeId: 2n });
      const fabric = controller.fabric.caseFabric();
      const initiatorRandom = crypto.getRandomValues(new Uint8Array(32));
      const held = await sigma1(lib.encodeSigma1({
        initiatorRandom, initiatorSessionId: 0x4321,
        destinationId: lib.caseDestinationId({ operationalIpk: fabric.operationalIpk, initiatorRandom,
          rootPublicKey: fabric.rootPublicKey, fabricId: fabric.fabricId, nodeId: 2n }),
        initiatorEphPubKey: lib.generateP256KeyPair().publicKey,
      }), raw);
      const sigma2 = await held.next(5000);
      assert.equal(sigma2.opcode, lib.SecureChannelOpcode.sigma2, 'the held handshake got its Sigma2');
      const cellarChannel = await controller.transport.channelFor(cellar);
      await assert.rejects(lib.establishCase(controller.exchanges, cellarChannel, { fabric, peerNodeId: 2n, timeoutMs: 5000 }),
        (e: lib.CaseError) => e.failure === 'busy');
      raw.close();
    } finally {
      await stranger.close();
      exchanges.close();
      await client.close();
    }
    const { value } = await metrics();
    assert.equal(value('matter_case_handshake_failures_total', 'realm="attic",failure="no-shared-trust-roots"'), 1);
    assert.equal(value('matter_case_handshake_failures_total', 'realm="cellar",failure="protocol"'), 1);
    assert.equal(value('matter_case_handshake_failures_total', 'realm="cellar",failure="busy"'), 1);
    assert.equal(value('matter_case_handshake_failures_total', 'realm="attic",failure="busy"'), undefined, 'per realm');
    assert.equal(value('matter_case_handshakes_total', 'realm="cellar",outcome="full"'), 1, 'the commissioning\'s CASE');
  });
});
