// CASE interop with matter.js (@matter/protocol 0.17.9): matter.js's own CaseClient (the code its controllers run)
// opens CASE to our CaseResponder, and our establishCase opens CASE to matter.js's CaseServer (the code its devices
// run), full and resumed. matter.js builds its Fabric from certificates our
// FabricAuthority issued, derives the operational IPK itself, checks our chain with its own certificate code and
// our signatures and MICs with its own crypto; the session it ends up with must talk to ours. Only the transport is
// a bridge: CaseClient's exchange is matter.js's mock exchange, whose messages are carried over our exchange layer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bytes, Logger, type Crypto } from '@matter/general';
import { NodeJsCrypto } from '@matter/nodejs';
import {
  CaseClient, CaseServer, Fabric, FabricNotFoundError, MessageCodec, NodeSession, ProtocolMocks, SessionParameters, SessionType,
} from '@matter/protocol';
import { FabricId, FabricIndex, GlobalFabricId, NodeId, VendorId } from '@matter/types';
import * as lib from '../src/index.js';
import { testFabric, type TestFabric } from './support/case-fabrics.js';
import { memoryLink } from './support/memory-link.js';

await lib.ready();
Logger.level = process.env.MATTER_LOG ?? 'error';
const CONTROLLER = 0x1111n, DEVICE = 0x2222n;
const crypto: Crypto = new NodeJsCrypto();

/** Polls until `condition` holds (fails after 5 s): no fixed sleeps on a loaded machine. */
async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** matter.js's Fabric for the controller, from our certificates; it derives its own operational IPK. */
async function matterJsFabric(fabric: TestFabric, nodeId: bigint) {
  const { noc, privateKey } = fabric.issue(nodeId);
  return Fabric.create(crypto, {
    fabricIndex: FabricIndex(1), fabricId: FabricId(fabric.fabricId), nodeId: NodeId(nodeId), rootNodeId: NodeId(nodeId),
    keyPair: { publicKey: lib.p256PublicKey(privateKey), privateKey }, rootVendorId: VendorId(0xfff1),
    rootCert: fabric.authority.rcac, identityProtectionKey: fabric.epochKey, intermediateCACert: fabric.authority.icac,
    operationalCert: noc, label: 'interop',
  });
}

/** What CaseClient/CaseServer need of matter.js's SessionManager: ids, sessions made by matter.js, one record. */
function matterJsSessions() {
  let record: { resumptionId: Uint8Array } | undefined;
  const created: NodeSession[] = [];
  let nextId = 0x4000;
  return {
    sessionParameters: SessionParameters(SessionParameters.defaults),
    sessions: { add() {} },
    getNextAvailableSessionId: async () => nextId++,
    findResumptionRecordByAddress: () => record,
    findResumptionRecordById: (id: Uint8Array) => (record && Bytes.areEqual(record.resumptionId, id) ? record : undefined),
    saveResumptionRecord: async (r: { resumptionId: Uint8Array }) => { record = r; },
    createSecureSession: async (args: Record<string, unknown>) => {
      const session = await NodeSession.create({ ...args, crypto } as never);
      created.push(session);
      return session;
    },
    created,
    forget: () => { record = undefined; },
  };
}

async function ourDevice(fabric: TestFabric) {
  const link = memoryLink(true);
  const controller = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(CONTROLLER)] } });
  const device = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(DEVICE)] } });
  const ce = new lib.ExchangeManager(controller), de = new lib.ExchangeManager(device);
  link.a.receiver = (d, c) => ce.receive(d, c);
  link.b.receiver = (d, c) => de.receive(d, c);
  const opened: Array<{ session: lib.SecureSession; resumed: boolean }> = [];
  new lib.CaseResponder(de, { fabrics: new lib.CaseFabrics([fabric.node(DEVICE, 1)]), onSession: (session, info) => opened.push({ session, ...info }) });
  return {
    device, opened,
    /** Runs matter.js CaseClient.pair over a bridge into our exchange layer. */
    async pair(mjsFabric: Fabric, sessions: ReturnType<typeof matterJsSessions>, peerNodeId = DEVICE) {
      const mock = new ProtocolMocks.Exchange({ context: { session: new ProtocolMocks.NodeSession({ crypto, fabric: mjsFabric } as never) } });
      const unsecured = controller.createUnsecuredSession({ isInitiator: true, channel: link.a });
      const ours = ce.initiate(unsecured);
      // One read at a time, ending when either side sends a StatusReport: nothing is left waiting afterwards.
      const forward = (async () => {
        for (;;) {
          const message = await mock.read();
          await ours.send(message.payloadHeader.messageType, message.payload as Uint8Array);
          if (message.payloadHeader.messageType === lib.SecureChannelOpcode.statusReport) return;
          const reply = await ours.next(5000);
          await mock.write({
            packetHeader: { messageId: reply.messageCounter, sessionId: 0, sessionType: SessionType.Unicast },
            payloadHeader: { messageType: reply.opcode, protocolId: 0, exchangeId: ours.id, isInitiatorMessage: false, requiresAck: false },
            payload: reply.payload,
          } as never);
          if (reply.opcode === lib.SecureChannelOpcode.statusReport) return;
        }
      })();
      try {
        return await new CaseClient(sessions as never).pair(mock, mjsFabric, NodeId(peerNodeId));
      } finally {
        await forward;
        await ours.close();
        controller.removeUnsecuredSession(unsecured);
      }
    },
    close: async () => { ce.close(); de.close(); await controller.close(); await device.close(); },
  };
}

/** A message sealed by matter.js's session opens in ours, and the other way round. */
function assertSessionsTalk(mjs: NodeSession, ours: lib.SecureSession, device: lib.SessionManager, mjsIsInitiator = true) {
  const payload = new Uint8Array([0xca, 0x5e]);
  const packet = mjs.encode({
    packetHeader: { sessionId: mjs.peerSessionId, sessionType: SessionType.Unicast, messageId: 7, hasPrivacyEnhancements: false,
      isControlMessage: false, hasMessageExtensions: false },
    payloadHeader: { exchangeId: 9, protocolId: 0xfff1, messageType: 1, isInitiatorMessage: mjsIsInitiator, requiresAck: false, hasSecuredExtension: false },
    payload,
  } as never);
  const decoded = device.decode(MessageCodec.encodePacket(packet) as Uint8Array);
  assert.equal(decoded.session, ours);
  assert.deepEqual(decoded.payload, payload);
  const back = device.encode(ours, { exchangeId: 9, protocolId: 0xfff1, opcode: 2, initiator: !mjsIsInitiator, needsAck: false }, new Uint8Array([7]));
  const received = MessageCodec.decodePacket(back);
  const aad = back.slice(0, back.length - (received.applicationPayload as Uint8Array).length);
  assert.deepEqual(Uint8Array.from(mjs.decode(received, aad).payload as Uint8Array), new Uint8Array([7]));
}

describe('CASE interop: matter.js CaseClient -> our CaseResponder', () => {
  for (const intermediate of [false, true]) {
    it(`full handshake then resumption${intermediate ? ' (RCAC -> ICAC -> NOC)' : ''}; the sessions talk both ways`, async () => {
      const fabric = testFabric(0xfab1n, { intermediate });
      const dev = await ourDevice(fabric);
      try {
        const mjsFabric = await matterJsFabric(fabric, CONTROLLER);
        assert.deepEqual(Uint8Array.from(Bytes.of(mjsFabric.operationalIdentityProtectionKey)), fabric.ipk, 'matter.js derives the same operational IPK');
        const sessions = matterJsSessions();
        const full = await dev.pair(mjsFabric, sessions);
        assert.equal(full.resumed, false);
        await until(() => dev.opened.length === 1, 'our responder reported its session');
        assert.equal(dev.opened[0]!.session.peerNodeId, CONTROLLER);
        assertSessionsTalk(full.session, dev.opened[0]!.session, dev.device);

        const resumed = await dev.pair(mjsFabric, sessions);
        assert.equal(resumed.resumed, true, 'matter.js accepted our Sigma2_Resume');
        await until(() => dev.opened.length === 2, 'our responder reported the resumed session');
        assert.equal(dev.opened[1]?.resumed, true);
        assertSessionsTalk(resumed.session, dev.opened[1]!.session, dev.device);
      } finally {
        await dev.close();
      }
    });
  }

  it('matter.js on another fabric is refused with NoSharedTrustRoots', async () => {
    const fabric = testFabric(0xfab1n);
    const dev = await ourDevice(fabric);
    try {
      const stranger = await matterJsFabric(testFabric(0xfab2n), CONTROLLER);
      await assert.rejects(dev.pair(stranger, matterJsSessions()), /NoSharedTrustRoots|status|1/i);
      assert.equal(dev.device.sessionCount, 0);
    } finally {
      await dev.close();
    }
  });
});

/** A matter.js device: CaseServer behind our exchange layer, on a fabric built from our certificates. */
async function matterJsDevice(fabric: TestFabric) {
  const link = memoryLink(true);
  const controller = await lib.SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(CONTROLLER)] } });
  const bridgeSide = await lib.SessionManager.create({});
  const ce = new lib.ExchangeManager(controller), be = new lib.ExchangeManager(bridgeSide);
  link.a.receiver = (d, c) => ce.receive(d, c);
  link.b.receiver = (d, c) => be.receive(d, c);
  const mjsFabric = await matterJsFabric(fabric, DEVICE);
  const sessions = matterJsSessions();
  const fabrics = {
    crypto,
    async findFabricFromDestinationId(destinationId: Uint8Array, random: Uint8Array) {
      const ids = await mjsFabric.destinationIdsFor(mjsFabric.nodeId, random);
      if (ids.some((id) => Bytes.areEqual(id, destinationId))) return mjsFabric;
      throw new FabricNotFoundError('no fabric for this destination id');
    },
  };
  const server = new CaseServer(sessions as never, fabrics as never);
  const runs: Promise<void>[] = [];
  be.addProtocolHandler(lib.ProtocolId.secureChannel, (ours, first) => {
    const mock = new ProtocolMocks.Exchange({ isInitiator: false, context: { session: new ProtocolMocks.NodeSession({ crypto, fabric: mjsFabric } as never) } });
    const toMock = (m: lib.ExchangeMessage) => mock.write({
      packetHeader: { messageId: m.messageCounter, sessionId: 0, sessionType: SessionType.Unicast },
      payloadHeader: { messageType: m.opcode, protocolId: 0, exchangeId: ours.id, isInitiatorMessage: true, requiresAck: false },
      payload: m.payload,
    } as never);
    const run = (async () => {
      await toMock(first);
      const serving = server.onNewExchange(mock);
      for (;;) {
        const message = await mock.read();
        await ours.send(message.payloadHeader.messageType, message.payload as Uint8Array);
        if (message.payloadHeader.messageType === lib.SecureChannelOpcode.statusReport) break;
        const reply = await ours.next(5000);
        await toMock(reply);
        if (reply.opcode === lib.SecureChannelOpcode.statusReport) break;
      }
      await serving;
      await ours.close();
    })();
    runs.push(run);
    return run;
  });
  return {
    sessions, mjsFabric,
    connect: (options: Partial<lib.CaseInitiatorOptions> = {}) => lib.establishCase(ce, link.a, { fabric: fabric.node(CONTROLLER, 1), peerNodeId: DEVICE, ...options }),
    controller,
    close: async () => { await Promise.allSettled(runs); ce.close(); be.close(); await controller.close(); await bridgeSide.close(); },
  };
}

describe('CASE interop: our establishCase -> matter.js CaseServer', () => {
  for (const intermediate of [false, true]) {
    it(`full handshake then resumption${intermediate ? ' (RCAC -> ICAC -> NOC)' : ''}; the sessions talk both ways`, async () => {
      const fabric = testFabric(0xfab1n, { intermediate });
      const dev = await matterJsDevice(fabric);
      try {
        const full = await dev.connect();
        assert.equal(full.resumed, false);
        assert.equal(full.session.peerNodeId, DEVICE);
        assert.equal(dev.sessions.created.length, 1, 'matter.js made its session');
        assertSessionsTalk(dev.sessions.created[0]!, full.session, dev.controller, false);
        const resumed = await dev.connect();
        assert.equal(resumed.resumed, true, 'matter.js answered Sigma2_Resume and accepted our MIC');
        assertSessionsTalk(dev.sessions.created[1]!, resumed.session, dev.controller, false);
        assert.equal(Buffer.from(dev.controller.findResumptionRecordByNode(1, DEVICE)!.resumptionId).toString('hex'),
          Buffer.from((dev.sessions as unknown as { findResumptionRecordByAddress(): { resumptionId: Uint8Array } }).findResumptionRecordByAddress().resumptionId).toString('hex'),
          'both sides hold the new resumption id');
      } finally {
        await dev.close();
      }
    });
  }

  it('matter.js refuses a controller of another fabric with NoSharedTrustRoots', async () => {
    const dev = await matterJsDevice(testFabric(0xfab1n));
    try {
      const stranger = testFabric(0xfab2n);
      await assert.rejects(dev.connect({ fabric: { ...stranger.node(CONTROLLER, 1) } }),
        (e: unknown) => e instanceof lib.CaseError && e.failure === 'no-shared-trust-roots');
    } finally {
      await dev.close();
    }
  });
});
