// P-256 wrapper: agreement with node:crypto both ways (ECDH, ECDSA raw and DER), high-S accepted, bad input typed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, createSign, createVerify, generateKeyPairSync, createPublicKey } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import {
  generateP256KeyPair, p256PublicKey, ecdsaSignSha256, ecdsaVerifySha256, ecdhP256, ecdsaRawToDer, ecdsaDerToRaw,
  isValidP256PublicKey,
} from '../src/crypto/index.js';
import { p256OperationsBackend, useNativeP256Operations } from '../src/crypto/p256-native-ops.js';

test('Node has the native backend (node:crypto), self-checked against @noble', () => {
  assert.equal(p256OperationsBackend(), 'native');
});

for (const backend of ['native', '@noble'] as const) {
describe(`P-256 on ${backend}`, () => {
  before(() => useNativeP256Operations(backend === 'native'));
  after(() => useNativeP256Operations(true));

function nodeKeyFromRaw(publicKey: Uint8Array) {
  const x = Buffer.from(publicKey.subarray(1, 33)).toString('base64url');
  const y = Buffer.from(publicKey.subarray(33)).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
}

test('ECDH agrees with node:crypto', () => {
  for (let i = 0; i < 10; i++) {
    const ours = generateP256KeyPair();
    const theirs = createECDH('prime256v1');
    theirs.generateKeys();
    const a = ecdhP256(ours.privateKey, new Uint8Array(theirs.getPublicKey()));
    const b = theirs.computeSecret(Buffer.from(ours.publicKey));
    assert.deepEqual(Buffer.from(a), b);
    assert.equal(a.length, 32);
    assert.deepEqual(p256PublicKey(ours.privateKey), ours.publicKey);
  }
});

test('ECDSA: our signatures verify in node:crypto and node:crypto signatures (high S included) verify here', () => {
  const message = new TextEncoder().encode('TBSData2');
  for (let i = 0; i < 10; i++) {
    const ours = generateP256KeyPair();
    const signature = ecdsaSignSha256(ours.privateKey, message);
    assert.equal(signature.length, 64);
    const verifier = createVerify('SHA256');
    verifier.update(message);
    assert.ok(verifier.verify({ key: nodeKeyFromRaw(ours.publicKey), dsaEncoding: 'ieee-p1363' }, signature));
    assert.deepEqual(ecdsaDerToRaw(ecdsaRawToDer(signature)), signature);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-65));
  let sawHighS = false;
  for (let i = 0; i < 40; i++) {
    const m = new TextEncoder().encode(`message ${i}`);
    const signer = createSign('SHA256');
    signer.update(m);
    const sig = new Uint8Array(signer.sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }));
    sawHighS ||= p256.Signature.fromBytes(sig, 'compact').hasHighS();
    assert.ok(ecdsaVerifySha256(raw, m, sig), `signature ${i}`);
    const tampered = sig.slice();
    tampered[10] = tampered[10]! ^ 1;
    assert.equal(ecdsaVerifySha256(raw, m, tampered), false);
  }
  assert.ok(sawHighS, 'node:crypto produced at least one high-S signature in 40');
});

test('bad input is refused with typed errors', () => {
  const pair = generateP256KeyPair();
  assert.throws(() => ecdhP256(pair.privateKey, new Uint8Array(65)), RangeError);
  assert.throws(() => p256PublicKey(new Uint8Array(32)), RangeError);
  assert.throws(() => ecdsaSignSha256(new Uint8Array(31), new Uint8Array(1)), RangeError);
  assert.equal(isValidP256PublicKey(new Uint8Array(64)), false);
  assert.equal(ecdsaVerifySha256(pair.publicKey, new Uint8Array(1), new Uint8Array(63)), false);
  assert.throws(() => ecdsaDerToRaw(new Uint8Array([0x30, 0x01])), RangeError);
});
});
}
