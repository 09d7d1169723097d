// The SPAKE2+ equations (draft-bar-cfrg-spake2plus-01 §3.3, as Matter PASE and RFC 9383 use them; P-256's cofactor
// is 1): the masked shares each side sends and the two points Z and V both sides reach when the passcodes agree.
// Every multiplication involves a secret scalar, so each is constant-time: the runtime's OpenSSL/BoringSSL where
// it has one (p256-native.ts), otherwise @noble's `multiply`.
import { nativeMultiply, nativeMultiplyBase } from './p256-native.js';
import { encodePoint, G, M, N, type CurvePoint } from './spake2p-group.js';
import { Spake2pError } from './spake2p-error.js';

/** Z and V, encoded: they enter the transcript TT. */
export interface SharedPoints {
  Z: Uint8Array;
  V: Uint8Array;
}

/** w0*M and w0*N: the masks. A device keeps the same w0 for every handshake, so it computes them once. */
export interface Masks {
  w0M: CurvePoint;
  w0N: CurvePoint;
}

const multiply = (P: CurvePoint, k: bigint): CurvePoint => nativeMultiply(P, k) ?? P.multiply(k);
const multiplyBase = (k: bigint): CurvePoint => nativeMultiplyBase(k) ?? G.multiply(k);

export function masks(w0: bigint): Masks {
  return { w0M: multiply(M, w0), w0N: multiply(N, w0) };
}

/** X = x*G + w0*M, the prover's share (pA in Pake1). */
export function proverShare(x: bigint, w0: bigint, w0M: CurvePoint = multiply(M, w0)): CurvePoint {
  return multiplyBase(x).add(w0M);
}

/** Y = y*G + w0*N, the verifier's share (pB in Pake2). */
export function verifierShare(y: bigint, w0: bigint, w0N: CurvePoint = multiply(N, w0)): CurvePoint {
  return multiplyBase(y).add(w0N);
}

function unmask(name: string, share: CurvePoint, mask: CurvePoint): CurvePoint {
  const unmasked = share.subtract(mask);
  // A share equal to w0*M (or w0*N) would make Z and V the identity whatever the other side's scalar: abort as
  // RFC 9383 §3.3 requires for an identity Z or V.
  if (unmasked.is0()) throw new Spake2pError('invalid-point', `${name}: the share unmasks to the identity`);
  return unmasked;
}

/** Prover: Z = x*(Y - w0*N), V = w1*(Y - w0*N). */
export function proverSharedPoints(x: bigint, w0: bigint, w1: bigint, Y: CurvePoint, w0N: CurvePoint = multiply(N, w0)):
  SharedPoints {
  const unmasked = unmask('Y', Y, w0N);
  return { Z: encodePoint(multiply(unmasked, x)), V: encodePoint(multiply(unmasked, w1)) };
}

/** Verifier: Z = y*(X - w0*M), V = y*L. */
export function verifierSharedPoints(y: bigint, w0: bigint, L: CurvePoint, X: CurvePoint,
  w0M: CurvePoint = multiply(M, w0)): SharedPoints {
  const unmasked = unmask('X', X, w0M);
  return { Z: encodePoint(multiply(unmasked, y)), V: encodePoint(multiply(L, y)) };
}
