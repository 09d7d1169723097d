// CASE between our initiator and our responder, in memory and over UDP: full handshakes, resumption (and its
// silent fall-back), wrong fabric, bad signatures, a NOC for the wrong node, busy responders, stalled peers, and
// the session table's limits applying to CASE sessions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { testFabric, type TestFabric } from './support/case-fabrics.js';
import { memoryLink } from './support/memory-link.js';

await lib.ready();
const CONTROLLER = 0x1111n, DEVICE = 0x2222n;

interface Setup {
  fabric?: TestFabric;
  controllerFabric?: lib.CaseFabric;
  deviceFabrics?: lib.CaseFabric[];
  responder?: Partial<lib.CaseResponderOptions>;
  limits?: lib.SessionLimits;
  sessionState?: lib.SessionStateStore;
  deviceStorage?: lib.KeyValueStore;
  controllerStorage?: lib.KeyValueStore;
  reliable?: boolean;
}

async function setup(options: Setup = {}) {
  const fabric = options.fabric ?? testFabric(0xfab1n);
  const controllerFabric = options.controllerFabric ?? fabric.node(CONTROLLER, 1, { cats: [0x00010001] });
  const deviceFabrics = options.deviceFabrics ?? [fabric.node(DEVICE, 1)];
  const link = memoryLink(options.reliable ?? false);
  const controller = await lib.SessionManager.create({
    fabrics: { initial: [fabric.sessionFabric(CONTROLLER, controllerFabric.fabricIndex)] }, storage: options.controllerStorage,
  });
  const device = await lib.SessionManager.create({
    fabrics: { initial: deviceFabrics.map((f) => ({ fabricIndex: f.fabricIndex, fabricId: f.fabricId, nodeId: f.nodeId, compressedFabricId: new Uint8Array(8) })) },
    limits: options.limits, sessionState: options.sessionState, storage: options.deviceStorage,
  });
  const ce = new lib.ExchangeManager(controller), de = new lib.ExchangeManager(device);
  link.a.receiver = (d, c) => ce.receive(d, c);
  link.b.receiver = (d, c) => de.receive(d, c);
  const opened: Array<{ session: lib.SecureSession; resumed: boolean }> = [];
  const failures: lib.CaseError[] = [];
  const responder = new lib.CaseResponder(de, {
    fabrics: new lib.CaseFabrics(deviceFabrics),
    onSession: (session, { resumed }) => opened.push({ session, resumed }), onFailure: (e) => failures.push(e),
    ...options.responder,
  });
  const connect = (extra: Partial<lib.CaseInitiatorOptions> = {}) => lib.establishCase(ce, link.a, {
    fabric: controllerFabric, peerNodeId: DEVICE, ...extra,
  });
  return {
    fabric, controllerFabric, link, controller, device, ce, de, responder, opened, failures, connect,
    close: async () => { ce.close(); de.close(); await controller.close(); await device.close(); },
  };
}

type Setup_ = Awaited<ReturnType<typeof setup>>;
const settle = (ms = 20) => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` until it holds (or fails after `ms`): timing-independent waits for a loaded machine. */
async function until(condition: () => boolean, what: string, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await settle(5);
  }
}

/** The responder has finished every handshake (its callbacks included). */
// With datagrams dropped on purpose the responder's last StatusReport may wait for MRP's backed-off retransmissions
// (seconds on a loaded machine), so the wait is generous: what is asserted is that it ends, not how fast.
const idle = (p: { responder: lib.CaseResponder }) => until(() => p.responder.handshakesInProgress === 0, 'the responder is idle', 30_000);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Both sides hold the session and can talk: an encrypted message each way. */
function assertTalk(p: { controller: lib.SessionManager; device: lib.SessionManager }, session: lib.SecureSession) {
  const deviceSession = p.device.getSession(session.peerSessionId)!;
  assert.ok(deviceSession, 'the device holds the peer session');
  assert.equal(deviceSession.peerSessionId, session.id);
  const header = { exchangeId: 1, protocolId: 0xfff1, opcode: 1, initiator: true, needsAck: false };
  assert.deepEqual(p.device.decode(p.controller.encode(session, header, new Uint8Array([1]))).payload, new Uint8Array([1]));
  assert.deepEqual(p.controller.decode(p.device.encode(deviceSession, { ...header, initiator: false }, new Uint8Array([2]))).payload, new Uint8Array([2]));
  return deviceSession;
}

function assertFailure(failure: lib.CaseFailure) {
  return (e: unknown) => {
    assert.ok(e instanceof lib.CaseError, `expected a CaseError, got ${String(e)}`);
    assert.equal(e.failure, failure, e.message);
    return true;
  };
}

function records(p: Setup_) {
  const c = p.controller.findResumptionRecordByNode(1, DEVICE);
  const d = p.device.findResumptionRecordByNode(1, CONTROLLER);
  return { c, d };
}

describe('CASE in memory', () => {
  it('full handshake: both sessions carry fabric, peer node ids and the initiator NOC\'s CATs; both store the same record', async () => {
    const p = await setup();
    try {
      const { session, resumed } = await p.connect();
      assert.equal(resumed, false);
      assert.equal(session.kind, 'case');
      assert.equal(session.fabricIndex, 1);
      assert.equal(session.peerNodeId, DEVICE);
      assert.equal(session.isResumption, false);
      await idle(p);
      const deviceSession = assertTalk(p, session);
      assert.equal(deviceSession.peerNodeId, CONTROLLER);
      assert.equal(deviceSession.fabricIndex, 1);
      assert.deepEqual([...deviceSession.caseAuthenticatedTags], [0x00010001]);
      assert.equal(p.opened.length, 1);
      assert.equal(p.opened[0]!.resumed, false);
      const { c, d } = records(p);
      assert.ok(c && d, 'both sides stored a resumption record');
      assert.equal(hex(c.resumptionId), hex(d.resumptionId));
      assert.equal(hex(c.sharedSecret), hex(d.sharedSecret));
      assert.deepEqual(d.caseAuthenticatedTags, [0x00010001]);
      assert.equal(p.controller.getUnsecuredSession(0n), undefined);
      assert.equal(p.responder.handshakesInProgress, 0);
    } finally {
      await p.close();
    }
  });

  it('resumes from the record: Sigma2_Resume, new sessions, the new resumption id replaces the old on both sides (twice)', async () => {
    const p = await setup();
    try {
      const first = await p.connect();
      await idle(p);
      let previousId = hex(records(p).c!.resumptionId);
      for (let round = 0; round < 2; round++) {
        const next = await p.connect();
        assert.equal(next.resumed, true, `round ${round} resumed`);
        assert.equal(next.session.isResumption, true);
        assert.notEqual(next.session.id, first.session.id);
        await idle(p);
        const deviceSession = assertTalk(p, next.session);
        assert.equal(deviceSession.isResumption, true);
        assert.deepEqual([...deviceSession.caseAuthenticatedTags], [0x00010001], 'CATs come back from the record');
        const { c, d } = records(p);
        assert.equal(hex(c!.resumptionId), hex(d!.resumptionId));
        assert.notEqual(hex(c!.resumptionId), previousId, 'a new id after each resumption');
        assert.equal(p.device.findResumptionRecordById(Buffer.from(previousId, 'hex')), undefined, 'the old id resumes nothing');
        previousId = hex(c!.resumptionId);
      }
      assert.deepEqual(p.opened.map((o) => o.resumed), [false, true, true]);
    } finally {
      await p.close();
    }
  });

  it('full and resumed with every third datagram dropped on purpose (MRP retransmits Sigma messages)', async () => {
    const p = await setup();
    p.link.a.drop = (_d, i) => i % 3 === 1;
    p.link.b.drop = (_d, i) => i % 3 === 2;
    try {
      const full = await p.connect();
      await idle(p);
      assertTalk(p, full.session);
      const resumed = await p.connect();
      assert.equal(resumed.resumed, true);
      await idle(p);
      assertTalk(p, resumed.session);
      assert.ok(p.link.a.sent > 6 && p.link.b.sent > 4, `retransmissions happened (${p.link.a.sent}/${p.link.b.sent} sent)`);
      assert.deepEqual(p.failures, []);
    } finally {
      await p.close();
    }
  });

  it('resumption refused: the responder lost its record, or the MIC is wrong: silent fall-back to a full handshake', async () => {
    const p = await setup();
    try {
      await p.connect();
      await idle(p);
      await p.device.removeResumptionRecord(1, CONTROLLER);
      const fallback = await p.connect();
      assert.equal(fallback.resumed, false);
      await idle(p);
      assertTalk(p, fallback.session);
      assert.equal(hex(records(p).c!.resumptionId), hex(records(p).d!.resumptionId), 'a fresh record on both sides');
      // A record whose secret no longer matches: the responder finds the id but the MIC fails.
      const c = records(p).c!;
      await p.controller.saveResumptionRecord({ ...c, sharedSecret: new Uint8Array(32).fill(7) });
      const second = await p.connect();
      assert.equal(second.resumed, false);
      assert.deepEqual(p.failures, [], 'no failure on the responder: it fell back silently');
    } finally {
      await p.close();
    }
  });

  it('a record whose fabric the responder no longer serves: silent fall-back, then NoSharedTrustRoots', async () => {
    const fabric = testFabric(0xfab1n);
    const deviceFabric = fabric.node(DEVICE, 1);
    const source = new lib.CaseFabrics([deviceFabric]);
    const p = await setup({ fabric, deviceFabrics: [deviceFabric], responder: { fabrics: source } });
    try {
      await p.connect();
      await idle(p);
      source.delete(1);
      await assert.rejects(p.connect(), assertFailure('no-shared-trust-roots'));
      source.set(deviceFabric);
      assert.equal((await p.connect()).resumed, true, 'back again, the record resumes');
    } finally {
      await p.close();
    }
  });

  it('the responder cannot make the session (its shared state refuses it): the initiator hears InvalidParam at once', async () => {
    const sessionState = { save: async () => { throw new Error('disk full'); }, load: async () => undefined, remove: async () => {} };
    const p = await setup({ sessionState });
    try {
      await assert.rejects(p.connect({ timeoutMs: 5000 }), assertFailure('invalid-param'));
      await idle(p);
      assert.match(p.failures[0]!.message, /disk full/);
      assert.equal(p.device.sessionCount, 0);
      assert.equal(p.device.resumptionRecordCount, 0);
    } finally {
      await p.close();
    }
  });

  it('a resumption record that cannot be stored fails the handshake cleanly on either side', async () => {
    class FailingRecords extends lib.MemoryStore {
      override async set(key: string, value: Uint8Array): Promise<void> {
        if (key.startsWith('resumption/')) throw new Error('store is read-only');
        return super.set(key, value);
      }
    }
    const p = await setup({ deviceStorage: new FailingRecords() });
    try {
      await assert.rejects(p.connect(), assertFailure('invalid-param'));
      await idle(p);
      assert.match(p.failures[0]!.message, /read-only/);
      assert.equal(p.device.sessionCount, 0);
      assert.equal(p.controller.sessionCount, 0);
    } finally {
      await p.close();
    }
    const q = await setup({ controllerStorage: new FailingRecords() });
    try {
      await assert.rejects(q.connect(), (e: unknown) => e instanceof lib.CaseError && /read-only/.test(e.message));
      assert.equal(q.controller.sessionCount, 0, 'the initiator keeps no session it could not record');
    } finally {
      await q.close();
    }
  });

  it('resume: false skips the record', async () => {
    const p = await setup();
    try {
      await p.connect();
      await idle(p);
      assert.equal((await p.connect({ resume: false })).resumed, false);
    } finally {
      await p.close();
    }
  });

  it('a device on another fabric: NoSharedTrustRoots, no session, the id released', async () => {
    const other = testFabric(0xfab2n);
    const p = await setup({ deviceFabrics: [other.node(DEVICE, 1)] });
    try {
      await assert.rejects(p.connect(), assertFailure('no-shared-trust-roots'));
      await idle(p);
      assert.equal(p.controller.sessionCount, 0);
      assert.equal(p.device.sessionCount, 0);
      assert.equal(p.failures[0]?.failure, 'no-shared-trust-roots');
    } finally {
      await p.close();
    }
  });

  it('the responder finds the fabric among several, and by a second IPK of key set 0', async () => {
    const fabric = testFabric(0xfab1n);
    const other = testFabric(0xfab2n);
    const oldIpk = new Uint8Array(16).fill(9);
    const mine = { ...fabric.node(DEVICE, 2), operationalIpk: oldIpk, otherOperationalIpks: [fabric.ipk] };
    const p = await setup({ fabric, deviceFabrics: [other.node(DEVICE, 1), mine] });
    try {
      const { session } = await p.connect();
      await idle(p);
      const deviceSession = assertTalk(p, session);
      assert.equal(deviceSession.fabricIndex, 2);
    } finally {
      await p.close();
    }
  });

  it('a responder whose key does not match its NOC: bad-signature at the initiator, which tells the responder', async () => {
    const fabric = testFabric(0xfab1n);
    const device = { ...fabric.node(DEVICE, 1), operationalPrivateKey: lib.generateP256KeyPair().privateKey };
    const p = await setup({ fabric, deviceFabrics: [device] });
    try {
      await assert.rejects(p.connect(), assertFailure('bad-signature'));
      await idle(p);
      assert.equal(p.controller.sessionCount, 0);
      assert.equal(p.device.sessionCount, 0);
      assert.equal(p.failures[0]?.failure, 'invalid-param', 'the responder heard InvalidParam');
    } finally {
      await p.close();
    }
  });

  it('an initiator whose key does not match its NOC: the responder refuses Sigma3 (invalid-param), no sessions', async () => {
    const fabric = testFabric(0xfab1n);
    const controllerFabric = { ...fabric.node(CONTROLLER, 1), operationalPrivateKey: lib.generateP256KeyPair().privateKey };
    const p = await setup({ fabric, controllerFabric });
    try {
      await assert.rejects(p.connect(), assertFailure('invalid-param'));
      await idle(p);
      assert.equal(p.device.sessionCount, 0);
      assert.equal(p.failures[0]?.failure, 'bad-signature');
      assert.equal(p.device.resumptionRecordCount, 0);
    } finally {
      await p.close();
    }
  });

  it('a NOC signed by another root: untrusted-chain on either side', async () => {
    const fabric = testFabric(0xfab1n);
    const stranger = lib.FabricAuthority.create();
    const forged = fabric.issue(DEVICE, { authority: stranger });
    const device = { ...fabric.node(DEVICE, 1), noc: forged.noc, operationalPrivateKey: forged.privateKey };
    const p = await setup({ fabric, deviceFabrics: [device] });
    try {
      await assert.rejects(p.connect(), assertFailure('untrusted-chain'));
    } finally {
      await p.close();
    }
    const forgedInitiator = fabric.issue(CONTROLLER, { authority: stranger });
    const q = await setup({ fabric, controllerFabric: { ...fabric.node(CONTROLLER, 1), noc: forgedInitiator.noc, operationalPrivateKey: forgedInitiator.privateKey } });
    try {
      await assert.rejects(q.connect(), assertFailure('invalid-param'));
      await idle(q);
      assert.equal(q.failures[0]?.failure, 'untrusted-chain');
    } finally {
      await q.close();
    }
  });

  it('chains through an ICAC on both sides: full and resumed', async () => {
    const fabric = testFabric(0xfab3n, { intermediate: true });
    const p = await setup({ fabric });
    try {
      assert.ok(p.controllerFabric.icac && p.controllerFabric.icac.length > 0);
      const full = await p.connect();
      assert.equal(full.resumed, false);
      await idle(p);
      assert.deepEqual([...assertTalk(p, full.session).caseAuthenticatedTags], [0x00010001]);
      const resumed = await p.connect();
      assert.equal(resumed.resumed, true);
      await idle(p);
      assertTalk(p, resumed.session);
    } finally {
      await p.close();
    }
  });

  it('an expired NOC is refused by the default verifier (validity checked against the clock)', async () => {
    const fabric = testFabric(0xfab1n);
    const twentyYearsAgo = Date.now() - 20 * 365 * 24 * 3600 * 1000;
    const old = fabric.issue(DEVICE, { now: twentyYearsAgo });
    const p = await setup({ fabric, deviceFabrics: [{ ...fabric.node(DEVICE, 1), noc: old.noc, operationalPrivateKey: old.privateKey }] });
    try {
      await assert.rejects(p.connect(), (e: unknown) => e instanceof lib.CaseError && e.failure === 'untrusted-chain' && /expired/.test(e.message));
      // With a clock that says the NOC is still valid, the chain is accepted: the clock is what refused it.
      const lenient: lib.OperationalChainVerifier = (chain) => lib.validateOperationalChain(chain);
      assert.equal((await p.connect({ verifyChain: lenient })).resumed, false);
    } finally {
      await p.close();
    }
  });

  it('a NOC for another fabric id under the same root: untrusted-chain', async () => {
    const fabric = testFabric(0xfab1n);
    const wrong = fabric.issue(DEVICE, { fabricId: 0xfab9n });
    const p = await setup({ fabric, deviceFabrics: [{ ...fabric.node(DEVICE, 1), noc: wrong.noc, operationalPrivateKey: wrong.privateKey }] });
    try {
      await assert.rejects(p.connect(), (e: unknown) => e instanceof lib.CaseError && e.failure === 'untrusted-chain' && /fabric 0xfab9/.test(e.message));
    } finally {
      await p.close();
    }
  });

  it('the responder answers with a valid NOC for another node id: wrong-peer', async () => {
    const fabric = testFabric(0xfab1n);
    // The device answers to DEVICE's destination id but holds a NOC for node 0x3333.
    const impostor = fabric.issue(0x3333n);
    const device = { ...fabric.node(DEVICE, 1), noc: impostor.noc, operationalPrivateKey: impostor.privateKey };
    const p = await setup({ fabric, deviceFabrics: [device] });
    try {
      await assert.rejects(p.connect(), (e: unknown) => e instanceof lib.CaseError && e.failure === 'wrong-peer' && /0x3333/.test(e.message));
      assert.equal(p.controller.sessionCount, 0);
    } finally {
      await p.close();
    }
  });

  it('busy beyond the concurrency limit, with the minimum wait; the slot frees when the stalled handshake times out', async () => {
    const p = await setup({ responder: { maxConcurrentHandshakes: 1, busyWaitMs: 1234, handshakeTimeoutMs: 300 } });
    // A second initiator on its own link whose answers never arrive: it holds the only slot.
    const stalledLink = memoryLink(false);
    const stalledManager = await lib.SessionManager.create({ fabrics: { initial: [p.fabric.sessionFabric(CONTROLLER)] } });
    const stalledExchanges = new lib.ExchangeManager(stalledManager);
    stalledLink.a.receiver = (d, c) => stalledExchanges.receive(d, c);
    stalledLink.b.receiver = (d, c) => p.de.receive(d, c);
    stalledLink.b.drop = () => true;
    try {
      const stalled = lib.establishCase(stalledExchanges, stalledLink.a, {
        fabric: p.controllerFabric, peerNodeId: DEVICE, timeoutMs: 2000,
      }).catch((e: unknown) => e);
      await until(() => p.responder.handshakesInProgress === 1, 'the stalled handshake holds the slot');
      await assert.rejects(p.connect(), (e: unknown) => e instanceof lib.CaseError && e.failure === 'busy' && e.minimumWaitMs === 1234);
      await idle(p); // the stalled handshake is dropped after its 300 ms
      assert.ok(p.failures.some((f) => f.failure === 'timeout'));
      assert.equal((await p.connect()).resumed, false);
      stalledLink.a.close();
      assert.ok(await stalled instanceof lib.CaseError);
    } finally {
      stalledExchanges.close();
      await stalledManager.close();
      await p.close();
    }
  });

  it('several handshakes at once up to the limit', async () => {
    const fabric = testFabric(0xfab1n);
    const p = await setup({ fabric, responder: { maxConcurrentHandshakes: 3 } });
    const peers = await Promise.all([0x41n, 0x42n, 0x43n].map(async (nodeId) => {
      const link = memoryLink(false);
      const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(nodeId)] } });
      const exchanges = new lib.ExchangeManager(manager);
      link.a.receiver = (d, c) => exchanges.receive(d, c);
      link.b.receiver = (d, c) => p.de.receive(d, c);
      return { link, manager, exchanges, fabric: fabric.node(nodeId, 1) };
    }));
    try {
      const results = await Promise.all(peers.map((peer) => lib.establishCase(peer.exchanges, peer.link.a, {
        fabric: peer.fabric, peerNodeId: DEVICE,
      })));
      assert.equal(results.length, 3);
      await idle(p);
      assert.deepEqual(p.opened.map((o) => o.session.peerNodeId).sort(), [0x41n, 0x42n, 0x43n]);
    } finally {
      for (const peer of peers) { peer.exchanges.close(); await peer.manager.close(); }
      await p.close();
    }
  });

  it('eight initiators against a limit of two: the busy ones retry after the minimum wait, all get sessions, the table limit holds', async () => {
    const fabric = testFabric(0xfab1n);
    const p = await setup({ fabric, responder: { maxConcurrentHandshakes: 2, busyWaitMs: 20 } });
    const nodes = [0x51n, 0x52n, 0x53n, 0x54n, 0x55n, 0x56n, 0x57n, 0x58n];
    const peers = await Promise.all(nodes.map(async (nodeId) => {
      const link = memoryLink(false);
      const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(nodeId)] } });
      const exchanges = new lib.ExchangeManager(manager);
      link.a.receiver = (d, c) => exchanges.receive(d, c);
      link.b.receiver = (d, c) => p.de.receive(d, c);
      return { link, manager, exchanges, fabric: fabric.node(nodeId, 1) };
    }));
    let busyAnswers = 0;
    try {
      await Promise.all(peers.map(async (peer) => {
        for (;;) {
          try {
            return await lib.establishCase(peer.exchanges, peer.link.a, { fabric: peer.fabric, peerNodeId: DEVICE });
          } catch (e) {
            if (!(e instanceof lib.CaseError) || e.failure !== 'busy') throw e;
            busyAnswers++;
            await new Promise((r) => setTimeout(r, e.minimumWaitMs));
          }
        }
      }));
      await idle(p);
      assert.ok(busyAnswers > 0, 'some initiators were told to wait');
      assert.deepEqual(p.opened.map((o) => o.session.peerNodeId).sort(), [...nodes].sort());
      assert.equal(p.responder.handshakesInProgress, 0);
      // Eight CASE sessions opened; the table keeps its default of 3 per fabric + 2, evicting the oldest.
      assert.equal(p.device.sessionCount, 5);
      for (const peer of peers) assert.equal(peer.manager.sessionCount, 1);
    } finally {
      for (const peer of peers) { peer.exchanges.close(); await peer.manager.close(); }
      await p.close();
    }
  });

  it('an initiator facing silence: timeout, its id released, nothing kept', async () => {
    // Over a reliable link no MRP runs, so the wait for Sigma2 is what times out.
    const p = await setup({ reliable: true });
    p.link.a.drop = () => true;
    try {
      await assert.rejects(p.connect({ timeoutMs: 200 }), assertFailure('timeout'));
      assert.equal(p.controller.sessionCount, 0);
    } finally {
      await p.close();
    }
  });

  it('a malformed Sigma1 gets InvalidParam; a responder without a PASE handler closes other exchanges', async () => {
    const p = await setup();
    try {
      const unsecured = p.controller.createUnsecuredSession({ isInitiator: true, channel: p.link.a });
      const exchange = p.ce.initiate(unsecured);
      await exchange.send(lib.SecureChannelOpcode.sigma1, new Uint8Array([0x15, 0x18]));
      const reply = await exchange.next(1000);
      const report = lib.decodeStatusReport(reply.payload);
      assert.equal(report.protocolCode, lib.SecureChannelStatusCode.invalidParameter);
      await exchange.close();
      // Only one of the two resumption fields (matter.js PR #3858, spec §4.14.2.3.4 step 1): InvalidParam too.
      const onlyId = lib.encodeTlv(lib.tlv.struct([
        lib.tlv.bytes(new Uint8Array(32), 1), lib.tlv.uint(7, 2), lib.tlv.bytes(new Uint8Array(32), 3),
        lib.tlv.bytes(lib.generateP256KeyPair().publicKey, 4), lib.tlv.bytes(new Uint8Array(16), 6),
      ]));
      const second = p.ce.initiate(unsecured);
      await second.send(lib.SecureChannelOpcode.sigma1, onlyId);
      assert.equal(lib.decodeStatusReport((await second.next(1000)).payload).protocolCode, lib.SecureChannelStatusCode.invalidParameter);
      await second.close();
      await idle(p);
      assert.equal(p.failures[0]?.failure, 'protocol');
      assert.match(p.failures[0]!.message, /Sigma1\.initiatorRandom/);
      assert.match(p.failures[1]!.message, /Sigma1\.initiatorResumeMIC/);
      assert.equal(p.device.sessionCount, 0);
    } finally {
      await p.close();
    }
  });

  it('PASE and CASE share the secure-channel protocol: each responder gets its own opcodes', async () => {
    const p = await setup();
    try {
      // A PaseResponder made before the CaseResponder: rebuild the device side in that order.
      const device = await lib.SessionManager.create({ fabrics: { initial: [{ fabricIndex: 1, fabricId: p.fabric.fabricId, nodeId: DEVICE, compressedFabricId: new Uint8Array(8) }] } });
      const de = new lib.ExchangeManager(device);
      new lib.PaseResponder(de, { passcode: 20202021 });
      new lib.CaseResponder(de, { fabrics: new lib.CaseFabrics([p.fabric.node(DEVICE, 1)]) });
      p.link.b.receiver = (d, c) => de.receive(d, c);
      const pase = await lib.establishPase(p.ce, p.link.a, { passcode: 20202021 });
      assert.equal(pase.kind, 'pase');
      const { session } = await p.connect();
      assert.equal(session.kind, 'case');
      de.close();
      await device.close();
    } finally {
      await p.close();
    }
  });

  it('CASE sessions count against the per-peer limit like every secure session', async () => {
    const p = await setup({ limits: { maxSessionsPerPeer: 2 } });
    try {
      for (let i = 0; i < 4; i++) await p.connect();
      await idle(p);
      const fromController = p.device.getActiveSessionInformation().filter((s) => s.peerNodeId === CONTROLLER);
      assert.equal(fromController.length, 2);
    } finally {
      await p.close();
    }
  });

  it('bad arguments are typed errors naming the field, before anything is sent', async () => {
    const p = await setup();
    try {
      await assert.rejects(p.connect({ peerNodeId: 5 as unknown as bigint }), /peerNodeId: expected a bigint/);
      await assert.rejects(p.connect({ fabric: { ...p.controllerFabric, operationalIpk: new Uint8Array(15) } }), /fabric\.operationalIpk: expected 16 bytes, got 15/);
      await assert.rejects(p.connect({ fabric: { ...p.controllerFabric, fabricIndex: 9 } }), /fabric\.fabricIndex: the SessionManager has no fabric 9/);
      assert.equal(p.link.a.sent, 0);
      assert.throws(() => new lib.CaseResponder(p.de, { fabrics: {} as lib.CaseFabricSource }), /options\.fabrics/);
      const f = p.controllerFabric;
      const creds = { fabricIndex: 1, rcac: f.rcac, icac: f.icac, noc: f.noc, ipkEpochKey: p.fabric.epochKey };
      assert.throws(() => lib.createCaseFabric({ ...creds, operationalPrivateKey: lib.generateP256KeyPair().privateKey }),
        /operationalPrivateKey: it is not the key of the NOC/);
      assert.throws(() => lib.createCaseFabric({ ...creds, operationalPrivateKey: f.operationalPrivateKey, operationalIpk: f.operationalIpk }),
        /exactly one of ipkEpochKey and operationalIpk/);
      assert.throws(() => lib.createCaseFabric({ ...creds, noc: p.fabric.issue(5n, { authority: lib.FabricAuthority.create() }).noc, operationalPrivateKey: f.operationalPrivateKey }),
        lib.CertificateError);
      const made = lib.createCaseFabric({ ...creds, operationalPrivateKey: f.operationalPrivateKey });
      assert.equal(made.nodeId, CONTROLLER);
      assert.equal(Buffer.from(made.operationalIpk).toString('hex'), Buffer.from(p.fabric.ipk).toString('hex'));
      assert.deepEqual(lib.sessionFabricOf(made), p.fabric.sessionFabric(CONTROLLER));
      assert.throws(() => new lib.CaseResponder(p.de, { fabrics: new lib.CaseFabrics(), busyWaitMs: 70000 }), /options\.busyWaitMs/);
    } finally {
      await p.close();
    }
  });
});

describe('CASE over UDP', () => {
  it('full then resumed handshake between two UDP sockets on 127.0.0.1', async () => {
    const fabric = testFabric(0xfab1n);
    const controller = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(CONTROLLER)] } });
    const device = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(DEVICE)] } });
    const ce = new lib.ExchangeManager(controller), de = new lib.ExchangeManager(device);
    new lib.CaseResponder(de, { fabrics: new lib.CaseFabrics([fabric.node(DEVICE, 1)]) });
    const deviceUdp = await lib.UdpTransport.bind({ host: '127.0.0.1' }), controllerUdp = await lib.UdpTransport.bind({ host: '127.0.0.1' });
    deviceUdp.onDatagram((d, c) => de.receive(d, c));
    controllerUdp.onDatagram((d, c) => ce.receive(d, c));
    try {
      const channel = controllerUdp.channelTo('127.0.0.1', deviceUdp.address.port);
      const options = { fabric: fabric.node(CONTROLLER, 1), peerNodeId: DEVICE };
      const full = await lib.establishCase(ce, channel, options);
      assert.equal(full.resumed, false);
      await settle();
      assertTalk({ controller, device }, full.session);
      const resumed = await lib.establishCase(ce, channel, options);
      assert.equal(resumed.resumed, true);
      await settle();
      assertTalk({ controller, device }, resumed.session);
    } finally {
      await controllerUdp.close();
      await deviceUdp.close();
      ce.close(); de.close();
      await controller.close(); await device.close();
    }
  });
});
