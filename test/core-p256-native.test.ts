// The native P-256 backend (src/crypto/p256-native.ts: node:crypto's ECDH with the y-coordinate recovered) and the
// native PBKDF2 against @noble/curves and @noble/hashes: equal results on every SPAKE2+ and PBKDF vector, on random
// scalars and points, at the scalars where the recovery falls back, and the SPAKE2+ suite with each backend.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { p256 } from '@noble/curves/nist.js';
import { pbkdf2Sha256 } from '../src/crypto/hashes.js';
import {
  nativeMultiply, nativeMultiplyBase, nativePbkdf2Sha256, p256Backend, redetectNativeP256, useNativeP256,
} from '../src/crypto/p256-native.js';
import { encodePoint, G, M, N, pointArgument, randomScalar, scalarArgument } from '../src/crypto/spake2p-group.js';
import * as lib from '../src/index.js';
import { spake2pChecks, type Spake2pSuiteData } from './conformance/spake2p-suite.js';
import { readVectors } from './conformance/suite-data.js';

await lib.ready();
const data: Spake2pSuiteData = { spake2p: readVectors('spake2p.json'), pbkdf: readVectors('pbkdf.json') };
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const n = p256.Point.CURVE().n;

describe('native P-256 backend', () => {
  it('is the one Node uses', () => assert.equal(p256Backend(), 'native'));

  it('k*G equals @noble for every vector scalar and 50 random ones', () => {
    const scalars = data.spake2p.vectors.flatMap((v) => [v.w0, v.w1, v.y, v.x].filter((s): s is string => !!s))
      .map((s) => scalarArgument('s', hex(s)));
    for (let i = 0; i < 50; i++) scalars.push(randomScalar());
    scalars.push(1n, 2n, n - 1n);
    for (const k of scalars) assert.equal(toHex(encodePoint(nativeMultiplyBase(k)!)), toHex(encodePoint(G.multiply(k))));
  });

  it('k*P equals @noble on the vectors: Z and V from both sides, w0*M and w0*N', () => {
    for (const v of data.spake2p.vectors) {
      const w0 = scalarArgument('w0', hex(v.w0)), y = scalarArgument('y', hex(v.y));
      const L = pointArgument('L', hex(v.L)), X = pointArgument('X', hex(v.X));
      assert.equal(toHex(encodePoint(nativeMultiply(L, y)!)), v.V, `${v.id}: V = y*L`);
      assert.equal(toHex(encodePoint(nativeMultiply(X.subtract(M.multiply(w0)), y)!)), v.Z, `${v.id}: Z = y*(X - w0*M)`);
      assert.equal(toHex(encodePoint(nativeMultiply(M, w0)!)), toHex(encodePoint(M.multiply(w0))), `${v.id}: w0*M`);
      assert.equal(toHex(encodePoint(nativeMultiply(N, w0)!)), toHex(encodePoint(N.multiply(w0))), `${v.id}: w0*N`);
    }
  });

  it('k*P equals @noble for 100 random points and scalars (both y parities occur)', () => {
    const parities = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const P = G.multiply(randomScalar()), k = randomScalar();
      const native = nativeMultiply(P, k)!;
      assert.ok(native.equals(P.multiply(k)));
      parities.add(Number(native.toAffine().y & 1n));
    }
    assert.deepEqual([...parities].sort(), [0, 1]);
  });

  it('falls back (undefined) where the recovery does not apply: k = n - 1, k*P = P', () => {
    const P = G.multiply(randomScalar());
    assert.equal(nativeMultiply(P, n - 1n), undefined);
    assert.equal(nativeMultiply(P, 1n), undefined);
    assert.ok(nativeMultiply(P, 2n)!.equals(P.double()));
    assert.ok(nativeMultiply(P, n - 2n)!.equals(P.multiply(n - 2n)));
  });

  it('PBKDF2-HMAC-SHA256 equals @noble/hashes on every PBKDF vector', () => {
    const vectors = (data.pbkdf as { vectors: { passcode: number; salt: string; iterations: number }[] }).vectors;
    assert.ok(vectors.length > 0);
    for (const v of vectors) {
      const password = new Uint8Array(4);
      new DataView(password.buffer).setUint32(0, v.passcode, true);
      assert.equal(toHex(nativePbkdf2Sha256(password, hex(v.salt), v.iterations, 80)!),
        toHex(pbkdf2Sha256(password, hex(v.salt), v.iterations, 80)));
    }
  });

  it('a node:crypto that gives other results than @noble (a partial compatibility layer) fails the self-check', () => {
    const processObject = globalThis.process as unknown as { getBuiltinModule: (id: string) => unknown };
    const real = processObject.getBuiltinModule;
    const nodeCrypto = real('node:crypto') as { pbkdf2Sync: (...args: unknown[]) => Uint8Array };
    // A PBKDF2 that ignores its iteration count: ECDH works, PBKDF2 gives other bytes than @noble.
    const broken = (id: string) => id !== 'node:crypto' ? real(id) : {
      ...nodeCrypto,
      pbkdf2Sync: (password: Uint8Array, salt: Uint8Array, _iterations: number, length: number, digest: string) =>
        nodeCrypto.pbkdf2Sync(password, salt, 1, length, digest),
    };
    processObject.getBuiltinModule = broken;
    try {
      redetectNativeP256();
      assert.equal(p256Backend(), '@noble');
      assert.equal(nativeMultiply(G, 5n), undefined);
    } finally {
      processObject.getBuiltinModule = real;
      redetectNativeP256();
    }
    assert.equal(p256Backend(), 'native');
  });

  it('switched off, nothing native answers', () => {
    useNativeP256(false);
    try {
      assert.equal(p256Backend(), '@noble');
      assert.equal(nativeMultiplyBase(5n), undefined);
      assert.equal(nativePbkdf2Sha256(new Uint8Array(4), new Uint8Array(16), 1000, 80), undefined);
    } finally {
      useNativeP256(true);
    }
  });
});

// Every SPAKE2+ and passcode check once on each backend: the verifier's cached masks and both multiplication paths.
for (const backend of ['@noble', 'native'] as const) {
  describe(`SPAKE2+ conformance on the ${backend} backend`, () => {
    for (const check of spake2pChecks(lib, data)) {
      it(check.name, async () => {
        useNativeP256(backend === 'native');
        try {
          assert.equal(p256Backend(), backend);
          await check.run();
        } finally {
          useNativeP256(true);
        }
      });
    }
  });
}
