// The bound on UDP peers at an edge realm (src/edge/udp-listener.ts): unsecured messages are accepted from any source
// address, so 3,000 PBKDFParamRequests from 3,000 source ports (spoofed sources, as far as the realm can tell) leave
// at most maxPeersWithoutSession peer channels behind, the idle-longest dropped first; a controller's CASE session
// (a peer with a secure session) survives the flood, and a new controller still commissions and reads over UDP.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';

await lib.ready();

const BOUND = 64;
const SOURCES = 3000;
const onOffPath = { endpoint: 1, cluster: 6, attribute: 0 };

/** The first message establishPase sends: a real PBKDFParamRequest, unsecured. */
async function capturePbkdfParamRequest(): Promise<Uint8Array> {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  let first: Uint8Array | undefined;
  let closed = false;
  const listeners: Array<(e?: unknown) => void> = [];
  const channel: lib.MessageChannel = {
    name: 'capture', reliable: true,
    get closed() { return closed; },
    send(datagram: Uint8Array) { first ??= datagram.slice(); },
    onClose(listener: (e?: unknown) => void) { listeners.push(listener); return () => {}; },
  } as unknown as lib.MessageChannel;
  await lib.establishPase(exchanges, channel, { passcode: 20202021, timeoutMs: 50 }).catch(() => undefined);
  closed = true;
  for (const l of listeners) l();
  exchanges.close();
  await sessions.close();
  assert.ok(first, 'establishPase sent a PBKDFParamRequest');
  return first;
}

describe('UDP peers at an edge realm are bounded', { timeout: 180_000 }, () => {
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  const passcode = 20202021 + Math.floor(Math.random() * 1000);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edge-udp-peers-'));
    server = await lib.startNodeEdgeServer({
      realms: { yard: { passcode, node: lib.defaultLightApp().node } }, port: 0, dataDir,
      udp: { realm: 'yard', host: '127.0.0.1', port: 0, maxPeersWithoutSession: BOUND },
    });
  });
  after(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a bound that is not a positive integer, naming it', async () => {
    const realm = (await server.edge.realm('yard'))!;
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      // A listener made in spite of the bad value is closed, so a failure here ends the test instead of hanging it.
      const outcome = await lib.listenRealmUdp(realm, { host: '127.0.0.1', port: 0, maxPeersWithoutSession: bad })
        .then(async (listener) => { await listener.close(); return 'listening'; }, (error: Error) => error.message);
      assert.match(outcome, /udp\.maxPeersWithoutSession: expected a positive integer/);
    }
  });

  it(`${SOURCES} PBKDFParamRequests from distinct sources leave at most ${BOUND} peers without a session; a controller\'s session survives`, async (t) => {
    const udp = server.udp!;
    const address: lib.NodeAddress = { transport: 'udp', host: '127.0.0.1', port: udp.address.port };
    const first = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: lib.udpControllerTransport() });
    const second = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: lib.udpControllerTransport() });
    try {
      await first.commission({ address, passcode, nodeId: 1n });
      const { session } = await first.connect(1n);
      assert.equal(lib.tlvToPlainValue(await first.read(1n, onOffPath)), false);
      const securedBefore = udp.peers - udp.peersWithoutSession;
      assert.ok(securedBefore >= 1, 'the controller\'s address carries its CASE session');

      const request = await capturePbkdfParamRequest();
      let most = 0;
      const batch = 250;
      for (let sent = 0; sent < SOURCES; sent += batch) {
        const sockets: Socket[] = [];
        try {
          await Promise.all(Array.from({ length: batch }, async () => {
            const socket = createSocket('udp4');
            sockets.push(socket);
            await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
            // Each source a different node: its own counter and source node id (header bytes 4-7 and 8-15).
            const datagram = request.slice();
            crypto.getRandomValues(datagram.subarray(4, 16));
            await new Promise<void>((resolve, reject) => socket.send(datagram, address.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
          }));
          // Let the realm take this batch in.
          await new Promise((r) => setTimeout(r, 100));
        } finally {
          for (const socket of sockets) socket.close();
        }
        most = Math.max(most, udp.peersWithoutSession);
        assert.ok(udp.peersWithoutSession <= BOUND, `after ${sent + batch} sources: ${udp.peersWithoutSession} peers without a session`);
      }
      t.diagnostic(`most peers without a session during the flood: ${most} (bound ${BOUND}); peers now ${udp.peers}`);
      assert.ok(most >= BOUND / 2, `the flood was taken in (most ${most})`);
      assert.ok(udp.peers <= BOUND + securedBefore + 1);
      // The controller's CASE session, on a peer with a secure session, was not dropped for the strangers.
      assert.equal(session.closed, false);
      await first.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(lib.tlvToPlainValue(await first.read(1n, onOffPath)), true);
      assert.equal((await first.connect(1n)).session, session, 'the same session all along');
      // A new controller still commissions the realm over UDP (a second fabric) and reads, once the PASE responder
      // has a slot to give: the flood's handshakes hold theirs while they send PBKDFParamResponse to the strangers
      // (the PASE responder's own bound, src/protocol/pase/handshake-slots.ts; it answers Busy meanwhile).
      const realm = (await server.edge.realm('yard'))!;
      const drained = Date.now();
      const slotFree = () => {
        const h = realm.pase.handshakes;
        return h.pending < h.capacity || h.awaitingPake1 + h.awaitingPake3 > 0;
      };
      while (!slotFree() && Date.now() - drained < 60_000) await new Promise((r) => setTimeout(r, 100));
      t.diagnostic(`a PASE slot was free ${Date.now() - drained} ms after the flood`);
      await second.commission({ address, passcode, nodeId: 2n });
      assert.equal(lib.tlvToPlainValue(await second.read(2n, onOffPath)), true);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
