// Exchanges and reliable messaging: acks piggy-backed and standalone, retransmission with datagrams dropped on
// purpose, the retransmission limit, duplicates re-acked and delivered once, no MRP timers over reliable channels,
// and real UDP on IPv4 and IPv6 loopback.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { memoryLink } from './support/memory-link.js';

await lib.ready();
const fast = { idleInterval: 20, activeInterval: 20, activeThreshold: 4000 };
const fabric = (nodeId: bigint) => ({ fabricIndex: 1, fabricId: 1n, nodeId, compressedFabricId: new Uint8Array(8) });
const decodeCounter = (d: Uint8Array) => lib.decodeMessageHeader(d).header.messageCounter;

async function connectedPair(channelA: lib.MessageChannel, channelB: lib.MessageChannel) {
  const secret = new Uint8Array(32).fill(4), salt = new Uint8Array(0);
  const ma = await lib.SessionManager.create({ fabrics: { initial: [fabric(1n)] } });
  const mb = await lib.SessionManager.create({ fabrics: { initial: [fabric(2n)] } });
  const idA = ma.getNextAvailableSessionId(), idB = mb.getNextAvailableSessionId();
  const sa = await ma.createSecureSession({ sessionId: idA, peerSessionId: idB, sharedSecret: secret, salt, isInitiator: true,
    isResumption: false, peerNodeId: 2n, fabricIndex: 1, channel: channelA, sessionParameters: fast });
  const sb = await mb.createSecureSession({ sessionId: idB, peerSessionId: idA, sharedSecret: secret, salt, isInitiator: false,
    isResumption: false, peerNodeId: 1n, fabricIndex: 1, channel: channelB, sessionParameters: fast });
  const atA: lib.DecodedMessage[] = [], atB: lib.DecodedMessage[] = [];
  const ea = new lib.ExchangeManager(ma, { onMessage: (m) => atA.push(m) });
  const eb = new lib.ExchangeManager(mb, { onMessage: (m) => atB.push(m) });
  return { ma, mb, sa, sb, ea, eb, atA, atB, close: async () => { ea.close(); eb.close(); await ma.close(); await mb.close(); } };
}

/** Managers with a session between them, each receiving from its end of an in-memory link. */
async function linkedPair(reliable: boolean) {
  const link = memoryLink(reliable);
  const p = await connectedPair(link.a, link.b);
  link.a.receiver = (d, c) => p.ea.receive(d, c);
  link.b.receiver = (d, c) => p.eb.receive(d, c);
  return { link, ...p };
}

/** An echo protocol (id 0xFFF1): the responder replies to each message with the same payload. */
function echo(exchanges: lib.ExchangeManager, seen: Uint8Array[] = []) {
  exchanges.addProtocolHandler(0xfff1, async (exchange, first) => {
    seen.push(first.payload);
    await exchange.send(2, first.payload, { protocolId: 0xfff1 });
    await exchange.close();
  });
  return seen;
}

describe('exchanges over an unreliable link (UDP-like)', () => {
  it('a request is answered; the request is acked by piggy-back, the answer by a standalone ack', async () => {
    const p = await linkedPair(false);
    const link = p.link;
    echo(p.eb);
    try {
      const exchange = p.ea.initiate(p.sa);
      await exchange.send(1, new Uint8Array([1, 2, 3]), { protocolId: 0xfff1 });
      const reply = await exchange.next(2000);
      assert.deepEqual(reply.payload, new Uint8Array([1, 2, 3]));
      assert.equal(reply.payloadHeader.needsAck, true, 'the answer is reliable');
      assert.equal(reply.payloadHeader.ackedMessageCounter, decodeCounter(link.b.delivered[0]!), 'it piggy-backs the ack of the request');
      await exchange.close();
      await new Promise((r) => setTimeout(r, 30));
      const last = p.atB.at(-1)!.payloadHeader;
      assert.equal(last.opcode, lib.SecureChannelOpcode.standaloneAck, 'closing sent the ack it owed, standalone');
      assert.equal(last.ackedMessageCounter, reply.messageCounter);
    } finally {
      await p.close();
    }
  });

  it('datagrams dropped on purpose are retransmitted with the same counter until acked', async () => {
    const p = await linkedPair(false);
    const link = p.link;
    const seen = echo(p.eb);
    link.a.drop = (_d, i) => i < 2; // the first two transmissions are lost
    try {
      const exchange = p.ea.initiate(p.sa);
      const started = Date.now();
      await exchange.send(1, new Uint8Array([9]), { protocolId: 0xfff1 });
      assert.equal(link.a.sent, 3, 'sent three times');
      assert.ok(Date.now() - started >= 20, 'waited for the retransmission timer');
      assert.equal(seen.length, 1, 'delivered once');
      assert.equal(decodeCounter(link.b.delivered[0]!), decodeCounter(link.b.delivered[0]!), 'same counter');
      assert.deepEqual((await exchange.next(2000)).payload, new Uint8Array([9]));
      await exchange.close();
    } finally {
      await p.close();
    }
  });

  it('a lost ack makes the peer retransmit: the duplicate is acked again and not delivered twice', async () => {
    const p = await linkedPair(false);
    const link = p.link;
    const received: lib.ExchangeMessage[] = [];
    p.eb.addProtocolHandler(0xfff1, async (exchange, first) => { received.push(first); await new Promise((r) => setTimeout(r, 400)); await exchange.close(); });
    link.b.drop = (_d, i) => i === 0; // b's first standalone ack is lost
    try {
      const exchange = p.ea.initiate(p.sa);
      await exchange.send(1, new Uint8Array([5]), { protocolId: 0xfff1 });
      // The 20 ms retransmissions outrun the 200 ms standalone-ack timer: each duplicate is re-acked at once,
      // and the first of those acks is the one dropped.
      assert.ok(link.a.sent >= 2, `retransmitted (${link.a.sent} transmissions)`);
      assert.equal(received.length, 1, 'delivered once');
      assert.ok(link.b.sent >= 2, 'acked again after the lost ack');
      await exchange.close();
    } finally {
      await p.close();
    }
  });

  it('no ack at all: RetransmissionLimitError after 5 transmissions and the session is defunct', async () => {
    const link = memoryLink(false);
    const p = await connectedPair(link.a, link.b);
    link.a.drop = () => true;
    try {
      const exchange = p.ea.initiate(p.sa);
      await assert.rejects(exchange.send(1, new Uint8Array([1]), { protocolId: 0xfff1 }), lib.RetransmissionLimitError);
      assert.equal(link.a.sent, lib.MRP.maxTransmissions);
      assert.equal(p.sa.state, 'defunct');
    } finally {
      await p.close();
    }
  });
});

describe('exchanges over a reliable link (BTP/WebSocket-like)', () => {
  it('no R flag, no retransmission timers; the answer still comes', async () => {
    const p = await linkedPair(true);
    const link = p.link;
    echo(p.eb);
    try {
      const exchange = p.ea.initiate(p.sa);
      await exchange.send(1, new Uint8Array([7]), { protocolId: 0xfff1 });
      assert.deepEqual((await exchange.next(2000)).payload, new Uint8Array([7]));
      await exchange.close();
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(link.a.sent, 1, 'one message, no retransmission, no ack needed');
      assert.equal(p.atB[0]!.payloadHeader.needsAck, false, 'no R flag over a reliable channel');
      assert.equal(p.atA.every((m) => !m.payloadHeader.needsAck), true, 'nor from the responder');
    } finally {
      await p.close();
    }
  });
});

describe('UDP transport', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`an exchange round trip over ${host}`, async () => {
      const ta = await lib.UdpTransport.bind({ host }), tb = await lib.UdpTransport.bind({ host });
      const toB = ta.channelTo(host, tb.address.port), toA = tb.channelTo(host, ta.address.port);
      const p = await connectedPair(toB, toA);
      ta.onDatagram((d, c) => p.ea.receive(d, c));
      tb.onDatagram((d, c) => p.eb.receive(d, c));
      echo(p.eb);
      try {
        const exchange = p.ea.initiate(p.sa);
        await exchange.send(1, new Uint8Array([4, 2]), { protocolId: 0xfff1 });
        assert.deepEqual((await exchange.next(2000)).payload, new Uint8Array([4, 2]));
        await exchange.close();
      } finally {
        await p.close();
        await ta.close();
        await tb.close();
      }
      assert.equal(p.sa.closed, true, 'closing the transport closed the bound session');
    });
  }
});
