// CcmKeyPair (a secure session's two keys in one object) and KeySlotLedger (one garbage-collection backstop for
// many pairs), and what they buy the session layer: the same bytes as AesCcmKey, slots wiped and released exactly
// once whichever way a pair ends, a session's attestation challenge kept compactly, and an idle session within
// 512 bytes of JS heap with 10,000 open.
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as lib from '../src/index.js';
import { CcmKeyPair, KeySlotLedger } from '../src/core/index.js';
import { derivePaseSessionKeys } from '../src/crypto/index.js';

await lib.ready();
// The collection checks need gc() whether or not the runner passed --expose-gc.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 29 + seed * 7) & 0xff);

function nodeSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  const body = c.update(pt);
  c.final();
  return new Uint8Array(Buffer.concat([body, c.getAuthTag()]));
}

/** Collects until `done` holds or the attempts run out (finalizers run on a later turn). */
async function collectUntil(done: () => boolean): Promise<boolean> {
  for (let i = 0; i < 50 && !done(); i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return done();
}

describe('CcmKeyPair', () => {
  it('seals with the sending key and opens with the receiving key, byte for byte as node:crypto', () => {
    const send = bytes(16, 1), receive = bytes(16, 2), nonce = bytes(13, 3), header = bytes(8, 4), payload = bytes(77, 5);
    const pair = new CcmKeyPair(send, receive);
    const message = new Uint8Array(8 + 77 + 16);
    message.set(header);
    message.set(payload, 8);
    assert.equal(pair.sealInPlace(message, 8, 77, nonce), message.length);
    assert.deepEqual(message.subarray(8), nodeSeal(send, nonce, header, payload));
    // The peer's pair has the keys the other way round.
    const peer = new CcmKeyPair(receive, send);
    assert.equal(peer.openInPlace(message, 8, nonce), 77);
    assert.deepEqual(message.subarray(8, 85), payload);
    // Our own receiving key does not open what we sealed.
    const again = new Uint8Array(message.length);
    again.set(header);
    again.set(payload, 8);
    pair.sealInPlace(again, 8, 77, nonce);
    assert.throws(() => pair.openInPlace(again.slice(), 8, nonce), lib.AuthenticationError);
    pair.dispose();
    peer.dispose();
  });

  it('takes two slots, gives both back once on dispose, and refuses use afterwards', () => {
    const before = lib.liveKeySlots();
    const pair = new CcmKeyPair(bytes(16, 1), bytes(16, 2));
    assert.equal(lib.liveKeySlots(), before + 2);
    pair.dispose();
    pair.dispose();
    assert.equal(lib.liveKeySlots(), before);
    assert.equal(pair.disposed, true);
    assert.throws(() => pair.sealInPlace(new Uint8Array(32), 0, 16, bytes(13, 1)), /disposed/);
  });

  it('names the argument it refuses, before taking any slot', () => {
    const before = lib.liveKeySlots();
    assert.throws(() => new CcmKeyPair(new Uint8Array(15), bytes(16, 1)), /sendKey: expected 16 bytes, got 15/);
    assert.throws(() => new CcmKeyPair(bytes(16, 1), 'key' as unknown as Uint8Array), /receiveKey: expected a Uint8Array/);
    assert.equal(lib.liveKeySlots(), before);
  });

  it('without a ledger: a pair dropped undisposed has its slots released by its own backstop', async () => {
    const before = lib.liveKeySlots();
    (() => { for (let i = 0; i < 8; i++) new CcmKeyPair(bytes(16, i), bytes(16, i + 1)); })();
    assert.equal(lib.liveKeySlots(), before + 16);
    assert.ok(await collectUntil(() => lib.liveKeySlots() === before), `live slots: ${lib.liveKeySlots()}, expected ${before}`);
  });

  it('with a ledger: the owner collected releases every pair it still had, and a surviving pair is not released twice',
    async () => {
      const before = lib.liveKeySlots();
      let survivor: CcmKeyPair | undefined;
      (() => {
        const owner = {};
        const ledger = new KeySlotLedger(owner);
        const pairs = Array.from({ length: 40 }, (_, i) => new CcmKeyPair(bytes(16, i), bytes(16, i + 2), ledger));
        for (const pair of pairs.slice(0, 10)) pair.dispose(); // their entries are reused below
        for (let i = 0; i < 5; i++) pairs.push(new CcmKeyPair(bytes(16, i), bytes(16, i), ledger));
        survivor = pairs[20];
      })();
      assert.equal(lib.liveKeySlots(), before + 70);
      assert.ok(await collectUntil(() => lib.liveKeySlots() === before), `live slots: ${lib.liveKeySlots()}, expected ${before}`);
      survivor!.dispose(); // its slots were released with its owner: nothing more may be released
      assert.equal(lib.liveKeySlots(), before);
    });
});

describe('compact secure sessions', () => {
  const fabric = { fabricIndex: 1, fabricId: 1n, nodeId: 0x1234_5678_9abc_def0n, compressedFabricId: new Uint8Array(8).fill(1) };

  it('a session keeps its attestation challenge, kind and flags; closing wipes the challenge and the keys', async () => {
    const manager = await lib.SessionManager.create({});
    const ke = bytes(16, 9);
    const expected = derivePaseSessionKeys(ke).attestationChallenge;
    const before = lib.liveKeySlots();
    const session = await manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 7,
      sharedSecret: ke, salt: new Uint8Array(0), isInitiator: true, isResumption: false, peerNodeId: 0n });
    assert.equal(lib.liveKeySlots(), before + 2);
    assert.deepEqual(session.attestationChallenge, expected);
    assert.notEqual(session.attestationChallenge, session.attestationChallenge, 'a fresh copy each time');
    assert.deepEqual([session.kind, session.isInitiator, session.isResumption, session.closed], ['pase', true, false, false]);
    await manager.close();
    assert.equal(session.closed, true);
    assert.deepEqual(session.attestationChallenge, new Uint8Array(16));
    assert.equal(lib.liveKeySlots(), before);
  });

  it('CASE sessions on one fabric share the nonce id object they send with', async () => {
    const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric] } });
    const make = (peer: bigint) => manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: 9,
      sharedSecret: bytes(32, 1), salt: bytes(16, 2), isInitiator: false, isResumption: true, peerNodeId: peer, fabricIndex: 1 });
    const a = await make(0xaaaa_bbbb_cccc_ddddn), b = await make(5n);
    assert.deepEqual([a.kind, a.isInitiator, a.isResumption], ['case', false, true]);
    assert.equal(a.sendNonceId, b.sendNonceId);
    assert.deepEqual({ ...a.sendNonceId }, { low: 0x9abc_def0, high: 0x1234_5678 });
    assert.deepEqual([a.receiveNonceLow >>> 0, a.receiveNonceHigh >>> 0], [0xcccc_dddd, 0xaaaa_bbbb]);
    await manager.close();
  });

  it('an idle secure session costs at most 512 bytes of JS heap, 10,000 open', async (t) => {
    const count = 10_000;
    const manager = await lib.SessionManager.create({ fabrics: { initial: [fabric] },
      limits: { maxSessions: count + 10, maxSessionsPerPeer: count + 10 } });
    const secret = bytes(32, 3), salt = new Uint8Array(0);
    // A first batch lets every shape, map and pool settle, so the figure is the steady cost per session.
    const open = async (n: number, from: number) => {
      for (let i = 0; i < n; i++) {
        await manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: ((from + i) % 65535) + 1,
          sharedSecret: secret, salt, isInitiator: true, isResumption: false, peerNodeId: BigInt(1000 + from + i), fabricIndex: 1 });
      }
    };
    await open(100, 0);
    gc(); gc();
    const before = process.memoryUsage().heapUsed;
    await open(count, 100);
    gc(); gc();
    const perSession = (process.memoryUsage().heapUsed - before) / count;
    await manager.close();
    t.diagnostic(`JS heap per idle session, 10,000 open: ${perSession.toFixed(0)} bytes`);
    assert.ok(perSession <= 512, `JS heap per idle session: ${perSession.toFixed(0)} bytes`);
    assert.ok(perSession > 100, `implausibly small (${perSession.toFixed(0)} bytes): the sessions were not kept?`);
  });
});
