// The session layer's conformance suite, runtime-agnostic like core-suite.ts: the library and the parsed vector files
// come in as arguments (no runtime imports), so the same compiled file runs in Node, Deno, Bun, workerd and Chromium.
// `makeStore` lets a runtime run the restart checks on its own persistent store (IndexedDB in Chromium).
import type * as Library from '../../src/index.js';
import type { KeyValueStore, PayloadHeader, SessionManager } from '../../src/index.js';
import { type Check, equal, equalBytes, fail, hex, rejectsNamed, rng, toHex } from './check.js';
export type { Check } from './check.js';

type Lib = typeof Library;

export interface SessionSuiteData {
  messageHeader: { vectors: { specCompliance: HeaderVector[]; extensions: ExtensionVector[] } };
  unicastMessages: { vectors: UnicastVector[] };
  eviction: { vectors: EvictionVector[] };
  sessionKeys: { vectors: Array<{ sharedSecret?: string }> };
  statusReports: Array<{ id: string; hex: string; fields: { generalCode: number; protocolIdFull: number; protocolCode: number; protocolData: string } }>;
}
interface HeaderVector { name: string; encoded: string; sessionId: string; sessionType: string; messageCounter: string; size: number; groupId: string | null }
interface ExtensionVector { name: string; message: string; payloadHeaderOffset: number; appPayloadOffsetWithinPayload: number }
interface UnicastVector {
  name: string; header: { sessionId: number; privacyFlag: boolean; messageCounter: string }; encryptedMessage: string;
  plaintextPayloadHeaderAndPayload: string; appPayload: string; expectedAcceptedBySdk: boolean; negative?: unknown;
  payloadHeader: { initiator: boolean; needsAck: boolean; protocolOpcode: string; exchangeId: number; protocolId: string; vendorId: number | null };
}
interface EvictionVector {
  name: string; sessions: Array<{ peerNodeId: number; fabricIndex: number; lastActivityTime: number; state: string }>;
  evictionHint: { nodeId: number; fabricIndex: number }; expectedEvictedIndex: number;
}
export interface SessionSuiteOptions { makeStore?: () => Promise<KeyValueStore> }


const fabric = (fabricIndex: number, nodeId: bigint) => ({
  fabricIndex, fabricId: 0x2906c908d115d362n + BigInt(fabricIndex), nodeId,
  compressedFabricId: hex('87e1b004e235a130').map((b, i) => (i === 7 ? b ^ fabricIndex : b)),
});

const appHeader = (exchangeId: number, needsAck = false): PayloadHeader => ({
  exchangeId, protocolId: 0x0001, opcode: 0x02, initiator: true, needsAck,
});

/** Two managers with a CASE session between them on fabric 1 (node 0x11 initiator, node 0x22 responder). */
async function casePair(lib: Lib, options: { counterStart?: () => number } = {}) {
  const secret = new Uint8Array(32).fill(7), salt = new Uint8Array(48).fill(9);
  const a = await lib.SessionManager.create({ fabrics: { initial: [fabric(1, 0x11n)] }, ...options });
  const b = await lib.SessionManager.create({ fabrics: { initial: [fabric(1, 0x22n)] } });
  const idA = a.getNextAvailableSessionId(), idB = b.getNextAvailableSessionId();
  const sa = await a.createSecureSession({ sessionId: idA, peerSessionId: idB, sharedSecret: secret, salt, isInitiator: true,
    isResumption: false, peerNodeId: 0x22n, fabricIndex: 1 });
  const sb = await b.createSecureSession({ sessionId: idB, peerSessionId: idA, sharedSecret: secret, salt, isInitiator: false,
    isResumption: false, peerNodeId: 0x11n, fabricIndex: 1 });
  return { a, b, sa, sb, close: async () => { await a.close(); await b.close(); } };
}

function headerChecks(lib: Lib, data: SessionSuiteData): Check[] {
  return [
    ...data.messageHeader.vectors.specCompliance.map((v) => ({
      name: `message header: ${v.name}`,
      run() {
        const { header, length } = lib.decodeMessageHeader(hex(v.encoded));
        equal(length, v.size, 'length');
        equal(header.sessionId, parseInt(v.sessionId, 16), 'session id');
        equal(header.sessionType, parseInt(v.sessionType, 16), 'session type');
        equal(header.messageCounter, parseInt(v.messageCounter, 16), 'counter');
        equal(header.destinationGroupId, v.groupId === null ? undefined : parseInt(v.groupId, 16), 'group id');
        equalBytes(lib.encodeMessageHeader(header), hex(v.encoded), 're-encoded');
      },
    })),
    ...data.messageHeader.vectors.extensions.map((v) => ({
      name: `message + payload header with extensions: ${v.name}`,
      run() {
        const message = hex(v.message);
        const { header, length } = lib.decodeMessageHeader(message);
        equal(length, v.payloadHeaderOffset, 'payload header offset');
        const payload = lib.decodePayloadHeader(message.subarray(length));
        equal(payload.length, v.appPayloadOffsetWithinPayload, 'application payload offset');
        const rebuilt = new Uint8Array(message.length);
        rebuilt.set(lib.encodeMessageHeader(header));
        rebuilt.set(lib.encodePayloadHeader(payload.header), length);
        rebuilt.set(message.subarray(length + payload.length), length + payload.length);
        equalBytes(rebuilt, message, 're-encoded');
      },
    })),
  ];
}

function statusReportChecks(lib: Lib, data: SessionSuiteData): Check[] {
  return [
    ...data.statusReports.map((v) => ({
      name: `status report: ${v.id}`,
      run() {
        const report = lib.decodeStatusReport(hex(v.hex));
        equal(report.generalCode, v.fields.generalCode, 'general code');
        equal(report.protocolId, v.fields.protocolIdFull, 'protocol id');
        equal(report.protocolCode, v.fields.protocolCode, 'protocol code');
        equalBytes(report.protocolData ?? new Uint8Array(0), hex(v.fields.protocolData), 'protocol data');
        equalBytes(lib.encodeStatusReport(report), hex(v.hex), 're-encoded');
      },
    })),
    {
      name: 'status report: a truncated report is a MalformedMessageError, a bad code a RangeError',
      async run() {
        await rejectsNamed(() => lib.decodeStatusReport(new Uint8Array(7)), 'MalformedMessageError', 'truncated');
        await rejectsNamed(() => lib.encodeStatusReport({ generalCode: 70000, protocolId: 0, protocolCode: 0 }), 'RangeError', 'general code');
      },
    },
  ];
}

function unicastVectorChecks(lib: Lib, data: SessionSuiteData): Check[] {
  const secret = hex(data.sessionKeys.vectors.find((v) => v.sharedSecret)!.sharedSecret!);
  // The vectors' receiver is the PASE responder (it decrypts with the I2R key); the sender is the initiator.
  const pase = async (manager: SessionManager, id: number, isInitiator: boolean) => manager.createSecureSession({
    sessionId: id, peerSessionId: id, sharedSecret: secret, salt: new Uint8Array(0), isInitiator, isResumption: false,
    peerNodeId: 0n,
  });
  return data.unicastMessages.vectors.map((v) => ({
    name: `unicast message through SessionManager: ${v.name}`,
    async run() {
      const receiver = await lib.SessionManager.create({});
      try {
        const session = await pase(receiver, v.header.sessionId, false);
        const wire = hex(v.encryptedMessage);
        if (v.header.privacyFlag) {
          await rejectsNamed(() => receiver.decode(wire), 'MalformedMessageError', 'unicast with the privacy flag');
          return;
        }
        if (!v.expectedAcceptedBySdk) {
          await rejectsNamed(() => receiver.decode(wire), 'AuthenticationFailedError', 'wrong MIC');
          // Nothing was committed: the same counter is still new.
          equal(session.peerWindow.verify(parseInt(v.header.messageCounter, 16)), 'new', 'counter after a failed MIC');
          return;
        }
        const decoded = receiver.decode(wire);
        equal(decoded.session, session, 'session');
        equal(decoded.header.messageCounter, parseInt(v.header.messageCounter, 16), 'counter');
        const ph = decoded.payloadHeader;
        equal(ph.exchangeId, v.payloadHeader.exchangeId, 'exchange id');
        equal(ph.opcode, parseInt(v.payloadHeader.protocolOpcode, 16), 'opcode');
        equal(ph.protocolId, parseInt(v.payloadHeader.protocolId, 16), 'protocol id');
        equal(ph.initiator, v.payloadHeader.initiator, 'initiator flag');
        equal(ph.needsAck, v.payloadHeader.needsAck, 'needs-ack flag');
        equalBytes(decoded.payload, hex(v.appPayload), 'application payload');
        await rejectsNamed(() => receiver.decode(wire), 'DuplicateMessageError', 'the same message again');

        // Re-encode from the decoded parts on the sending side: byte for byte the reference message.
        const counter = parseInt(v.header.messageCounter, 16);
        const sender = await lib.SessionManager.create({ counterStart: () => counter - 1 });
        try {
          const out = await pase(sender, v.header.sessionId, true);
          equalBytes(sender.encode(out, ph, decoded.payload), wire, 're-encoded message');
        } finally {
          await sender.close();
        }
      } finally {
        await receiver.close();
      }
    },
  }));
}

function evictionChecks(lib: Lib, data: SessionSuiteData): Check[] {
  const states: Record<string, 'active' | 'defunct' | 'establishing'> = { kActive: 'active', kDefunct: 'defunct', kEstablishing: 'establishing' };
  return data.eviction.vectors.map((v) => ({
    name: `eviction through SessionManager: ${v.name}`,
    async run() {
      const fabricIndexes = [...new Set([...v.sessions.map((s) => s.fabricIndex), v.evictionHint.fabricIndex])];
      const manager = await lib.SessionManager.create({
        fabrics: { initial: fabricIndexes.map((i) => fabric(i, 0x100n + BigInt(i))) },
        limits: { maxSessions: v.sessions.length, maxSessionsPerPeer: 1000 },
      });
      try {
        const sessions = [];
        for (const s of v.sessions) {
          const session = await manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 1,
            sharedSecret: new Uint8Array(32), salt: new Uint8Array(0), isInitiator: true, isResumption: false,
            peerNodeId: BigInt(s.peerNodeId), fabricIndex: s.fabricIndex });
          session.lastActivity = s.lastActivityTime;
          session.state = states[s.state]!;
          sessions.push(session);
        }
        const closed: Array<[unknown, string]> = [];
        manager.events.on('sessionClosed', (session, reason) => closed.push([session, reason]));
        await manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 1,
          sharedSecret: new Uint8Array(32), salt: new Uint8Array(0), isInitiator: true, isResumption: false,
          peerNodeId: BigInt(v.evictionHint.nodeId), fabricIndex: v.evictionHint.fabricIndex });
        equal(closed.length, 1, 'sessions evicted');
        equal(closed[0]![1], 'evicted', 'reason');
        equal(sessions.indexOf(closed[0]![0] as never), v.expectedEvictedIndex, 'evicted session');
        equal(manager.sessionCount, v.sessions.length, 'table size');
      } finally {
        await manager.close();
      }
    },
  }));
}

function exchangeChecks(lib: Lib): Check[] {
  return [
    {
      name: 'two managers exchange 300 messages each way; replays are duplicates, acks still flagged',
      async run() {
        const { a, b, sa, sb, close } = await casePair(lib);
        try {
          for (let n = 0; n < 300; n++) {
            const payload = new Uint8Array(n % 90).fill(n & 0xff);
            const toB = a.encode(sa, appHeader(n), payload);
            const atB = b.decode(toB);
            equal(atB.session, sb, 'session at b');
            equalBytes(atB.payload, payload, 'payload at b');
            const toA = b.encode(sb, { ...appHeader(n), initiator: false }, payload);
            equalBytes(a.decode(toA).payload, payload, 'payload at a');
            if (n === 150) {
              const replay = await rejectsNamed(() => b.decode(toB), 'DuplicateMessageError', 'replay');
              equal((replay as InstanceType<Lib['DuplicateMessageError']>).needsAck, false, 'no ack asked');
            }
          }
          const reliable = a.encode(sa, appHeader(9, true), new Uint8Array([1]));
          b.decode(reliable);
          const again = await rejectsNamed(() => b.decode(reliable), 'DuplicateMessageError', 'retransmission');
          equal((again as InstanceType<Lib['DuplicateMessageError']>).needsAck, true, 'ack asked');
          equal(sb.lastPeerActivity >= sb.createdAt, true, 'peer activity recorded');
        } finally {
          await close();
        }
      },
    },
    {
      name: 'a tampered message fails authentication, commits nothing, and the genuine one still decodes',
      async run() {
        const { a, b, sa, sb, close } = await casePair(lib);
        try {
          const wire = a.encode(sa, appHeader(1), new Uint8Array([1, 2, 3]));
          for (const at of [0, 4, 8, wire.length - 1]) {
            const tampered = wire.slice();
            tampered[at]! ^= 0x10;
            try {
              b.decode(tampered);
              fail(`tampered byte ${at} decoded`);
            } catch (e) {
              const name = (e as Error).name;
              if (!['AuthenticationFailedError', 'UnknownSessionError', 'MalformedMessageError'].includes(name)) throw e;
            }
          }
          equal(b.decode(wire).session, sb, 'genuine message');
        } finally {
          await close();
        }
      },
    },
    {
      name: 'unsecured sessions: the initiator\'s ephemeral id routes both ways; the responder session is made on first contact',
      async run() {
        const a = await lib.SessionManager.create({}), b = await lib.SessionManager.create({});
        try {
          const ua = a.createUnsecuredSession({ isInitiator: true });
          const first = b.decode(a.encode(ua, appHeader(5, true), new Uint8Array([0x20])));
          const ub = b.getUnsecuredSession(ua.ephemeralNodeId);
          equal(first.session, ub, 'responder session created');
          equal(a.decode(b.encode(ub!, { ...appHeader(5), initiator: false }, new Uint8Array([0x21]))).session, ua, 'reply routed');
        } finally {
          await a.close(); await b.close();
        }
      },
    },
  ];
}

function lifecycleChecks(lib: Lib, options: SessionSuiteOptions): Check[] {
  return [
    {
      name: 'a channel closing closes its sessions: keys wiped, ids released, unsecured dropped, records kept',
      async run() {
        const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric(1, 1n)] } });
        try {
          const channel = new lib.ManualChannel('test');
          const slotsBefore = lib.liveKeySlots();
          const id = manager.getNextAvailableSessionId();
          const session = await manager.createSecureSession({ sessionId: id, peerSessionId: 9, sharedSecret: new Uint8Array(32),
            salt: new Uint8Array(0), isInitiator: true, isResumption: false, peerNodeId: 5n, fabricIndex: 1, channel });
          const other = await manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 9,
            sharedSecret: new Uint8Array(32), salt: new Uint8Array(0), isInitiator: true, isResumption: false, peerNodeId: 6n, fabricIndex: 1 });
          const unsecured = manager.createUnsecuredSession({ isInitiator: true, channel });
          await manager.saveResumptionRecord({ fabricIndex: 1, peerNodeId: 5n, resumptionId: new Uint8Array(16).fill(1),
            sharedSecret: new Uint8Array(32).fill(2), caseAuthenticatedTags: [], peerSessionParameters: lib.resolveSessionParameters() });
          equal(lib.liveKeySlots(), slotsBefore + 4, 'key slots while open');
          const reasons: string[] = [];
          manager.events.on('sessionClosed', (_s, reason) => reasons.push(reason));
          channel.close(new Error('link lost'));
          equal(session.closed, true, 'bound session closed');
          equal(other.closed, false, 'unbound session open');
          equal(reasons.join(), 'channel-closed', 'reason');
          equal(manager.getSession(id), undefined, 'gone from the table');
          equal(manager.getUnsecuredSession(unsecured.ephemeralNodeId), undefined, 'unsecured session dropped');
          equal(lib.liveKeySlots(), slotsBefore + 2, 'its two key slots wiped and freed');
          equal(manager.findResumptionRecordByNode(1, 5n)?.peerNodeId, 5n, 'resumption record kept');
          await rejectsNamed(() => manager.encode(session, appHeader(1), new Uint8Array(0)), 'SessionClosedError', 'encode on it');
        } finally {
          await manager.close();
        }
      },
    },
    {
      name: 'counter exhaustion: the last counter is 0xFFFFFFFF, then a typed error and a counterExhausted event',
      async run() {
        const { a, sa, close } = await casePair(lib, { counterStart: () => 0xfffffffe });
        try {
          const events: unknown[] = [];
          a.events.on('counterExhausted', (s) => events.push(s));
          const last = a.encode(sa, appHeader(1), new Uint8Array(0));
          equal(lib.decodeMessageHeader(last).header.messageCounter, 0xffffffff, 'last counter');
          await rejectsNamed(() => a.encode(sa, appHeader(1), new Uint8Array(0)), 'CounterExhaustedError', 'next encode');
          equal(events[0], sa, 'event session');
        } finally {
          await close();
        }
      },
    },
    {
      name: 'limits: one PASE at a time; unknown fabrics refused unless dynamic creation is on',
      async run() {
        const manager = await lib.SessionManager.create({});
        const pase = () => manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 2,
          sharedSecret: new Uint8Array(16), salt: new Uint8Array(0), isInitiator: false, isResumption: false, peerNodeId: 0n });
        try {
          await pase();
          await rejectsNamed(pase, 'SessionLimitError', 'second PASE');
          await rejectsNamed(() => manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 2,
            sharedSecret: new Uint8Array(32), salt: new Uint8Array(0), isInitiator: true, isResumption: false, peerNodeId: 7n,
            fabricIndex: 4 }), 'UnknownFabricError', 'unknown fabric');
          equal(manager.sessionCount, 1, 'table unchanged');
        } finally {
          await manager.close();
        }
        const dynamic = await lib.SessionManager.create({ fabrics: { create: (i) => fabric(i, 0x77n) } });
        try {
          const s = await dynamic.createSecureSession({ sessionId: dynamic.getNextAvailableSessionId(), peerSessionId: 2,
            sharedSecret: new Uint8Array(32), salt: new Uint8Array(0), isInitiator: true, isResumption: false, peerNodeId: 7n,
            fabricIndex: 4 });
          equal(s.localNodeId, 0x77n, 'dynamic fabric node id');
          equal(dynamic.getFabric(4)?.fabricIndex, 4, 'fabric created');
        } finally {
          await dynamic.close();
        }
      },
    },
    {
      name: 'resumption records survive a restart on the same store, one per peer, capped least-recently-used',
      async run() {
        const store = options.makeStore ? await options.makeStore() : new lib.MemoryStore();
        const record = (node: number, lastUsed: number) => ({ fabricIndex: 1, peerNodeId: BigInt(node),
          resumptionId: new Uint8Array(16).fill(node), sharedSecret: new Uint8Array(32).fill(node + 1),
          caseAuthenticatedTags: [node], peerSessionParameters: lib.resolveSessionParameters({ idleInterval: 1000 + node }), lastUsed });
        const first = await lib.SessionManager.create({ storage: store, fabrics: { initial: [fabric(1, 1n)] },
          limits: { maxResumptionRecords: 3 } });
        for (let node = 1; node <= 4; node++) await first.saveResumptionRecord(record(node, node));
        await first.saveResumptionRecord(record(3, 10)); // replaces peer 3's record
        equal(first.resumptionRecordCount, 3, 'capped at 3');
        equal(first.findResumptionRecordByNode(1, 1n), undefined, 'least recently used evicted');
        await first.close();
        const second = await lib.SessionManager.create({ storage: store, fabrics: { initial: [fabric(1, 1n)] },
          limits: { maxResumptionRecords: 3 } });
        try {
          equal(second.resumptionRecordCount, 3, 'loaded after restart');
          const found = second.findResumptionRecordById(new Uint8Array(16).fill(4));
          equal(found?.peerNodeId, 4n, 'found by resumption id');
          equalBytes(found!.sharedSecret, new Uint8Array(32).fill(5), 'shared secret');
          equal(found!.peerSessionParameters.idleInterval, 1004, 'session parameters');
          equal(second.findResumptionRecordByNode(1, 3n)?.lastUsed, 10, 'replaced record');
          equal(await second.removeResumptionRecord(1, 3n), true, 'removed');
          await second.removeFabric(1);
          equal(second.resumptionRecordCount, 0, 'fabric removal removes its records');
        } finally {
          await second.close();
          await store.close();
        }
      },
    },
    {
      name: 'a failed store write loses no record and changes nothing in memory',
      async run() {
        const inner = new lib.MemoryStore();
        let failWrites = false;
        const store: KeyValueStore = {
          get: (key) => inner.get(key),
          set: (key, value) => (failWrites ? Promise.reject(new Error('disk full')) : inner.set(key, value)),
          delete: (key) => inner.delete(key),
          list: (prefix) => inner.list(prefix),
          setIfAbsent: (key, value) => inner.setIfAbsent(key, value),
          increment: (key, by) => inner.increment(key, by),
          close: () => Promise.resolve(),
        };
        const manager = await lib.SessionManager.create({ storage: store, fabrics: { initial: [fabric(1, 1n)] } });
        try {
          const record = { fabricIndex: 1, peerNodeId: 9n, resumptionId: new Uint8Array(16).fill(9),
            sharedSecret: new Uint8Array(32).fill(1), caseAuthenticatedTags: [], peerSessionParameters: lib.resolveSessionParameters() };
          await manager.saveResumptionRecord(record);
          failWrites = true;
          await rejectsNamed(() => manager.saveResumptionRecord({ ...record, sharedSecret: new Uint8Array(32).fill(2) }), 'Error', 'failed save');
          equalBytes(manager.findResumptionRecordByNode(1, 9n)!.sharedSecret, new Uint8Array(32).fill(1), 'previous record in memory');
          const again = await lib.SessionManager.create({ storage: inner, fabrics: { initial: [fabric(1, 1n)] } });
          equalBytes(again.findResumptionRecordByNode(1, 9n)!.sharedSecret, new Uint8Array(32).fill(1), 'previous record stored');
          await again.close();
        } finally {
          await manager.close();
        }
      },
    },
    {
      name: 'session information, lookups, inactivity and subscriptions',
      async run() {
        let now = 1000;
        const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric(1, 1n)] }, clock: () => now });
        try {
          const make = (node: bigint) => manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 3,
            sharedSecret: new Uint8Array(32), salt: new Uint8Array(0), isInitiator: true, isResumption: false, peerNodeId: node,
            fabricIndex: 1, sessionParameters: { activeThreshold: 4000 } });
          const s1 = await make(10n);
          now = 2000;
          const s2 = await make(11n);
          equal(manager.findOldestInactiveSession(), undefined, 'nobody inactive yet');
          now = 5500;
          equal(manager.findOldestInactiveSession(), s1, 'the session quiet past its threshold');
          equal(manager.getSessionForNode(1, 11n), s2, 'session for node');
          const changes: unknown[] = [];
          manager.events.on('subscriptionsChanged', (s) => changes.push(s));
          manager.setSubscriptionCount(s2, 2);
          const info = manager.getActiveSessionInformation().find((i) => i.sessionId === s2.id)!;
          equal(info.subscriptionCount, 2, 'subscriptions');
          equal(info.isPeerActive, true, 'peer active');
          equal(info.fabricIndex, 1, 'fabric');
          equal(changes[0], s2, 'event');
          equal(manager.removeAllSessionsForNode(1, 10n), 1, 'removed for node');
        } finally {
          await manager.close();
        }
      },
    },
  ];
}

function groupChecks(lib: Lib): Check[] {
  return [
    {
      name: 'group messages: current epoch key, with and without privacy, replays dropped, unmapped groups refused',
      async run() {
        const epochKey = hex('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf');
        const sender = await lib.SessionManager.create({ fabrics: { initial: [fabric(1, 0x10n)] } });
        const receiver = await lib.SessionManager.create({ fabrics: { initial: [fabric(1, 0x20n)] } });
        try {
          for (const m of [sender, receiver]) {
            m.groups.addKeySet(1, { keySetId: 42, epochKeys: [{ key: epochKey, startTime: 0 }] });
            m.groups.mapGroup(1, 0x0101, 42);
          }
          for (const privacy of [false, true]) {
            const wire = await sender.encodeGroup({ kind: 'group', fabricIndex: 1, groupId: 0x0101 }, appHeader(3), new Uint8Array([7, 7]), { privacy });
            equal((wire[3]! & 0x80) !== 0, privacy, 'privacy flag');
            const decoded = receiver.decode(wire);
            const source = decoded.session as { kind: string; sourceNodeId: bigint; groupId: number };
            equal(source.kind, 'group', 'group source');
            equal(source.sourceNodeId, 0x10n, 'source node');
            equal(source.groupId, 0x0101, 'group id');
            equalBytes(decoded.payload, new Uint8Array([7, 7]), 'payload');
            await rejectsNamed(() => receiver.decode(wire), 'DuplicateMessageError', 'group replay');
          }
          receiver.groups.unmapGroup(1, 0x0101);
          const unmapped = await sender.encodeGroup({ kind: 'group', fabricIndex: 1, groupId: 0x0101 }, appHeader(4), new Uint8Array(1));
          await rejectsNamed(() => receiver.decode(unmapped), 'AuthenticationFailedError', 'unmapped group');
        } finally {
          await sender.close(); await receiver.close();
        }
      },
    },
  ];
}

function fuzzChecks(lib: Lib): Check[] {
  return [
    {
      name: 'decode fuzz: 3000 random and mutated datagrams raise only typed errors and change no state',
      async run() {
        const { a, b, sa, sb, close } = await casePair(lib);
        try {
          b.groups.addKeySet(1, { keySetId: 1, epochKeys: [{ key: new Uint8Array(16).fill(3), startTime: 0 }] });
          b.groups.mapGroup(1, 5, 1);
          const valid = [a.encode(sa, appHeader(1), new Uint8Array(20)), a.encode(sa, appHeader(2, true), new Uint8Array(0))];
          const validHex = valid.map(toHex);
          const next = rng(0xc0ffee);
          const typed = new Set(['MalformedMessageError', 'UnknownSessionError', 'AuthenticationFailedError', 'DuplicateMessageError']);
          const sessionsBefore = b.sessionCount;
          let accepted = 0;
          for (let i = 0; i < 3000; i++) {
            let datagram: Uint8Array;
            if (i % 3 === 0) {
              datagram = new Uint8Array(next() % 80);
              for (let j = 0; j < datagram.length; j++) datagram[j] = next() & 0xff;
              if (i % 2 === 0 && datagram.length > 3) { datagram[1] = sb.id & 0xff; datagram[2] = sb.id >> 8; }
            } else {
              datagram = valid[i % 2]!.slice();
              const edits = 1 + (next() % 3);
              for (let e = 0; e < edits; e++) {
                const op = next() % 3;
                if (op === 0 && datagram.length) datagram[next() % datagram.length]! ^= 1 << (next() % 8);
                else if (op === 1) datagram = datagram.subarray(0, next() % (datagram.length + 1));
                else { const grown = new Uint8Array(datagram.length + 1); grown.set(datagram); grown[datagram.length] = next() & 0xff; datagram = grown; }
              }
            }
            // Edits can cancel out (a bit flipped twice): an unaltered genuine message is not a fuzz input.
            if (validHex.includes(toHex(datagram))) continue;
            try {
              // Unsecured messages carry no MIC: only an accepted secure or group message is a failure.
              if (!(b.decode(datagram).session instanceof lib.UnsecuredSession)) accepted++;
            } catch (e) {
              if (!typed.has((e as Error).name)) throw new Error(`datagram ${toHex(datagram)}: untyped ${(e as Error).name}: ${(e as Error).message}`);
            }
          }
          equal(accepted, 0, 'no altered secure datagram was accepted');
          equal(b.sessionCount, sessionsBefore, 'session table unchanged');
          for (const v of valid) equal(b.decode(v).session, sb, 'the genuine messages still decode after the fuzzing');
        } finally {
          await close();
        }
      },
    },
  ];
}

export function sessionChecks(lib: Lib, data: SessionSuiteData, options: SessionSuiteOptions = {}): Check[] {
  return [
    ...headerChecks(lib, data), ...statusReportChecks(lib, data), ...unicastVectorChecks(lib, data), ...evictionChecks(lib, data), ...exchangeChecks(lib),
    ...lifecycleChecks(lib, options), ...groupChecks(lib), ...fuzzChecks(lib),
  ];
}
