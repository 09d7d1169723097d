// SPAKE2+ in Node: the conformance suite (every vector through the public API, peer misbehaviour, argument errors),
// the transcript's inner values (Z, V, TT, Ka, KcA, KcB) against the internal modules, a prover that skips the cB
// check, and a property: random passcodes and salts agree exactly when the passcodes are equal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as lib from '../src/index.js';
import { EMPTY } from '../src/core/arguments.js';
import { encodePoint, G, M, N, peerPoint, pointArgument, randomScalar, scalarArgument } from '../src/crypto/spake2p-group.js';
import {
  proverShare, proverSharedPoints, verifierSharedPoints,
} from '../src/crypto/spake2p-shares.js';
import { keySchedule, transcript } from '../src/crypto/spake2p-transcript.js';
import { spake2pChecks, type Spake2pSuiteData, type Spake2pVector } from './conformance/spake2p-suite.js';
import { readVectors } from './conformance/suite-data.js';

await lib.ready();
const data: Spake2pSuiteData = { spake2p: readVectors('spake2p.json'), pbkdf: readVectors('pbkdf.json') };

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

describe('SPAKE2+ conformance (Node)', () => {
  for (const check of spake2pChecks(lib, data)) it(check.name, () => check.run());
});

describe('SPAKE2+ transcript internals against every vector', () => {
  const { constants } = data.spake2p;

  it('M and N are the draft-01 / RFC 9383 P-256 points, in both encodings; G is the generator', () => {
    assert.equal(toHex(encodePoint(M)), constants.M);
    assert.equal(toHex(encodePoint(N)), constants.N);
    assert.equal(toHex(M.toBytes(true)), constants.M_compressed);
    assert.equal(toHex(N.toBytes(true)), constants.N_compressed);
    assert.equal(toHex(encodePoint(G)), constants.G);
  });

  for (const v of data.spake2p.vectors) {
    it(`${v.id}: L = w1*G, Z and V on each side, TT, Ka | Ke, KcA | KcB, cA, cB`, () => {
      const w0 = scalarArgument('w0', hex(v.w0)), w1 = scalarArgument('w1', hex(v.w1));
      assert.equal(toHex(encodePoint(G.multiply(w1))), v.L, 'L');
      const y = scalarArgument('y', hex(v.y));
      const atVerifier = verifierSharedPoints(y, w0, pointArgument('L', hex(v.L)), peerPoint('X', hex(v.X)));
      assert.equal(toHex(atVerifier.Z), v.Z, 'verifier Z');
      assert.equal(toHex(atVerifier.V), v.V, 'verifier V');
      if (v.x !== null) {
        const atProver = proverSharedPoints(scalarArgument('x', hex(v.x)), w0, w1, peerPoint('Y', hex(v.Y)));
        assert.equal(toHex(atProver.Z), v.Z, 'prover Z');
        assert.equal(toHex(atProver.V), v.V, 'prover V');
      }
      const tt = transcript({
        context: hex(v.context), idProver: hex(v.idProver ?? ''), idVerifier: hex(v.idVerifier ?? ''),
        X: hex(v.X), Y: hex(v.Y), Z: hex(v.Z), V: hex(v.V), w0: hex(v.w0),
      });
      assert.equal(toHex(tt), v.TT, 'TT');
      const keys = keySchedule(tt, hex(v.X), hex(v.Y));
      for (const name of ['Ka', 'Ke', 'KcA', 'KcB', 'cA', 'cB'] as const) assert.equal(toHex(keys[name]), v[name], name);
    });
  }
});

/** A commissioner that sends cA without checking cB, as an attacker guessing the passcode would. */
function proverSkippingConfirmation(context: Uint8Array, secrets: lib.ProverSecrets) {
  const x = randomScalar(), w0 = scalarArgument('w0', secrets.w0), w1 = scalarArgument('w1', secrets.w1);
  const X = encodePoint(proverShare(x, w0));
  return {
    X,
    cA(Y: Uint8Array): Uint8Array {
      const { Z, V } = proverSharedPoints(x, w0, w1, peerPoint('Y', Y));
      return keySchedule(transcript({ context, idProver: EMPTY, idVerifier: EMPTY, X, Y, Z, V, w0: secrets.w0 }), X, Y).cA;
    },
  };
}

const isSpake2pMismatch = (e: unknown) =>
  e instanceof lib.Spake2pError && e.name === 'Spake2pError' && e.reason === 'confirmation-mismatch';

describe('a prover that skips the cB check', () => {
  const vector = data.spake2p.vectors.find((v): v is Spake2pVector & { passcode: number } => v.passcode !== undefined)!;
  const salt = hex(vector.salt!), context = hex(vector.context);
  const device = lib.computePasscodeVerifier(vector.passcode, salt, 1000);

  it('with the right passcode: its cA is accepted (the forgery below is built correctly)', () => {
    const attacker = proverSkippingConfirmation(context, device);
    const verifier = lib.startSpake2pVerifier({ context, w0: device.w0, L: device.L }, attacker.X);
    assert.equal(verifier.finish(attacker.cA(verifier.Y)).length, 16);
  });

  it('with a wrong passcode: the verifier rejects its cA with Spake2pError', () => {
    const attacker = proverSkippingConfirmation(context, lib.computePasscodeVerifier(vector.passcode + 1, salt, 1000));
    const verifier = lib.startSpake2pVerifier({ context, w0: device.w0, L: device.L }, attacker.X);
    assert.throws(() => verifier.finish(attacker.cA(verifier.Y)), isSpake2pMismatch);
  });
});

describe('property: random passcodes and salts', () => {
  const INVALID = new Set([11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 12345678, 87654321]);
  const passcode = fc.integer({ min: 1, max: 99_999_998 }).filter((p) => !INVALID.has(p));
  const salt = fc.uint8Array({ minLength: 16, maxLength: 32 });
  const context = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('equal passcodes always agree on Ke', () => {
    fc.assert(fc.property(passcode, salt, context, (p, s, ctx) => {
      const secrets = lib.computePasscodeVerifier(p, s, 1000);
      const stored = lib.parseVerifier(lib.serializeVerifier(secrets));
      const prover = lib.startSpake2pProver({ context: ctx, w0: secrets.w0, w1: secrets.w1 });
      const verifier = lib.startSpake2pVerifier({ context: ctx, ...stored }, prover.X);
      const { cA, Ke } = prover.finish(verifier.Y, verifier.cB);
      assert.equal(toHex(verifier.finish(cA)), toHex(Ke));
    }), { numRuns: 25 });
  });

  it('different passcodes never agree: the prover rejects cB, the verifier a cB-skipping prover\'s cA', () => {
    fc.assert(fc.property(passcode, passcode, salt, context, (p, q, s, ctx) => {
      fc.pre(p !== q);
      const device = lib.computePasscodeVerifier(p, s, 1000), commissioner = lib.computePasscodeVerifier(q, s, 1000);
      const prover = lib.startSpake2pProver({ context: ctx, w0: commissioner.w0, w1: commissioner.w1 });
      const verifier = lib.startSpake2pVerifier({ context: ctx, w0: device.w0, L: device.L }, prover.X);
      assert.throws(() => prover.finish(verifier.Y, verifier.cB), isSpake2pMismatch);
      const attacker = proverSkippingConfirmation(ctx, commissioner);
      const attacked = lib.startSpake2pVerifier({ context: ctx, w0: device.w0, L: device.L }, attacker.X);
      assert.throws(() => attacked.finish(attacker.cA(attacked.Y)), isSpake2pMismatch);
    }), { numRuns: 15 });
  });
});
