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
  reliable?: boolean;
}

async function setup(options: Setup = {}) {
  const fabric = options.fabric ?? testFabric(0xfab1n);
  const controllerFabric = options.controllerFabric ?? fabric.node(CONTROLLER, 1, { cats: [0x00010001] });
  const deviceFabrics = options.deviceFabrics ?? [fabric.node(DEVICE, 1)];
  const link = memoryLink(options.reliable ?? false);
  const controller = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(CONTROLLER, controllerFabric.fabricIndex)] } });
  const device = await lib.SessionManager.create({
    fabrics: { initial: deviceFabrics.map((f) => ({ fabricIndex: f.fabricIndex, fabricId: f.fabricId, nodeId: f.nodeId, compressedFabricId: new Uint8Array(8) })) },
    limits: options.limits,
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
      await settle();
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
      await settle();
      let previousId = hex(records(p).c!.resumptionId);
      for (let round = 0; round < 2; round++) {
        const next = await p.connect();
        assert.equal(next.resumed, true, `round ${round} resumed`);
        assert.equal(next.session.isResumption, true);
        assert.notEqual(next.session.id, first.session.id);
        await settle();
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

  it('resumption refused: the responder lost its record, or the MIC is wrong: silent fall-back to a full handshake', async () => {
    const p = await setup();
    try {
      await p.connect();
      await settle();
      await p.device.removeResumptionRecord(1, CONTROLLER);
      const fallback = await p.connect();
      assert.equal(fallback.resumed, false);
      await settle();
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

  it('resume: false skips the record', async () => {
    const p = await setup();
    try {
      await p.connect();
      await settle();
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
      await settle();
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
      await settle();
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
      await settle(50);
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
      await settle();
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
      await settle();
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
      await settle();
      assert.deepEqual([...assertTalk(p, full.session).caseAuthenticatedTags], [0x00010001]);
      const resumed = await p.connect();
      assert.equal(resumed.resumed, true);
      await settle();
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
      await settle(30);
      assert.equal(p.responder.handshakesInProgress, 1);
      await assert.rejects(p.connect(), (e: unknown) => e instanceof lib.CaseError && e.failure === 'busy' && e.minimumWaitMs === 1234);
      await settle(400);
      assert.equal(p.responder.handshakesInProgress, 0, 'the stalled handshake was dropped');
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
      await settle();
      assert.deepEqual(p.opened.map((o) => o.session.peerNodeId).sort(), [0x41n, 0x42n, 0x43n]);
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
      await settle();
      assert.equal(p.failures[0]?.failure, 'protocol');
      assert.match(p.failures[0]!.message, /Sigma1\.initiatorRandom/);
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
      await settle();
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
