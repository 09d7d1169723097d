// The session layer's allocation-free hot path (SessionManager.encodeInto / decodeInto with a ReceivedMessage):
// byte-for-byte agreement with encode/decode on the reference vectors, replay and tampering refused with nothing
// committed, a too-small buffer refused before a counter is used, and the unsecured and group paths.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { readVectors } from './conformance/suite-data.js';

await lib.ready();

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

interface UnicastVector {
  name: string; header: { sessionId: number; privacyFlag: boolean; messageCounter: string }; encryptedMessage: string;
  appPayload: string; expectedAcceptedBySdk: boolean;
}
interface HeaderVector { name: string; encoded: string }
interface ExtensionVector { name: string; message: string; payloadHeaderOffset: number; appPayloadOffsetWithinPayload: number }

const unicast = readVectors<{ vectors: UnicastVector[] }>('message-encryption-unicast.json').vectors;
const headers = readVectors<{ vectors: { specCompliance: HeaderVector[]; extensions: ExtensionVector[] } }>('message-header.json').vectors;
const sharedSecret = hex(readVectors<{ vectors: Array<{ sharedSecret?: string }> }>('session-keys.json').vectors.find((v) => v.sharedSecret)!.sharedSecret!);

/** A PASE session as in the vectors: the sender is the initiator, the receiver the responder. */
async function paseManager(sessionId: number, isInitiator: boolean, counterStart?: number) {
  const manager = await lib.SessionManager.create(counterStart === undefined ? {} : { counterStart: () => counterStart });
  const session = await manager.createSecureSession({ sessionId, peerSessionId: sessionId, sharedSecret, salt: new Uint8Array(0),
    isInitiator, isResumption: false, peerNodeId: 0n });
  return { manager, session };
}

const fabric = (nodeId: bigint) => ({ fabricIndex: 1, fabricId: 1n, nodeId, compressedFabricId: new Uint8Array(8).fill(1) });

/** A CASE pair (non-zero node ids in both nonces). */
async function casePair(counterStart = 100) {
  const secret = new Uint8Array(32).fill(7), salt = new Uint8Array(48).fill(9);
  const a = await lib.SessionManager.create({ fabrics: { initial: [fabric(0x11n)] }, counterStart: () => counterStart });
  const b = await lib.SessionManager.create({ fabrics: { initial: [fabric(0x22n)] } });
  const idA = a.getNextAvailableSessionId(), idB = b.getNextAvailableSessionId();
  const sa = await a.createSecureSession({ sessionId: idA, peerSessionId: idB, sharedSecret: secret, salt, isInitiator: true,
    isResumption: false, peerNodeId: 0x22n, fabricIndex: 1 });
  const sb = await b.createSecureSession({ sessionId: idB, peerSessionId: idA, sharedSecret: secret, salt, isInitiator: false,
    isResumption: false, peerNodeId: 0x11n, fabricIndex: 1 });
  return { a, b, sa, sb, close: async () => { await a.close(); await b.close(); } };
}

const appHeader = (exchangeId: number, extra: Partial<lib.PayloadHeader> = {}): lib.PayloadHeader =>
  ({ exchangeId, protocolId: 0x0001, opcode: 0x02, initiator: true, needsAck: true, ...extra });

/** What a ReceivedMessage holds, as plain values, to compare with a DecodedMessage. */
function assertSameMessage(received: lib.ReceivedMessage, decoded: lib.DecodedMessage, what: string): void {
  assert.deepEqual(lib.copyMessageHeader(received.header), decoded.header, `${what}: header`);
  assert.deepEqual(lib.copyPayloadHeader(received.payloadHeader), decoded.payloadHeader, `${what}: payload header`);
  assert.equal(toHex(received.payload), toHex(decoded.payload), `${what}: payload`);
}

function assertHoldsNoMessage(received: lib.ReceivedMessage): void {
  assert.equal(received.session, undefined, 'session after an error');
  assert.equal(received.payloadLength, 0, 'payload length after an error');
  assert.equal(received.header.messageCounter, 0, 'header counter after an error');
  assert.equal(received.payloadHeader.exchangeId, 0, 'exchange id after an error');
}

describe('decodeInto and encodeInto on the unicast message vectors', () => {
  for (const v of unicast) {
    it(v.name, async () => {
      const wire = hex(v.encryptedMessage);
      const counter = parseInt(v.header.messageCounter, 16);
      const viaDecode = await paseManager(v.header.sessionId, false);
      const viaInto = await paseManager(v.header.sessionId, false);
      const received = new lib.ReceivedMessage();
      try {
        if (v.header.privacyFlag) {
          assert.throws(() => viaInto.manager.decodeInto(wire, received), { name: 'MalformedMessageError' });
          assertHoldsNoMessage(received);
          return;
        }
        if (!v.expectedAcceptedBySdk) {
          assert.throws(() => viaInto.manager.decodeInto(wire, received), { name: 'AuthenticationFailedError' });
          assertHoldsNoMessage(received);
          assert.equal(viaInto.session.peerWindow.verify(counter), 'new', 'nothing committed');
          return;
        }
        const decoded = viaDecode.manager.decode(wire);
        assert.equal(viaInto.manager.decodeInto(wire, received), received);
        assertSameMessage(received, decoded, 'decodeInto vs decode');
        assert.equal(received.session, viaInto.session);
        assert.equal(decoded.session, viaDecode.session);
        assert.equal(toHex(received.copyPayload()), v.appPayload);
        assert.equal(viaInto.session.peerWindow.verify(counter), 'duplicate', 'committed');
        // Replay: refused as decode refuses it, and the target then holds no message.
        assert.throws(() => viaInto.manager.decodeInto(wire, received), { name: 'DuplicateMessageError' });
        assertHoldsNoMessage(received);

        // Re-encoded with encodeInto on a sender whose counter lands on the vector's: the reference bytes, and
        // the same bytes encode writes.
        const senderInto = await paseManager(v.header.sessionId, true, counter - 1);
        const senderFresh = await paseManager(v.header.sessionId, true, counter - 1);
        try {
          const out = new Uint8Array(wire.length + 7).fill(0xee);
          const length = senderInto.manager.encodeInto(senderInto.session, decoded.payloadHeader, decoded.payload, out);
          assert.equal(length, wire.length);
          assert.equal(toHex(out.subarray(0, length)), v.encryptedMessage, 'encodeInto: reference bytes');
          assert.equal(toHex(out.subarray(length)), 'ee'.repeat(7), 'encodeInto writes nothing past the message');
          const fresh = senderFresh.manager.encode(senderFresh.session, decoded.payloadHeader, decoded.payload);
          assert.equal(toHex(fresh), v.encryptedMessage, 'encode: reference bytes');
        } finally {
          await senderInto.manager.close();
          await senderFresh.manager.close();
        }
      } finally {
        await viaDecode.manager.close();
        await viaInto.manager.close();
      }
    });
  }
});

describe('readMessageHeaderInto and readPayloadHeaderInto on the header vectors', () => {
  it('agree with decodeMessageHeader on the spec-compliance vectors, one reused header object for all', () => {
    const target = lib.emptyMessageHeader();
    for (const v of headers.specCompliance) {
      const bytes = hex(v.encoded);
      const { header, length } = lib.decodeMessageHeader(bytes);
      assert.equal(lib.readMessageHeaderInto(bytes, bytes.length, target), length, v.name);
      assert.deepEqual(lib.copyMessageHeader(target), header, v.name);
    }
  });

  it('agree with decodeMessageHeader + decodePayloadHeader on the extension vectors', () => {
    const messageHeader = lib.emptyMessageHeader(), payloadHeader = lib.emptyPayloadHeader();
    for (const v of headers.extensions) {
      const bytes = hex(v.message);
      const { header, length } = lib.decodeMessageHeader(bytes);
      assert.equal(lib.readMessageHeaderInto(bytes, bytes.length, messageHeader), v.payloadHeaderOffset, v.name);
      assert.deepEqual(lib.copyMessageHeader(messageHeader), header, v.name);
      const payload = lib.decodePayloadHeader(bytes.subarray(length));
      assert.equal(lib.readPayloadHeaderInto(bytes, length, bytes.length, payloadHeader), length + v.appPayloadOffsetWithinPayload, v.name);
      assert.deepEqual(lib.copyPayloadHeader(payloadHeader), payload.header, v.name);
    }
  });

  it('truncated headers fail as readMessageHeader does, naming the same field', () => {
    const target = lib.emptyMessageHeader();
    for (const v of [...headers.specCompliance.map((h) => h.encoded), ...headers.extensions.map((h) => h.message)]) {
      const bytes = hex(v);
      const { length } = lib.decodeMessageHeader(bytes);
      for (let cut = 0; cut < length; cut++) {
        const short = bytes.slice(0, cut);
        let expected: unknown;
        try { lib.decodeMessageHeader(short); } catch (error) { expected = error; }
        assert.ok(expected instanceof lib.MalformedMessageError, `${v} cut at ${cut}`);
        assert.throws(() => lib.readMessageHeaderInto(short, short.length, target),
          (error: unknown) => error instanceof lib.MalformedMessageError && error.field === expected.field && error.message === expected.message);
      }
    }
  });
});

describe('encodeInto and decodeInto on a CASE session', () => {
  it('interoperate with encode and decode both ways, in and out of order within the window', async () => {
    const { a, b, sa, sb, close } = await casePair();
    try {
      const out = new Uint8Array(1280), received = new lib.ReceivedMessage();
      const wires: Uint8Array[] = [];
      for (let n = 0; n < 40; n++) {
        const payload = new Uint8Array(n * 3).map((_, i) => i ^ n);
        const header = appHeader(n, n % 3 === 0 ? { ackedMessageCounter: 1000 + n } : n % 5 === 0 ? { vendorId: 0xfff1 } : {});
        const length = a.encodeInto(sa, header, payload, out);
        wires.push(out.slice(0, length));
      }
      // Delivered in a shuffled order, all within the 32-counter window of the highest: all new, once.
      const order = [3, 0, 7, 1, 2, 9, 5, 4, 6, 8, ...Array.from({ length: 30 }, (_, i) => 39 - i)];
      for (const n of order) {
        const decoded = b.decodeInto(wires[n]!, received);
        assert.equal(decoded.session, sb);
        assert.equal(decoded.payloadHeader.exchangeId, n);
        assert.equal(toHex(decoded.payload), toHex(new Uint8Array(n * 3).map((_, i) => i ^ n)));
      }
      for (const n of [0, 20, 39]) assert.throws(() => b.decodeInto(wires[n]!, received), { name: 'DuplicateMessageError' });
      // The other direction: encode on b, decodeInto on a; and encodeInto on b, decode on a.
      const fresh = b.encode(sb, appHeader(7), new Uint8Array([1, 2, 3]));
      const viaInto = a.decodeInto(fresh, received);
      assert.equal(viaInto.session, sa);
      assert.equal(toHex(viaInto.payload), '010203');
      const length = b.encodeInto(sb, appHeader(8), new Uint8Array([4, 5]), out);
      const decoded = a.decode(out.subarray(0, length));
      assert.equal(decoded.payloadHeader.exchangeId, 8);
      assert.equal(toHex(decoded.payload), '0405');
    } finally {
      await close();
    }
  });

  it('tampering: every flipped byte fails, commits no counter, and leaves the target holding no message', async () => {
    const { a, b, sa, sb, close } = await casePair();
    try {
      const out = new Uint8Array(256), received = new lib.ReceivedMessage();
      const length = a.encodeInto(sa, appHeader(1), new Uint8Array(20).fill(9), out);
      const wire = out.slice(0, length);
      const counter = new DataView(wire.buffer).getUint32(4, true);
      // First fill the target with a message, so the failure visibly clears it.
      b.decodeInto(a.encode(sa, appHeader(2), new Uint8Array([1])), received);
      for (let at = 8; at < length; at++) {
        const forged = wire.slice();
        forged[at]! ^= 0x01;
        assert.throws(() => b.decodeInto(forged, received), { name: 'AuthenticationFailedError' }, `byte ${at}`);
        assertHoldsNoMessage(received);
        assert.equal(sb.peerWindow.verify(counter), 'new', `byte ${at}: counter not committed`);
      }
      // A forged counter in the header (part of the AAD and the nonce) fails too, and commits nothing.
      const forgedCounter = wire.slice();
      forgedCounter[4]! ^= 0x02;
      assert.throws(() => b.decodeInto(forgedCounter, received), { name: 'AuthenticationFailedError' });
      assert.equal(sb.peerWindow.verify(counter ^ 0x02), 'new');
      // The genuine message still goes through.
      assert.equal(b.decodeInto(wire, received).payloadLength, 20);
    } finally {
      await close();
    }
  });

  it('a buffer too small is a BufferTooSmallError naming out and the size needed; no counter is used, nothing written', async () => {
    const { a, b, sa, close } = await casePair(500);
    try {
      const payload = new Uint8Array(64).fill(1);
      const needed = 8 + 6 + 64 + 16;
      const small = new Uint8Array(needed - 1).fill(0xcc);
      assert.throws(() => a.encodeInto(sa, appHeader(1), payload, small), (e: unknown) =>
        e instanceof lib.BufferTooSmallError && e instanceof RangeError && e.argument === 'out' && e.needed === needed
        && e.actual === needed - 1 && /out: expected at least 94 bytes, got 93/.test(e.message));
      assert.ok(small.every((x) => x === 0xcc), 'nothing written');
      const out = new Uint8Array(needed);
      assert.equal(a.encodeInto(sa, appHeader(1), payload, out), needed);
      assert.equal(new DataView(out.buffer).getUint32(4, true), 501, 'the first counter after the refusal');
      assert.equal(b.decodeInto(out, new lib.ReceivedMessage(8)).payloadLength, 64, 'a ReceivedMessage grows to fit');
      // Bad arguments: typed errors, and still no counter used.
      assert.throws(() => a.encodeInto(sa, appHeader(2), payload, [] as never), { name: 'TypeError', message: /^out:/ });
      assert.throws(() => a.encodeInto(sa, appHeader(2), payload, out, Number.NaN), { name: 'TypeError', message: /^now:/ });
      assert.throws(() => b.decodeInto(out, {} as never), { name: 'TypeError', message: /^target:/ });
      // CCM with the 13-byte nonce takes at most 65535 bytes of plaintext: refused before the counter, both APIs.
      const huge = new Uint8Array(65530);
      assert.throws(() => a.encodeInto(sa, appHeader(2), huge, new Uint8Array(70000)), { name: 'RangeError', message: /^payload: .* got 65536/ });
      assert.throws(() => a.encode(sa, appHeader(2), huge), { name: 'RangeError', message: /^payload:/ });
      const filled = b.decodeInto(a.encode(sa, appHeader(9), payload), new lib.ReceivedMessage());
      assert.throws(() => b.decodeInto(out, filled, undefined, Number.NaN), { name: 'TypeError', message: /^now:/ });
      assertHoldsNoMessage(filled);
      assert.equal(a.encodeInto(sa, appHeader(2), payload, out), needed);
      assert.equal(new DataView(out.buffer).getUint32(4, true), 503, 'after the encode of 502 above');
    } finally {
      await close();
    }
  });

  it('buffers at any byte offset (the core copies whole words only when both ends are aligned) give the same bytes', async () => {
    const one = await casePair(700), two = await casePair(700);
    try {
      const payload = new Uint8Array(100).map((_, i) => i * 7);
      const aligned = new Uint8Array(256);
      const length = one.a.encodeInto(one.sa, appHeader(3), payload, aligned);
      for (const offset of [1, 2, 3]) {
        const shifted = new Uint8Array(300).subarray(offset, offset + 200);
        const shiftedLength = two.a.encodeInto(two.sa, appHeader(3), payload, shifted);
        assert.equal(shiftedLength, length);
        // The pairs' session ids differ (random), so the MICs do; the first message's counter and ciphertext (same
        // keys, same nonce) match byte for byte, and every message decrypts to the payload.
        if (offset === 1) assert.equal(toHex(shifted.subarray(4, length - 16)), toHex(aligned.subarray(4, length - 16)), 'same bytes');
        const datagram = new Uint8Array(length + 5).subarray(offset, offset + length);
        datagram.set(shifted.subarray(0, length));
        const received = two.b.decodeInto(datagram, new lib.ReceivedMessage());
        assert.equal(toHex(received.payload), toHex(payload), `offset ${offset}`);
      }
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('`now` stamps the activity instead of the clock', async () => {
    const { a, b, sa, sb, close } = await casePair();
    try {
      const out = new Uint8Array(128), received = new lib.ReceivedMessage();
      const length = a.encodeInto(sa, appHeader(1), new Uint8Array(4), out, 1234);
      assert.equal(sa.lastActivity, 1234);
      b.decodeInto(out.subarray(0, length), received, undefined, 5678);
      assert.equal(sb.lastActivity, 5678);
      assert.equal(sb.lastPeerActivity, 5678);
    } finally {
      await close();
    }
  });
});

describe('decodeInto and encodeInto beyond secure unicast', () => {
  it('unsecured (handshake) messages: encodeInto writes what encode writes; decodeInto creates the responder session', async () => {
    const initiator = await lib.SessionManager.create({});
    const responder = await lib.SessionManager.create({});
    try {
      const session = initiator.createUnsecuredSession({ isInitiator: true });
      const out = new Uint8Array(64);
      const length = initiator.encodeInto(session, appHeader(5), new Uint8Array([0xaa, 0xbb]), out);
      const again = initiator.encode(session, appHeader(5), new Uint8Array([0xaa, 0xbb]));
      // Same bytes but the counter (the next value of the node's unsecured counter).
      assert.equal(again.length, length);
      assert.equal(toHex(again.subarray(8)), toHex(out.subarray(8, length)));
      assert.equal(new DataView(again.buffer, again.byteOffset).getUint32(4, true), new DataView(out.buffer).getUint32(4, true) + 1);
      assert.throws(() => initiator.encodeInto(session, appHeader(5), new Uint8Array(2), new Uint8Array(length - 1)),
        (e: unknown) => e instanceof lib.BufferTooSmallError && e.needed === length);
      const received = responder.decodeInto(out.subarray(0, length), new lib.ReceivedMessage());
      assert.ok(received.session instanceof lib.UnsecuredSession);
      assert.equal(received.header.sourceNodeId, session.ephemeralNodeId);
      assert.equal(toHex(received.payload), 'aabb');
    } finally {
      await initiator.close();
      await responder.close();
    }
  });

  it('group messages decode into the target (copied in: the group path allocates); encodeInto refuses group destinations', async () => {
    const epochKey = new Uint8Array(16).map((_, i) => 0xa0 + i);
    const member = async (nodeId: bigint) => {
      const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric(nodeId)] } });
      manager.groups.addKeySet(1, { keySetId: 42, epochKeys: [{ key: epochKey, startTime: 0 }] });
      manager.groups.mapGroup(1, 0x0101, 42);
      return manager;
    };
    const sender = await member(0x10n), receiver = await member(0x20n);
    try {
      const received = new lib.ReceivedMessage();
      for (const privacy of [false, true]) {
        const wire = await sender.encodeGroup({ kind: 'group', fabricIndex: 1, groupId: 0x0101 }, appHeader(9, { needsAck: false }),
          new Uint8Array([7, 8, 9]), { privacy });
        receiver.decodeInto(wire, received);
        assert.deepEqual(received.session, { kind: 'group', fabricIndex: 1, groupId: 0x0101, sourceNodeId: 0x10n, keySetId: 42 });
        assert.equal(received.header.destinationGroupId, 0x0101);
        assert.equal(toHex(received.payload), '070809');
        assert.throws(() => receiver.decodeInto(wire, received), { name: 'DuplicateMessageError' });
        assertHoldsNoMessage(received);
      }
      assert.throws(() => sender.encodeInto({ kind: 'group', fabricIndex: 1, groupId: 0x0101 } as never, appHeader(1),
        new Uint8Array(1), new Uint8Array(64)), { name: 'TypeError', message: /^session:/ });
    } finally {
      await sender.close();
      await receiver.close();
    }
  });
});

describe('allocation on the hot path', () => {
  it('encodeInto + decodeInto with `now` allocate under 8 bytes per message over 50,000 messages (child Node, no scavenge)', () => {
    // A child process so the heap flags apply: a 64 MiB new space holds the whole run without a scavenge, so the
    // growth of the space used is what the run allocated. A run that saw a scavenge (used space shrank) is retried.
    const run = spawnSync(process.execPath, ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64',
      '--import', 'tsx', 'test/session-hot-path.child.ts'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      messages: number; intoBytesPerMessage: number; freshBytesPerMessage: number; scavenged: number;
    };
    assert.equal(report.messages, 50_000);
    assert.ok(report.intoBytesPerMessage < 8, `encodeInto+decodeInto: ${report.intoBytesPerMessage} bytes per message`);
    // The method sees allocation: the fresh-object API, measured the same way, allocates hundreds of bytes.
    assert.ok(report.freshBytesPerMessage > 100, `encode+decode: ${report.freshBytesPerMessage} bytes per message`);
  });
});
