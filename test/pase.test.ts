// PASE between our commissioner and our device: in memory and over UDP (IPv4 and IPv6), with datagrams dropped on
// purpose, wrong passcodes, both sides' timeouts, the window closing after 20 failures, busy devices, CloseSession.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { memoryLink } from './support/memory-link.js';
import { attack, openHandshake } from './support/pase-attacker.js';

await lib.ready();
const PASSCODE = 20202021;

async function pair(options: { reliable?: boolean; responder?: Partial<lib.PaseResponderOptions> } = {}) {
  const link = memoryLink(options.reliable ?? false);
  const commissioner = await lib.SessionManager.create({}), device = await lib.SessionManager.create({});
  const ce = new lib.ExchangeManager(commissioner), de = new lib.ExchangeManager(device);
  link.a.receiver = (d, c) => ce.receive(d, c);
  link.b.receiver = (d, c) => de.receive(d, c);
  const opened: lib.SecureSession[] = [];
  const responder = new lib.PaseResponder(de, { passcode: PASSCODE, onSession: (s) => opened.push(s), ...options.responder });
  return {
    link, commissioner, device, ce, de, responder, opened,
    close: async () => { ce.close(); de.close(); await commissioner.close(); await device.close(); },
  };
}

/** Both sides hold the session and can talk: an encrypted message each way. */
function assertTalk(p: Awaited<ReturnType<typeof pair>>, session: lib.SecureSession) {
  const deviceSession = p.device.getSession(session.peerSessionId)!;
  assert.equal(deviceSession.peerSessionId, session.id);
  const header = { exchangeId: 1, protocolId: 0xfff1, opcode: 1, initiator: true, needsAck: false };
  assert.deepEqual(p.device.decode(p.commissioner.encode(session, header, new Uint8Array([1]))).payload, new Uint8Array([1]));
  assert.deepEqual(p.commissioner.decode(p.device.encode(deviceSession, { ...header, initiator: false }, new Uint8Array([2]))).payload, new Uint8Array([2]));
}

describe('PASE in memory', () => {
  it('pairs; both sides hold matching secure sessions under the ids they reserved', async () => {
    const p = await pair();
    try {
      const session = await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE });
      assert.equal(session.kind, 'pase');
      await new Promise((r) => setTimeout(r, 20)); // the device reports its session once the success report is acked
      assert.equal(p.opened.length, 1);
      assert.equal(p.opened[0]!.id, session.peerSessionId);
      assertTalk(p, session);
      assert.equal(p.commissioner.getUnsecuredSession(0n), undefined);
    } finally {
      await p.close();
    }
  });

  it('pairs over a reliable link too (no MRP timers)', async () => {
    const p = await pair({ reliable: true });
    try {
      assertTalk(p, await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }));
    } finally {
      await p.close();
    }
  });

  it('pairs with every third datagram dropped on purpose (retransmission)', async () => {
    const p = await pair();
    p.link.a.drop = (_d, i) => i % 3 === 1;
    p.link.b.drop = (_d, i) => i % 3 === 2;
    try {
      assertTalk(p, await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }));
      // Without loss: commissioner 3 messages + 1 standalone ack, device 3 messages. Every drop adds a resend.
      assert.ok(p.link.a.sent > 4, `commissioner retransmitted (${p.link.a.sent} sent)`);
      assert.ok(p.link.b.sent > 3, `device retransmitted (${p.link.b.sent} sent)`);
    } finally {
      await p.close();
    }
  });

  it('a wrong passcode: PaseError wrong-passcode, no session on either side, the failure counted', async () => {
    const p = await pair();
    try {
      await assert.rejects(lib.establishPase(p.ce, p.link.a, { passcode: 11223344 }), (e: unknown) =>
        e instanceof lib.PaseError && e.failure === 'wrong-passcode');
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(p.commissioner.sessionCount, 0);
      assert.equal(p.device.sessionCount, 0);
      assert.equal(p.responder.failedAttempts, 1);
      // The window is still open: the right passcode works afterwards.
      assertTalk(p, await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }));
    } finally {
      await p.close();
    }
  });

  it('20 failed attempts close the commissioning window: then even the right passcode is refused', async () => {
    let closed = 0;
    const p = await pair({ responder: { onWindowClosed: () => closed++ } });
    try {
      for (let n = 0; n < 20; n++) {
        await assert.rejects(lib.establishPase(p.ce, p.link.a, { passcode: 11223344 + n }), lib.PaseError);
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(p.responder.windowOpen, false);
      assert.equal(closed, 1);
      await assert.rejects(lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }), (e: unknown) =>
        e instanceof lib.PaseError && e.failure === 'busy' && e.retryAfterSeconds !== undefined && e.retryAfterSeconds >= 9
        && /commissioning window closed.*retry in \d+ s/.test(e.message));
    } finally {
      await p.close();
    }
  });

  it('a second commissioner while a PASE session is open is told busy', async () => {
    const p = await pair();
    try {
      await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE });
      await assert.rejects(lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }), (e: unknown) =>
        e instanceof lib.PaseError && e.failure === 'busy');
    } finally {
      await p.close();
    }
  });

  it('a silent device: the commissioner times out with PaseError timeout and keeps nothing', async () => {
    const p = await pair();
    p.link.a.drop = () => true;
    try {
      await assert.rejects(lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE, timeoutMs: 300 }), (e: unknown) =>
        e instanceof lib.PaseError && (e.failure === 'timeout' || e.failure === 'protocol'));
      assert.equal(p.commissioner.sessionCount, 0);
    } finally {
      await p.close();
    }
  });

  it('a commissioner that stalls mid-handshake: the device drops it after its timeout and accepts the next', async () => {
    const p = await pair({ responder: { handshakeTimeoutMs: 200 } });
    try {
      // Send only the PBKDFParamRequest, by hand, then go quiet.
      const unsecured = p.commissioner.createUnsecuredSession({ isInitiator: true, channel: p.link.a });
      const exchange = p.ce.initiate(unsecured);
      await exchange.send(lib.SecureChannelOpcode.pbkdfParamRequest, lib.encodePbkdfParamRequest({
        initiatorRandom: new Uint8Array(32).fill(1), initiatorSessionId: 77, passcodeId: 0, hasPbkdfParameters: false,
      }));
      await exchange.next(1000);
      exchange.abort(new Error('stalled on purpose'));
      await new Promise((r) => setTimeout(r, 350));
      assertTalk(p, await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }));
    } finally {
      await p.close();
    }
  });

  it('the connection closing mid-handshake fails it at once with PaseError disconnected', async () => {
    const p = await pair();
    p.link.b.drop = () => true; // the device goes quiet...
    try {
      const started = Date.now();
      setTimeout(() => p.link.a.close(new Error('link lost')), 50); // ...and then the link drops
      await assert.rejects(lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE, timeoutMs: 30_000 }), (e: unknown) =>
        e instanceof lib.PaseError && e.failure === 'disconnected' && /link lost/.test(e.message));
      assert.ok(Date.now() - started < 2000, 'long before the 30 s answer timeout');
      assert.equal(p.commissioner.sessionCount, 0);
    } finally {
      await p.close();
    }
  });

  it('CloseSession ends the session on both sides', async () => {
    const p = await pair();
    try {
      const session = await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE });
      const reasons: string[] = [];
      p.device.events.on('sessionClosed', (_s, reason) => reasons.push(reason));
      await lib.closeSession(p.ce, session);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(session.closed, true);
      assert.equal(p.device.sessionCount, 0);
      assert.deepEqual(reasons, ['peer-closed']);
    } finally {
      await p.close();
    }
  });
});

describe('PASE over UDP', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`pairs over ${host} and the session dies with the transport`, async () => {
      const commissioner = await lib.SessionManager.create({}), device = await lib.SessionManager.create({});
      const ce = new lib.ExchangeManager(commissioner), de = new lib.ExchangeManager(device);
      const deviceUdp = await lib.UdpTransport.bind({ host }), commissionerUdp = await lib.UdpTransport.bind({ host });
      deviceUdp.onDatagram((d, c) => de.receive(d, c));
      commissionerUdp.onDatagram((d, c) => ce.receive(d, c));
      new lib.PaseResponder(de, { passcode: PASSCODE });
      try {
        const session = await lib.establishPase(ce, commissionerUdp.channelTo(host, deviceUdp.address.port), { passcode: PASSCODE });
        assert.equal(device.getSession(session.peerSessionId)?.peerSessionId, session.id);
        await commissionerUdp.close();
        assert.equal(session.closed, true);
      } finally {
        ce.close(); de.close();
        await commissionerUdp.close(); await deviceUdp.close();
        await commissioner.close(); await device.close();
      }
    });
  }
});

describe('reading attributes after PASE', () => {
  it('reads BasicInformation VendorName and gets statuses for what the device lacks', async () => {
    const p = await pair();
    new lib.AttributeServer(p.de, lib.basicInformationAttributes({ vendorName: 'Acme Lights', vendorId: 0xfff1, productName: 'Lamp', productId: 0x8000 }));
    try {
      const session = await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE });
      const vendorName = await lib.readAttribute(p.ce, session, lib.parseAttributePath('0/0x28/1'));
      assert.equal(lib.tlvToPlainValue(vendorName), 'Acme Lights');
      await assert.rejects(lib.readAttribute(p.ce, session, { endpoint: 0, cluster: 0x28, attribute: 0x99 }),
        (e: unknown) => e instanceof lib.InteractionStatusError && e.status === lib.InteractionModelStatus.unsupportedAttribute);
      await assert.rejects(lib.readAttribute(p.ce, session, { endpoint: 3, cluster: 0x28, attribute: 1 }),
        (e: unknown) => e instanceof lib.InteractionStatusError && e.status === lib.InteractionModelStatus.unsupportedEndpoint);
      const all = await lib.readAttributes(p.ce, session, [{ endpoint: 0, cluster: 0x28 }]);
      assert.ok(all.length >= 8 && all.every((r) => r.data !== undefined), 'a wildcard read returns every attribute');
    } finally {
      await p.close();
    }
  });
});

describe('the commissioning window: what counts, the back-off, reopening, a new passcode', () => {
  it('twenty-five cheap attempts (PBKDFParamRequest then a failure StatusReport, no SPAKE2+) count for nothing', async () => {
    const p = await pair({ reliable: true });
    try {
      for (let n = 0; n < 25; n++) {
        assert.equal(await attack(p.ce, p.link.a, 'status-report'), lib.SecureChannelOpcode.pbkdfParamResponse, `attempt ${n}`);
      }
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(p.responder.failedAttempts, 0);
      assert.equal(p.responder.windowOpen, true);
      assertTalk(p, await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }));
    } finally {
      await p.close();
    }
  });

  it('a confirmation cA that does not match counts (and is answered with a failure StatusReport)', async () => {
    const failures: lib.HandshakeFailure[] = [];
    const p = await pair({ reliable: true, responder: { onHandshakeFailed: (f) => failures.push(f) } });
    try {
      await attack(p.ce, p.link.a, 'wrong-ca');
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(p.responder.failedAttempts, 1);
      assert.deepEqual(failures.map((f) => [f.failure, f.stage, f.counted]), [['wrong-passcode', 'awaiting-pake3', true]]);
    } finally {
      await p.close();
    }
  });

  it('closes after 20 failures for a back-off that doubles to its cap and reopens by itself (injected clock)', async () => {
    let now = 1_000_000;
    const changes: string[] = [];
    const p = await pair({ reliable: true, responder: {
      now: () => now, windowBackoff: { initialMs: 10_000, maxMs: 25_000 },
      onWindowChange: (state, change) => changes.push(`${change}:${state.open ? 'open' : 'closed'}`),
    } });
    const fail20 = async () => {
      for (let n = 0; n < 20; n++) await attack(p.ce, p.link.a, 'wrong-ca', 11223344 + n);
      await new Promise((r) => setTimeout(r, 10));
    };
    const refused = async (seconds: number) => {
      await assert.rejects(lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }), (e: unknown) =>
        e instanceof lib.PaseError && e.failure === 'busy' && e.retryAfterSeconds === seconds, `busy, retry in ${seconds} s`);
    };
    try {
      await fail20();
      assert.equal(p.responder.windowOpen, false);
      assert.deepEqual(p.responder.windowState, {
        open: false, failedAttempts: 20, maxFailedAttempts: 20, closures: 1, totalFailures: 20, reopensAt: 1_010_000, retryAfterMs: 10_000,
      });
      await refused(10);
      now += 4_000;
      await refused(6);
      now += 6_000; // the back-off is over: open again, failures forgotten
      assert.equal(p.responder.windowOpen, true);
      assert.equal(p.responder.failedAttempts, 0);
      await fail20();
      assert.equal(p.responder.windowState.retryAfterMs, 20_000, 'the second closure lasts twice as long');
      now += 20_000;
      await fail20();
      assert.equal(p.responder.windowState.retryAfterMs, 25_000, 'the third is capped');
      now += 25_000;
      const session = await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE });
      assertTalk(p, session);
      await lib.closeSession(p.ce, session); // a device refuses handshakes while a PASE session is open
      await new Promise((r) => setTimeout(r, 10));
      await fail20();
      assert.equal(p.responder.windowState.retryAfterMs, 10_000, 'a successful pairing started the back-off over');
      assert.equal(changes.filter((c) => c.startsWith('closed')).length, 4);
      assert.equal(changes.filter((c) => c === 'reopened:open').length, 3);
      assert.equal(changes.filter((c) => c.startsWith('failure')).length, 80);
    } finally {
      await p.close();
    }
  });

  it('openWindow() reopens at once; setPasscode() rotates the passcode and reopens; bad passcodes change nothing', async () => {
    const p = await pair({ reliable: true });
    try {
      for (let n = 0; n < 20; n++) await attack(p.ce, p.link.a, 'wrong-ca');
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(p.responder.windowOpen, false);
      p.responder.openWindow();
      assert.equal(p.responder.windowOpen, true);
      assert.equal(p.responder.failedAttempts, 0);
      assertTalk(p, await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }));
      await p.commissioner.close(); // frees the device's PASE-session rule for the next pairing
      const again = await pair({ reliable: true });
      try {
        again.responder.setPasscode(34567890);
        await assert.rejects(lib.establishPase(again.ce, again.link.a, { passcode: PASSCODE }), (e: unknown) =>
          e instanceof lib.PaseError && e.failure === 'wrong-passcode');
        await new Promise((r) => setTimeout(r, 10));
        assert.throws(() => again.responder.setPasscode(12345678), RangeError);
        assert.throws(() => again.responder.setPasscode(0), RangeError);
        assert.equal(again.responder.failedAttempts, 1, 'a refused passcode reset nothing');
        assertTalk(again, await lib.establishPase(again.ce, again.link.a, { passcode: 34567890 }));
      } finally {
        await again.close();
      }
    } finally {
      await p.close().catch(() => {});
    }
  });
});

describe('handshake slots: stalled handshakes go first', () => {
  it('with every slot held by stalled handshakes, a newcomer takes the oldest one\'s slot and pairs', async () => {
    const failures: lib.HandshakeFailure[] = [];
    const p = await pair({ reliable: true, responder: { maxConcurrentHandshakes: 4, onHandshakeFailed: (f) => failures.push(f) } });
    try {
      const stalled = [];
      for (let n = 0; n < 4; n++) stalled.push(await openHandshake(p.ce, p.link.a));
      assert.equal(p.responder.handshakes.awaitingPake1, 4);
      assertTalk(p, await lib.establishPase(p.ce, p.link.a, { passcode: PASSCODE }));
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(p.responder.handshakes.evicted, 1);
      assert.equal(p.responder.handshakes.pending, 3);
      assert.deepEqual(failures.map((f) => [f.failure, f.stage, f.counted]), [['evicted', 'awaiting-pake1', false]]);
      assert.equal(p.responder.failedAttempts, 0, 'an evicted handshake before Pake2 is no failure');
      for (const s of stalled) s.exchange.abort(new Error('done'));
    } finally {
      await p.close();
    }
  });

  it('over a reliable channel a stalled handshake is dropped after the short step timeout', async () => {
    const p = await pair({ reliable: true, responder: { reliableStepTimeoutMs: 150, maxConcurrentHandshakes: 8 } });
    try {
      await openHandshake(p.ce, p.link.a);
      assert.equal(p.responder.handshakes.pending, 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(p.responder.handshakes.pending, 0);
      assert.equal(p.device.getUnsecuredSession(0n), undefined);
    } finally {
      await p.close();
    }
  });
});
