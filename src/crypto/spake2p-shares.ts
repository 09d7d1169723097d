// The SPAKE2+ equations (draft-bar-cfrg-spake2plus-01 §3.3, as Matter PASE and RFC 9383 use them; P-256's cofactor
// is 1): the masked shares each side sends and the two points Z and V both sides reach when the passcodes agree.
// Every multiplication involves a secret scalar, so all of them use @noble's constant-time `multiply`.
import { encodePoint, G, M, N, type CurvePoint } from './spake2p-group.js';
import { Spake2pError } from './spake2p-error.js';

/** Z and V, encoded: they enter the transcript TT. */
export interface SharedPoints {
  Z: Uint8Array;
  V: Uint8Array;
}

/** X = x*G + w0*M, the prover's share (pA in Pake1). */
export function proverShare(x: bigint, w0: bigint): CurvePoint {
  return G.multiply(x).add(M.multiply(w0));
}

/** Y = y*G + w0*N, the verifier's share (pB in Pake2). */
export function verifierShare(y: bigint, w0: bigint): CurvePoint {
  return G.multiply(y).add(N.multiply(w0));
}

function unmask(name: string, share: CurvePoint, mask: CurvePoint, w0: bigint): CurvePoint {
  const unmasked = share.subtract(mask.multiply(w0));
  // A share equal to w0*M (or w0*N) would make Z and V the identity whatever the other side's scalar: abort as
  // RFC 9383 §3.3 requires for an identity Z or V.
  if (unmasked.is0()) throw new Spake2pError('invalid-point', `${name}: the share unmasks to the identity`);
  return unmasked;
}

/** Prover: Z = x*(Y - w0*N), V = w1*(Y - w0*N). */
export function proverSharedPoints(x: bigint, w0: bigint, w1: bigint, Y: CurvePoint): SharedPoints {
  const unmasked = unmask('Y', Y, N, w0);
  return { Z: encodePoint(unmasked.multiply(x)), V: encodePoint(unmasked.multiply(w1)) };
}

/** Verifier: Z = y*(X - w0*M), V = y*L. */
export function verifierSharedPoints(y: bigint, w0: bigint, L: CurvePoint, X: CurvePoint): SharedPoints {
  const unmasked = unmask('X', X, M, w0);
  return { Z: encodePoint(unmasked.multiply(y)), V: encodePoint(L.multiply(y)) };
}
