// BTP: the codec against the byte sequences of the SDK's tests (src/ble/tests/TestBtpEngine.cpp, TestBleLayer.cpp)
// and matter.js's (packages/protocol/test/codec/BtpCodecTest.ts, test/ble/BtpSessionHandlerTest.ts); segmentation;
// sessions driven packet by packet; a central and a peripheral joined in memory under window pressure; PASE over it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as lib from '../src/node.js';
import {
  BtpClosedError, BtpCodec, BtpProtocolError, BtpSession, BtpTimeoutError, MAX_BTP_MESSAGE_SIZE, OutgoingMessage,
  Reassembler, type BtpGattLink, type BtpPacket, type BtpSessionOptions, type BtpTimerOptions,
} from '../src/transport/btp/index.js';
import { BtpFlow } from '../src/transport/btp/btp-flow.js';

await lib.ready();

const hex = (text: string) => Uint8Array.from(text.replace(/\s+/g, '').match(/../g) ?? [], (pair) => parseInt(pair, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

/** Deterministic bytes 0, 1, 2... offset by `seed`. */
const bytesOf = (length: number, seed = 0) => Uint8Array.from({ length }, (_, i) => (i + seed) & 0xff);

const isBtpProtocolError = (error: unknown) => error instanceof BtpProtocolError;

/** One GATT direction: records what the session wrote and hands it to `deliver` asynchronously, in order. */
class FakeLink implements BtpGattLink {
  readonly written: Uint8Array[] = [];
  closeCalls = 0;
  deliver: ((packet: Uint8Array) => void) | undefined;
  fail: Error | undefined;

  /** `deliveryMs` > 0: packets reach the peer that much later (in order), so the sender outruns the acks. */
  constructor(readonly deliveryMs = 0) {}

  async write(packet: Uint8Array): Promise<void> {
    if (this.fail) throw this.fail;
    const copy = packet.slice();
    this.written.push(copy);
    if (this.deliveryMs > 0) setTimeout(() => this.deliver?.(copy), this.deliveryMs);
    else setImmediate(() => this.deliver?.(copy));
    await tick(); // a GATT operation takes a while
  }

  close(): void {
    this.closeCalls++;
  }

  get writtenHex(): string[] {
    return this.written.map(toHex);
  }
}

const MATTER_JS_PAYLOAD = hex(
  '0400000049b6a902a9a5773dbb8cafd90120a7c7000015300120cb0c120a3499327ddaec4ebe60889df0f1bf80d8a4dea1dd6ffef16ef58ecafe25028e17240300280418',
);

const packet = (fields: Partial<BtpPacket> & { sequenceNumber: number }): BtpPacket => ({
  beginsMessage: false, continuesMessage: false, endsMessage: false, payload: new Uint8Array(0), ...fields,
});

describe('BtpCodec: handshake', () => {
  it('decodes the SDK capabilities request 656c54000000c80006: versions 4 then 5, first in the low nibble', () => {
    const request = BtpCodec.decodeHandshakeRequest(hex('656c54000000c80006'));
    assert.deepEqual(request, { versions: [4, 5], attMtu: 200, windowSize: 6 });
    assert.equal(toHex(BtpCodec.encodeHandshakeRequest(request)), '656c54000000c80006');
  });

  it('round-trips matter.js\'s request 656c04000000b90006 (version 4, ATT MTU 185, window 6)', () => {
    const request = BtpCodec.decodeHandshakeRequest(hex('656c04000000b90006'));
    assert.deepEqual(request, { versions: [4], attMtu: 185, windowSize: 6 });
    assert.equal(toHex(BtpCodec.encodeHandshakeRequest(request)), '656c04000000b90006');
  });

  it('a version 0 ends the list; eight versions fill all four bytes', () => {
    assert.deepEqual(BtpCodec.decodeHandshakeRequest(hex('656c04050000140006')).versions, [4]);
    const all = [1, 2, 3, 4, 5, 6, 7, 8];
    const bytes = BtpCodec.encodeHandshakeRequest({ versions: all, attMtu: 0x1234, windowSize: 255 });
    assert.equal(toHex(bytes), '656c21436587' + '3412ff');
    assert.deepEqual(BtpCodec.decodeHandshakeRequest(bytes).versions, all);
  });

  it('round-trips responses: 656c04640006 (fragment 100), 656c04140006 (20), 656c04000106 (256)', () => {
    for (const [text, fragmentSize] of [['656c04640006', 100], ['656c04140006', 20], ['656c04000106', 256]] as const) {
      const response = BtpCodec.decodeHandshakeResponse(hex(text));
      assert.deepEqual(response, { version: 4, fragmentSize, windowSize: 6 });
      assert.equal(toHex(BtpCodec.encodeHandshakeResponse(response)), text);
    }
  });

  it('refuses malformed handshakes with BtpProtocolError', () => {
    for (const bad of ['0d6c04000000b90006', '656d04000000b90006', '656c00000000b90006', '656c04000000b900', '656c04000000b9000600', '656c04000000b90000']) {
      assert.throws(() => BtpCodec.decodeHandshakeRequest(hex(bad)), BtpProtocolError, bad);
    }
    for (const bad of ['656c046400', '0d6c04640006', '656d04640006']) {
      assert.throws(() => BtpCodec.decodeHandshakeResponse(hex(bad)), BtpProtocolError, bad);
    }
  });
});

describe('BtpCodec: data packets and acks', () => {
  it('decodes matter.js\'s A|B|E packet 0d 00 00 4400 + 68 bytes', () => {
    const decoded = BtpCodec.decodePacket(hex(`0d00004400${toHex(MATTER_JS_PAYLOAD)}`));
    assert.deepEqual(decoded, packet({
      ackNumber: 0, sequenceNumber: 0, beginsMessage: true, endsMessage: true, messageLength: 0x44, payload: MATTER_JS_PAYLOAD,
    }));
  });

  it('encodes matter.js\'s packets: C|E 06.., B|E 05..4400.., A|C|E 0e00..', () => {
    const cases: [BtpPacket, string][] = [
      [packet({ sequenceNumber: 0, continuesMessage: true, endsMessage: true, payload: MATTER_JS_PAYLOAD }), '0600'],
      [packet({ sequenceNumber: 0, beginsMessage: true, endsMessage: true, messageLength: 0x44, payload: MATTER_JS_PAYLOAD }), '05004400'],
      [packet({ ackNumber: 0, sequenceNumber: 0, continuesMessage: true, endsMessage: true, payload: MATTER_JS_PAYLOAD }), '0e0000'],
    ];
    for (const [fields, header] of cases) {
      const bytes = BtpCodec.encodePacket(fields);
      assert.equal(toHex(bytes), header + toHex(MATTER_JS_PAYLOAD));
      assert.deepEqual(BtpCodec.decodePacket(bytes), fields);
    }
  });

  it('decodes the SDK engine\'s segments: 05010100ff, 0202fe, 0402ff', () => {
    assert.deepEqual(BtpCodec.decodePacket(hex('05010100ff')), packet({
      sequenceNumber: 1, beginsMessage: true, endsMessage: true, messageLength: 1, payload: hex('ff'),
    }));
    assert.deepEqual(BtpCodec.decodePacket(hex('0402ff')), packet({ sequenceNumber: 2, endsMessage: true, payload: hex('ff') }));
    assert.deepEqual(BtpCodec.decodePacket(hex('0202fe')), packet({ sequenceNumber: 2, continuesMessage: true, payload: hex('fe') }));
  });

  it('standalone acks are 08 <ack> <seq>: SDK 080100 and 080000, matter.js 080001', () => {
    for (const [text, ackNumber, sequenceNumber] of [['080100', 1, 0], ['080000', 0, 0], ['080001', 0, 1]] as const) {
      const ack = packet({ ackNumber, sequenceNumber });
      assert.equal(toHex(BtpCodec.encodePacket(ack)), text);
      assert.deepEqual(BtpCodec.decodePacket(hex(text)), ack);
    }
  });

  it('refuses bad packets with BtpProtocolError', () => {
    const bad = {
      'management opcode (matter.js)': `65000044000400`,
      handshake: '656c04000000b90006',
      empty: '',
      'begin and continue': '030000aa',
      'no segment, no ack': '0000',
      'ack truncated': '0800',
      'length truncated': '010001',
      'standalone ack with bytes': '080000ff',
      'zero-length message': '01000000aa',
      'continuation without bytes': '0201',
    };
    for (const [what, text] of Object.entries(bad)) {
      assert.throws(() => BtpCodec.decodePacket(hex(text)), BtpProtocolError, what);
    }
  });

  it('refuses to encode inconsistent packets (RangeError)', () => {
    assert.throws(() => BtpCodec.encodePacket(packet({ sequenceNumber: 0, beginsMessage: true, payload: hex('01') })), RangeError);
    assert.throws(() => BtpCodec.encodePacket(packet({ sequenceNumber: 0, continuesMessage: true, messageLength: 1, payload: hex('01') })), RangeError);
    assert.throws(() => BtpCodec.encodePacket(packet({ sequenceNumber: 0 })), RangeError);
    assert.throws(() => BtpCodec.encodePacket(packet({ sequenceNumber: 256, ackNumber: 0 })), RangeError);
  });

  it('round-trips any valid packet (property)', () => {
    const arbitraryPacket = fc.record({
      sequenceNumber: fc.integer({ min: 0, max: 255 }),
      ackNumber: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
      kind: fc.constantFrom('first', 'only', 'middle', 'last', 'end-only', 'ack'),
      payload: fc.uint8Array({ minLength: 1, maxLength: 239 }),
      messageLength: fc.integer({ min: 1, max: 0xffff }),
    }).map(({ sequenceNumber, ackNumber, kind, payload, messageLength }): BtpPacket => {
      if (kind === 'ack') return packet({ sequenceNumber, ackNumber: ackNumber ?? 0 });
      const begins = kind === 'first' || kind === 'only';
      return packet({
        sequenceNumber, payload,
        ...(ackNumber !== undefined && { ackNumber }),
        beginsMessage: begins,
        continuesMessage: kind === 'middle' || kind === 'last',
        endsMessage: kind === 'only' || kind === 'last' || kind === 'end-only',
        ...(begins && { messageLength }),
      });
    });
    fc.assert(fc.property(arbitraryPacket, (p) => {
      assert.deepEqual(BtpCodec.decodePacket(BtpCodec.encodePacket(p)), p);
    }));
  });
});

/** All segments of `message` at `fragmentSize`, none carrying an ack, sequence numbers from `first`. */
function segmentsOf(message: Uint8Array, fragmentSize: number, first = 0): Uint8Array[] {
  const outgoing = new OutgoingMessage(message);
  const packets: Uint8Array[] = [];
  while (!outgoing.done) packets.push(BtpCodec.encodePacket(outgoing.nextSegment((first + packets.length) & 0xff, undefined, fragmentSize)));
  return packets;
}

describe('segmentation at fragment size 20', () => {
  // The first segment holds 16 bytes (4-byte header), every later one 18 (2-byte header).
  const expectations: [number, number][] = [[1, 1], [15, 1], [16, 1], [17, 2], [30, 2], [40, 3], [100, 6], [1232, 69]];
  for (const [size, count] of expectations) {
    it(`a ${size}-byte message takes ${count} segment(s) with B / C / C|E headers`, () => {
      const message = bytesOf(size, size);
      const packets = segmentsOf(message, 20, 250);
      assert.equal(packets.length, count);
      const reassembler = new Reassembler();
      let reassembled: Uint8Array | undefined;
      packets.forEach((bytes, i) => {
        assert.ok(bytes.length <= 20, `segment ${i} is ${bytes.length} bytes`);
        const last = i === count - 1;
        const flags = i === 0 ? (last ? 0x05 : 0x01) : (last ? 0x06 : 0x02);
        assert.equal(bytes[0], flags, `flags of segment ${i}`);
        assert.equal(bytes[1], (250 + i) & 0xff, `sequence number of segment ${i}`);
        if (i === 0) assert.equal(bytes[2]! | (bytes[3]! << 8), size, 'message length');
        if (!last) assert.equal(bytes.length, 20, `segment ${i} is full`);
        reassembled = reassembler.accept(BtpCodec.decodePacket(bytes));
        assert.equal(reassembled === undefined, !last);
      });
      assert.deepEqual(reassembled, message);
    });
  }

  it('the SDK\'s lengths: 1 byte -> 5; 30 -> 20 + 16; 40 -> 20 + 20 + 8; 15 bytes with an ack -> 20', () => {
    assert.deepEqual(segmentsOf(bytesOf(1), 20).map((p) => p.length), [5]);
    assert.deepEqual(segmentsOf(bytesOf(30), 20).map((p) => p.length), [20, 16]);
    assert.deepEqual(segmentsOf(bytesOf(40), 20).map((p) => p.length), [20, 20, 8]);
    const withAck = new OutgoingMessage(bytesOf(15)).nextSegment(1, 0, 20);
    assert.equal(BtpCodec.encodePacket(withAck).length, 20);
    assert.equal(withAck.endsMessage, true);
  });

  it('refuses messages of 0 and of more than 1232 bytes', () => {
    assert.throws(() => new OutgoingMessage(new Uint8Array(0)), RangeError);
    assert.throws(() => new OutgoingMessage(new Uint8Array(MAX_BTP_MESSAGE_SIZE + 1)), RangeError);
    assert.doesNotThrow(() => new OutgoingMessage(new Uint8Array(MAX_BTP_MESSAGE_SIZE)));
  });

  it('reassembly refuses segments out of place', () => {
    const fresh = () => new Reassembler();
    assert.throws(() => fresh().accept(packet({ sequenceNumber: 0, continuesMessage: true, payload: hex('01') })), BtpProtocolError);
    const twoStarts = fresh();
    twoStarts.accept(packet({ sequenceNumber: 0, beginsMessage: true, messageLength: 4, payload: hex('01') }));
    assert.throws(() => twoStarts.accept(packet({ sequenceNumber: 1, beginsMessage: true, messageLength: 4, payload: hex('01') })), BtpProtocolError);
    assert.throws(() => fresh().accept(packet({ sequenceNumber: 0, beginsMessage: true, endsMessage: true, messageLength: 8, payload: bytesOf(9) })), BtpProtocolError);
    assert.throws(() => fresh().accept(packet({ sequenceNumber: 0, beginsMessage: true, endsMessage: true, messageLength: 10, payload: bytesOf(9) })), BtpProtocolError);
    assert.throws(() => fresh().accept(packet({ sequenceNumber: 0, beginsMessage: true, messageLength: 1233, payload: bytesOf(9) })), BtpProtocolError);
  });
});

describe('sequence numbers and acks', () => {
  it('wrap at 255; an ack must cover one to all of our packets in flight, across the wrap too', () => {
    const flow = new BtpFlow(6, { sent: 0, received: 1 });
    for (let n = 0; n < 254; n++) flow.acknowledge(flow.nextSequenceNumber());
    assert.deepEqual([254, 255, 0, 1].map(() => flow.nextSequenceNumber()), [254, 255, 0, 1]);
    assert.equal(flow.inFlight, 4);
    assert.equal(flow.canSendSegment, true);
    flow.nextSequenceNumber();
    assert.equal(flow.canSendSegment, false, '5 in flight: the last of 6 slots is kept for an ack');
    assert.throws(() => flow.acknowledge(3), BtpProtocolError, 'never sent');
    assert.throws(() => flow.acknowledge(253), BtpProtocolError, 'already acknowledged');
    flow.acknowledge(255);
    assert.equal(flow.inFlight, 3);
    assert.throws(() => flow.acknowledge(255), BtpProtocolError, 'a duplicate ack');
    flow.acknowledge(2);
    assert.equal(flow.inFlight, 0);
  });

  it('only the next sequence number is accepted, wrapping from 255 to 0', () => {
    const flow = new BtpFlow(6, { sent: 0, received: 1 });
    for (let n = 1; n < 256; n++) flow.receive(n);
    flow.receive(0);
    assert.throws(() => flow.receive(0), BtpProtocolError, 'repeated');
    assert.throws(() => flow.receive(2), BtpProtocolError, 'skipped');
    flow.receive(1);
  });

  it('owed acks: piggy-backed or, once the peer can send no further segment or the timer asked, alone', () => {
    const flow = new BtpFlow(4, { sent: 0, received: 1 }); // a central owing the ack of the handshake response
    assert.equal(flow.owedAcks, 1);
    assert.equal(flow.mustSendAck, false);
    flow.requestAck();
    assert.equal(flow.mustSendAck, true);
    assert.equal(flow.takeAck(), 0);
    assert.equal(flow.takeAck(), undefined, 'nothing owed any more');
    flow.receive(1);
    flow.receive(2);
    assert.equal(flow.mustSendAck, false);
    flow.receive(3);
    assert.equal(flow.mustSendAck, true, '3 of 4 slots of our window used');
    assert.equal(flow.takeAck(), 3);
  });
});

interface Received {
  messages: Uint8Array[];
  closes: unknown[];
}

function recorder(): Received & { onMessage: BtpSessionOptions['onMessage'] } {
  const messages: Uint8Array[] = [];
  return { messages, closes: [], onMessage: (message) => messages.push(message) };
}

/** A peripheral session fed by the test, packet by packet, as matter.js's BtpSessionHandlerTest does. */
async function scriptedPeripheral(request: string, options: Partial<BtpSessionOptions> & BtpTimerOptions & { mtu?: number } = {}) {
  const link = new FakeLink();
  const received = recorder();
  const session = BtpSession.acceptAsPeripheral(link, hex(request), { onMessage: received.onMessage, ...options });
  session.onClose((error) => received.closes.push(error));
  await session.subscribed();
  return { link, session, received };
}

/** A central session fed by the test; the handshake response arrives once it subscribed. */
async function scriptedCentral(response: string, options: Partial<BtpSessionOptions> & BtpTimerOptions & { mtu?: number } = {}) {
  const link = new FakeLink();
  const received = recorder();
  const session = await BtpSession.connectAsCentral(link, {
    onMessage: received.onMessage, ...options,
    subscribe: async (s) => { setImmediate(() => s.receivePacket(hex(response))); },
  });
  session.onClose((error) => received.closes.push(error));
  return { link, session, received };
}

describe('BtpSession driven packet by packet', () => {
  it('peripheral: answers matter.js\'s request with 656c04640006 (local max 100) only once subscribed', async () => {
    const link = new FakeLink();
    const session = BtpSession.acceptAsPeripheral(link, hex('656c04000000b90006'), { maxFragmentSize: 100, onMessage: () => {} });
    await tick();
    assert.deepEqual(link.written, []);
    await session.subscribed();
    assert.deepEqual(link.writtenHex, ['656c04640006']);
    assert.equal(session.fragmentSize, 100);
    assert.equal(session.windowSize, 6);
    session.close();
  });

  it('peripheral: fragment size from the MTU: unknown -> 20; 185 -> 182; 247 -> 244; our own MTU as fallback', async () => {
    const cases: [string, number | undefined, number][] = [
      ['656c04000000000006', undefined, 20], ['656c04000000b90006', undefined, 182], ['656c04000000f70006', undefined, 244],
      ['656c04000000000006', 100, 97], ['656c04000000170006', 247, 20],
    ];
    for (const [request, mtu, fragmentSize] of cases) {
      const session = BtpSession.acceptAsPeripheral(new FakeLink(), hex(request), { onMessage: () => {}, ...(mtu !== undefined && { mtu }) });
      assert.equal(session.fragmentSize, fragmentSize, `${request} / ${mtu}`);
      session.close();
    }
    const small = BtpSession.acceptAsPeripheral(new FakeLink(), hex('656c04000000000003'), { onMessage: () => {}, windowSize: 5 });
    assert.equal(small.windowSize, 3, 'the smaller window of both sides');
    small.close();
  });

  it('peripheral: refuses a request without version 4 (matter.js 656c05...), or with a window below 3', () => {
    assert.throws(() => BtpSession.acceptAsPeripheral(new FakeLink(), hex('656c05000000000006'), { onMessage: () => {} }), BtpProtocolError);
    assert.throws(() => BtpSession.acceptAsPeripheral(new FakeLink(), hex('656c04000000000002'), { onMessage: () => {} }), BtpProtocolError);
  });

  it('peripheral: matter.js one-segment exchange: receives 0d00000900.., replies 0d00010900090807060504030201', async () => {
    const { link, session, received } = await scriptedPeripheral('656c04000000b90006', { maxFragmentSize: 100 });
    session.receivePacket(hex('0d00000900010203040506070809'));
    assert.deepEqual(received.messages, [hex('010203040506070809')]);
    await session.send(hex('090807060504030201'));
    assert.deepEqual(link.writtenHex.slice(1), ['0d00010900090807060504030201']);
    session.close();
  });

  it('peripheral: matter.js two-segment exchange at fragment size 20: replies 0901011200.. then 0602060504', async () => {
    const { link, session, received } = await scriptedPeripheral('656c04000000b90006', { maxFragmentSize: 20 });
    assert.deepEqual(link.writtenHex, ['656c04140006']);
    session.receivePacket(hex('0900001000010203040506070809010203040506'));
    session.receivePacket(hex('060107'));
    assert.deepEqual(received.messages, [hex('01020304050607080901020304050607')]);
    await session.send(hex('030201090807060504030201090807060504'));
    assert.deepEqual(link.writtenHex.slice(1), ['0901011200030201090807060504030201090807', '0602060504']);
    session.close();
  });

  it('peripheral: an owed ack goes out alone after the send-ack delay: 080001 (matter.js)', async () => {
    const { link, session } = await scriptedPeripheral('656c04000000b90006', { maxFragmentSize: 100, sendAckDelayMs: 20 });
    session.receivePacket(hex('0d00000900010203040506070809'));
    await until(() => link.written.length === 2, 'the standalone ack');
    assert.equal(link.writtenHex[1], '080001');
    session.close();
  });

  it('central: writes the request 656c04000000b90006 (MTU 185), then subscribes; the response 656c04140006 opens it', async () => {
    const link = new FakeLink();
    const steps: string[] = [];
    const session = await BtpSession.connectAsCentral(link, {
      mtu: 185, onMessage: () => {},
      subscribe: async (s) => {
        steps.push(`subscribe after ${link.writtenHex.join(',')}`);
        setImmediate(() => s.receivePacket(hex('656c04140006')));
      },
    });
    assert.deepEqual(steps, ['subscribe after 656c04000000b90006']);
    assert.equal(session.fragmentSize, 20);
    assert.equal(session.windowSize, 6);
    assert.equal(session.role, 'central');
    assert.equal(session.reliable, true);
    session.close();
  });

  it('central: the browser default announces MTU 0 and window 6: 656c04000000000006', async () => {
    const { link, session } = await scriptedCentral('656c04f40006');
    assert.deepEqual(link.writtenHex, ['656c04000000000006']);
    assert.equal(session.fragmentSize, 244);
    session.close();
  });

  it('central: acks the handshake response with its first segment (ack 0, seq 0)', async () => {
    const { link, session } = await scriptedCentral('656c04140006');
    await session.send(hex('aabbcc'));
    assert.deepEqual(link.writtenHex.slice(1), ['0d00000300aabbcc']);
    session.close();
  });

  it('central: reassembles the SDK\'s segments (01010300fd, 0202fe, 0403ff) and acks them with 080300', async () => {
    const { link, session, received } = await scriptedCentral('656c04140006', { sendAckDelayMs: 20 });
    for (const text of ['01010300fd', '0202fe', '0403ff']) session.receivePacket(hex(text));
    assert.deepEqual(received.messages, [hex('fdfeff')]);
    await until(() => link.written.length === 2, 'the standalone ack');
    assert.equal(link.writtenHex[1], '080300', 'acks sequence number 3 with its own sequence number 0');
    session.close();
  });

  it('central: SDK EncodeStandAloneAckOnePacket: after 05010100ff the ack is 080100', async () => {
    const { link, session, received } = await scriptedCentral('656c04140006', { sendAckDelayMs: 20 });
    session.receivePacket(hex('05010100ff'));
    assert.deepEqual(received.messages, [hex('ff')]);
    await until(() => link.written.length === 2, 'the standalone ack');
    assert.equal(link.writtenHex[1], '080100');
    session.close();
  });

  it('central: acks at once when the peer can send only one more packet (window 3: 2 unacknowledged)', async () => {
    const { link, session, received } = await scriptedCentral('656c04140003');
    try {
      session.receivePacket(hex('05010100aa')); // with the response, 2 of the peer's packets unacknowledged
      assert.deepEqual(link.writtenHex.slice(1), ['080100']);
      session.receivePacket(hex('05020100bb'));
      await tick();
      assert.equal(link.written.length, 2, 'one unacknowledged: the ack can wait for the timer');
      session.receivePacket(hex('05030100cc'));
      assert.deepEqual(link.writtenHex.slice(1), ['080100', '080301']);
      assert.equal(received.messages.length, 3);
    } finally {
      session.close();
    }
  });

  it('accepts packets up to the fragment size + 3 (Apple counts the ATT header in the MTU), as matter.js does', async () => {
    const { session, received } = await scriptedCentral('656c04140006');
    try {
      const body = Array.from({ length: 19 }, (_, i) => (i + 1).toString(16).padStart(2, '0')).join('');
      session.receivePacket(hex(`05011300${body}`)); // 23 bytes at fragment size 20
      assert.equal(session.closed, false);
      assert.equal(received.closes.length, 0);
      assert.deepEqual(received.messages.map((m) => toHex(m)), [body]);
    } finally {
      session.close();
    }
  });

  it('peripheral at fragment size 244: a 247-byte packet is accepted, a 248-byte one closes the session', async () => {
    const open = async () => {
      const link = new FakeLink();
      const received = recorder();
      const session = BtpSession.acceptAsPeripheral(link, hex('656c04000000f70006'), { onMessage: received.onMessage });
      session.onClose((error) => received.closes.push(error));
      await session.subscribed();
      assert.equal(session.fragmentSize, 244);
      return { session, received };
    };
    const fits = await open();
    fits.session.receivePacket(hex('0500f300' + 'ab'.repeat(243)));
    assert.equal(fits.session.closed, false);
    assert.equal(fits.received.messages[0]?.length, 243);
    fits.session.close();
    const over = await open();
    over.session.receivePacket(hex('0500f400' + 'ab'.repeat(244)));
    assert.equal(over.session.closed, true);
    assert.ok(isBtpProtocolError(over.received.closes[0]), String(over.received.closes[0]));
  });

  const protocolErrors: [string, string[]][] = [
    ['a repeated sequence number', ['05010100aa', '05010100aa']],
    ['a skipped sequence number', ['05020100aa']],
    ['sequence numbers out of order (1, 3, 2)', ['05010100aa', '05030100bb', '05020100cc']],
    ['an ack of a packet never sent', ['0d05010100aa']],
    ['matter.js 0d6c04...: an ack (0x6c) of a packet never sent', ['0d6c04000000b90006']],
    ['segments longer than announced (matter.js: length 8, 9 bytes)', ['05010800010203040506070809']],
    ['a message over 1232 bytes announced', ['0101d104000102030405060708090a0b0c0d0e0f']],
    ['a packet 4 bytes over the fragment size (24 at 20), well formed otherwise', ['05011400' + '00'.repeat(20)]],
    ['a continuation without a beginning', ['0601aa']],
    ['a second handshake', ['656c04000000b90006']],
    ['a management packet', ['2d6c04000000b90006']],
  ];
  for (const [what, packets] of protocolErrors) {
    it(`${what} closes the session with BtpProtocolError`, async () => {
      const { link, session, received } = await scriptedCentral('656c04140006');
      const pending = session.send(bytesOf(200)); // more than the window holds: some segments still queued
      for (const text of packets) session.receivePacket(hex(text));
      assert.equal(session.closed, true);
      assert.equal(received.closes.length, 1);
      assert.ok(isBtpProtocolError(received.closes[0]), String(received.closes[0]));
      assert.equal(link.closeCalls, 1);
      await assert.rejects(pending, (e: unknown) => e instanceof BtpClosedError && isBtpProtocolError(e.cause));
      session.receivePacket(hex('05010100aa')); // ignored once closed
      assert.equal(received.closes.length, 1);
    });
  }

  it('a duplicate ack closes the session (the SDK rejects it too)', async () => {
    const { session, received } = await scriptedPeripheral('656c04000000000006');
    session.receivePacket(hex('080000'));
    assert.equal(session.closed, false);
    session.receivePacket(hex('080001'));
    assert.ok(isBtpProtocolError(received.closes[0]));
  });

  it('a packet before the handshake response closes a peripheral', () => {
    const closes: unknown[] = [];
    const session = BtpSession.acceptAsPeripheral(new FakeLink(), hex('656c04000000000006'), { onMessage: () => {} });
    session.onClose((e) => closes.push(e));
    session.receivePacket(hex('05000100aa'));
    assert.ok(isBtpProtocolError(closes[0]));
  });

  it('send refuses 0 and 1233 bytes with RangeError and stays open; 1232 bytes go out', async () => {
    const { link, session } = await scriptedCentral('656c04f40006');
    await assert.rejects(session.send(new Uint8Array(MAX_BTP_MESSAGE_SIZE + 1)), RangeError);
    await assert.rejects(session.send(new Uint8Array(0)), RangeError);
    assert.equal(session.closed, false);
    const sent = session.send(bytesOf(MAX_BTP_MESSAGE_SIZE));
    await until(() => link.written.length === 6, '5 segments of 244 bytes');
    await sleep(10);
    assert.equal(link.written.length, 6, 'window 6: at most 5 data segments in flight, the last slot kept for an ack');
    session.receivePacket(hex('080401')); // acks sequence numbers 0-4
    await sent;
    assert.equal(link.written.length, 7, '1232 bytes at fragment 244: 6 segments');
    session.close();
  });

  it('send after close rejects with BtpClosedError', async () => {
    const { session } = await scriptedCentral('656c04140006');
    session.close();
    await assert.rejects(session.send(hex('01')), BtpClosedError);
  });

  it('a failing GATT write closes the session with that error', async () => {
    const { link, session, received } = await scriptedCentral('656c04140006');
    link.fail = new Error('GATT operation failed');
    await assert.rejects(session.send(hex('01')), BtpClosedError);
    assert.equal(received.closes[0], link.fail);
  });
});

describe('BtpSession timers and closing', () => {
  it('ack timeout: our handshake response unacknowledged closes the peripheral with BtpTimeoutError(ack)', async () => {
    const { session, received } = await scriptedPeripheral('656c04000000000006', { ackTimeoutMs: 50 });
    await until(() => session.closed, 'the ack timeout');
    assert.ok(received.closes[0] instanceof BtpTimeoutError && received.closes[0].timer === 'ack');
  });

  it('ack timeout: segments unacknowledged close the central; acks in time keep it open', async () => {
    const { session, received } = await scriptedCentral('656c04140006', { ackTimeoutMs: 80 });
    void session.send(hex('01')).catch(() => {});
    await sleep(50);
    session.receivePacket(hex('080001')); // acks our segment 0
    await sleep(60);
    assert.equal(session.closed, false, 'everything acked: no timeout');
    await session.send(hex('02'));
    await until(() => session.closed, 'the ack timeout');
    assert.ok(received.closes[0] instanceof BtpTimeoutError && received.closes[0].timer === 'ack');
  });

  it('handshake timeout: connectAsCentral rejects with BtpTimeoutError(handshake) and releases the link', async () => {
    const link = new FakeLink();
    const started = Date.now();
    await assert.rejects(BtpSession.connectAsCentral(link, { onMessage: () => {}, handshakeTimeoutMs: 60, subscribe: async () => {} }),
      (e: unknown) => e instanceof BtpTimeoutError && e.timer === 'handshake');
    assert.ok(Date.now() - started >= 55);
    assert.equal(link.closeCalls, 1);
  });

  it('handshake timeout: a peripheral never subscribed to closes', async () => {
    const session = BtpSession.acceptAsPeripheral(new FakeLink(), hex('656c04000000000006'), { onMessage: () => {}, handshakeTimeoutMs: 40 });
    const closes: unknown[] = [];
    session.onClose((e) => closes.push(e));
    await until(() => session.closed, 'the handshake timeout');
    assert.ok(closes[0] instanceof BtpTimeoutError && closes[0].timer === 'handshake');
    await assert.rejects(session.subscribed(), BtpTimeoutError);
  });

  it('a bad handshake response rejects connectAsCentral with BtpProtocolError', async () => {
    for (const response of ['656c03140006', '656c04100006', '656c04140002', '0d00000100aa']) {
      await assert.rejects(scriptedCentral(response), BtpProtocolError, response);
    }
  });

  it('a failing subscribe rejects connectAsCentral with its error', async () => {
    const failure = new Error('startNotifications failed');
    await assert.rejects(BtpSession.connectAsCentral(new FakeLink(), { onMessage: () => {}, subscribe: async () => { throw failure; } }),
      (e: unknown) => e === failure);
  });

  it('idle timeout (optional) closes a session without data either way', async () => {
    const { session, received } = await scriptedCentral('656c04140006', { idleTimeoutMs: 40, sendAckDelayMs: 10 });
    await until(() => session.closed, 'the idle timeout');
    assert.ok(received.closes[0] instanceof BtpTimeoutError && received.closes[0].timer === 'idle');
  });

  it('close notifies every listener once, rejects pending sends, releases the link once', async () => {
    const { link, session } = await scriptedCentral('656c04140006');
    const calls: unknown[] = [];
    session.onClose((e) => calls.push(['a', e]));
    const remove = session.onClose((e) => calls.push(['removed', e]));
    session.onClose((e) => calls.push(['b', e]));
    remove();
    const pending = session.send(bytesOf(500));
    session.close();
    session.close(new Error('again'));
    assert.deepEqual(calls, [['a', undefined], ['b', undefined]]);
    assert.equal(link.closeCalls, 1);
    await assert.rejects(pending, BtpClosedError);
    const late: unknown[] = [];
    session.onClose((e) => late.push(e ?? 'closed'));
    await tick();
    assert.deepEqual(late, ['closed']);
  });
});

interface PairOptions extends BtpTimerOptions {
  deliveryMs?: number;
  mtu?: number;
  centralWindow?: number;
  peripheralWindow?: number;
  maxFragmentSize?: number;
  onCentralMessage?: BtpSessionOptions['onMessage'];
  onPeripheralMessage?: BtpSessionOptions['onMessage'];
}

/**
 * Tracks one side's packets in flight as the side itself sees them: a packet counts from its write until an ack
 * covering it is delivered to that side.
 */
class FlightProbe {
  readonly #unacked: { sequence: number; data: boolean }[] = [];
  maxData = 0;
  maxAll = 0;
  packets = 0;

  wrote(bytes: Uint8Array, handshake: boolean): void {
    this.packets++;
    if (handshake) {
      if (bytes.length === 6) this.#unacked.push({ sequence: 0, data: false }); // the response is sequence number 0
      return;
    }
    const decoded = BtpCodec.decodePacket(bytes);
    this.#unacked.push({ sequence: decoded.sequenceNumber, data: decoded.payload.length > 0 });
    this.maxAll = Math.max(this.maxAll, this.#unacked.length);
    this.maxData = Math.max(this.maxData, this.#unacked.filter((p) => p.data).length);
  }

  /** The other side's packet `bytes` reached this side. */
  delivered(bytes: Uint8Array): void {
    if (bytes[0] === 0x65) return;
    const { ackNumber } = BtpCodec.decodePacket(bytes);
    if (ackNumber === undefined) return;
    while (this.#unacked.length > 0 && this.#unacked.shift()!.sequence !== ackNumber);
  }
}

async function connectPair(options: PairOptions = {}) {
  const toPeripheral = new FakeLink(options.deliveryMs), toCentral = new FakeLink(options.deliveryMs);
  const centralProbe = new FlightProbe(), peripheralProbe = new FlightProbe();
  const centralReceived = recorder(), peripheralReceived = recorder();
  const timers: BtpTimerOptions = {
    sendAckDelayMs: options.sendAckDelayMs ?? 30,
    ...(options.ackTimeoutMs !== undefined && { ackTimeoutMs: options.ackTimeoutMs }),
  };
  let peripheral: BtpSession | undefined;
  let central: BtpSession | undefined;
  const observe = (link: FakeLink, probe: FlightProbe) => {
    const write = link.write.bind(link);
    link.write = (bytes) => {
      probe.wrote(bytes, bytes[0] === 0x65);
      return write(bytes);
    };
  };
  observe(toPeripheral, centralProbe);
  observe(toCentral, peripheralProbe);
  toPeripheral.deliver = (bytes) => {
    if (peripheral === undefined) {
      peripheral = BtpSession.acceptAsPeripheral(toCentral, bytes, {
        ...timers, onMessage: options.onPeripheralMessage ?? peripheralReceived.onMessage,
        ...(options.peripheralWindow !== undefined && { windowSize: options.peripheralWindow }),
        ...(options.maxFragmentSize !== undefined && { maxFragmentSize: options.maxFragmentSize }),
      });
      peripheral.onClose((e) => peripheralReceived.closes.push(e));
      return;
    }
    peripheralProbe.delivered(bytes);
    peripheral.receivePacket(bytes);
  };
  toCentral.deliver = (bytes) => {
    centralProbe.delivered(bytes);
    central!.receivePacket(bytes);
  };
  const connected = await BtpSession.connectAsCentral(toPeripheral, {
    ...timers, onMessage: options.onCentralMessage ?? centralReceived.onMessage,
    ...(options.mtu !== undefined && { mtu: options.mtu }),
    ...(options.centralWindow !== undefined && { windowSize: options.centralWindow }),
    subscribe: async (session) => {
      central = session;
      await until(() => peripheral !== undefined, 'the request to arrive'); // the CCCD write follows it
      setImmediate(() => void peripheral!.subscribed().catch(() => {}));
    },
  });
  connected.onClose((e) => centralReceived.closes.push(e));
  return {
    central: connected, peripheral: peripheral!, centralProbe, peripheralProbe, centralReceived, peripheralReceived,
    close: () => { connected.close(); peripheral!.close(); },
  };
}

describe('a central and a peripheral joined in memory', () => {
  const sizes = [1, 15, 16, 17, 100, 1232, 3, 400, 64, 1000, 18, 250];
  for (const window of [3, 6]) {
    it(`exchange many messages both ways with window ${window}, never more than ${window - 1} data segments in flight`, async () => {
      const pair = await connectPair({ centralWindow: window, deliveryMs: 2 });
      try {
        assert.equal(pair.central.windowSize, window);
        assert.equal(pair.peripheral.windowSize, window);
        assert.equal(pair.central.fragmentSize, 20);
        const toPeripheral = Array.from({ length: 30 }, (_, i) => bytesOf(sizes[i % sizes.length]!, i));
        const toCentral = Array.from({ length: 30 }, (_, i) => bytesOf(sizes[(i + 5) % sizes.length]!, 100 + i));
        await Promise.all([
          ...toPeripheral.map((m) => pair.central.send(m)),
          ...toCentral.map((m) => pair.peripheral.send(m)),
        ]);
        await until(() => pair.peripheralReceived.messages.length === toPeripheral.length
          && pair.centralReceived.messages.length === toCentral.length, 'every message');
        assert.deepEqual(pair.peripheralReceived.messages, toPeripheral);
        assert.deepEqual(pair.centralReceived.messages, toCentral);
        for (const [side, probe] of [['central', pair.centralProbe], ['peripheral', pair.peripheralProbe]] as const) {
          assert.ok(probe.maxData <= window - 1, `${side}: ${probe.maxData} data segments in flight`);
          assert.ok(probe.maxAll <= window, `${side}: ${probe.maxAll} packets in flight`);
          assert.equal(probe.maxData, window - 1, `${side} filled its window (the sender had to wait for acks)`);
          assert.ok(probe.packets > 300, `${side}: ${probe.packets} packets, sequence numbers wrapped`);
        }
        // Idle afterwards: owed acks still go out, nobody times out.
        await sleep(100);
        assert.deepEqual([pair.central.closed, pair.peripheral.closed], [false, false]);
      } finally {
        pair.close();
      }
    });
  }

  it('negotiates the fragment size from the central\'s MTU (247 -> 244) and the smaller window', async () => {
    const pair = await connectPair({ mtu: 247, centralWindow: 8, peripheralWindow: 4 });
    try {
      assert.deepEqual([pair.central.fragmentSize, pair.peripheral.fragmentSize], [244, 244]);
      assert.deepEqual([pair.central.windowSize, pair.peripheral.windowSize], [4, 4]);
      await pair.central.send(bytesOf(1232));
      await until(() => pair.peripheralReceived.messages.length === 1, 'the message');
      assert.deepEqual(pair.peripheralReceived.messages[0], bytesOf(1232));
    } finally {
      pair.close();
    }
  });

  it('a silent peer\'s owed acks still flow: a lone message is acked and nothing times out', async () => {
    const pair = await connectPair({ sendAckDelayMs: 10, ackTimeoutMs: 100 });
    try {
      await pair.central.send(hex('01'));
      await sleep(250);
      assert.deepEqual([pair.central.closed, pair.peripheral.closed], [false, false]);
    } finally {
      pair.close();
    }
  });

  it('closing one side\'s link closes that session; its listeners hear of it once', async () => {
    const pair = await connectPair();
    pair.central.close();
    assert.deepEqual(pair.centralReceived.closes, [undefined]);
    pair.central.close();
    assert.equal(pair.centralReceived.closes.length, 1);
    pair.peripheral.close();
  });
});

describe('PASE over BTP', () => {
  const PASSCODE = 20202021;

  it('pairs over a BtpSession pair (reliable MessageChannel); the session dies with the BTP session', async () => {
    const commissioner = await lib.SessionManager.create({}), device = await lib.SessionManager.create({});
    const ce = new lib.ExchangeManager(commissioner), de = new lib.ExchangeManager(device);
    const opened: lib.SecureSession[] = [];
    new lib.PaseResponder(de, { passcode: PASSCODE, onSession: (s) => opened.push(s) });
    const pair = await connectPair({
      centralWindow: 3,
      onCentralMessage: (message, channel) => ce.receive(message, channel),
      onPeripheralMessage: (message, channel) => de.receive(message, channel),
    });
    try {
      const session = await lib.establishPase(ce, pair.central, { passcode: PASSCODE });
      assert.equal(session.kind, 'pase');
      await until(() => opened.length === 1, 'the device\'s session');
      assert.equal(opened[0]!.id, session.peerSessionId);
      assert.equal(device.getSession(session.peerSessionId)?.peerSessionId, session.id);
      assert.ok(pair.centralProbe.packets > 10, 'PASE messages went out in several 20-byte segments');
      pair.central.close();
      assert.equal(session.closed, true, 'closing the BTP session closes the PASE session bound to it');
      pair.peripheral.close();
      assert.equal(device.sessionCount, 0);
    } finally {
      pair.close();
      ce.close(); de.close();
      await commissioner.close(); await device.close();
    }
  });
});
