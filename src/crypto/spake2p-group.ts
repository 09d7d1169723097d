// The group SPAKE2+ runs in for Matter: P-256 with the M and N of draft-bar-cfrg-spake2plus-01 / RFC 9383 §4
// (connectedhomeip CHIPCryptoPAL.h spake2p_M_p256, spake2p_N_p256), and the encodings PASE puts on the wire:
// 65-byte uncompressed SEC1 points and 32-byte big-endian scalars. All arithmetic is @noble/curves'.
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { p256 } from '@noble/curves/nist.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { bytes, bytesOfLength } from '../core/arguments.js';
import { Spake2pError } from './spake2p-error.js';

export type CurvePoint = WeierstrassPoint<bigint>;

const { Point } = p256;
export const SCALAR_LENGTH = 32;
export const POINT_LENGTH = 65;

export const G: CurvePoint = Point.BASE;
// Fixed points like G, so both get G's window tables (built on first use): each side multiplies each by w0 once per
// handshake, and that is two of its five multiplications.
export const M: CurvePoint = Point.fromHex(
  '04886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f5ff355163e43ce224e0b0e65ff02ac8e5c7be09419c785e0ca547d55a12e2d20',
).precompute();
export const N: CurvePoint = Point.fromHex(
  '04d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b4907d60aa6bfade45008a636337f5168c64d9bd36034808cd564490b1e656edbe7',
).precompute();

/** A scalar given by the caller (w0, w1, or a test's x or y): 32 bytes big-endian, from 1 to n - 1. */
export function scalarArgument(name: string, value: unknown): bigint {
  const scalar = bytesToNumberBE(bytesOfLength(name, value, SCALAR_LENGTH));
  if (!Point.Fn.isValidNot0(scalar)) {
    throw new RangeError(`${name}: expected a scalar from 1 to n - 1 (the P-256 group order), got 0 or n or more`);
  }
  return scalar;
}

/** Big-endian bytes of any length reduced mod n (the passcode's w0s and w1s are 40 bytes). */
export function reduceScalar(wide: Uint8Array): bigint {
  return Point.Fn.create(bytesToNumberBE(wide));
}

/** 32 bytes big-endian, leading zeros kept: TT hashes w0 at its full width. */
export function scalarToBytes(scalar: bigint): Uint8Array {
  return Point.Fn.toBytes(scalar);
}

/** A uniformly random scalar from 1 to n - 1 (crypto.getRandomValues through @noble). */
export function randomScalar(): bigint {
  return bytesToNumberBE(p256.utils.randomSecretKey());
}

export function encodePoint(point: CurvePoint): Uint8Array {
  return point.toBytes(false);
}

function decodePoint(encoded: Uint8Array): CurvePoint | undefined {
  // PASE carries only the uncompressed form; @noble would also accept a compressed one.
  if (encoded.length !== POINT_LENGTH) return undefined;
  try {
    return Point.fromBytes(encoded); // prefix 0x04, on the curve, coordinates below p, not the identity
  } catch {
    return undefined;
  }
}

/** A point the caller holds (the stored verifier's L): a bad one is a RangeError naming it. */
export function pointArgument(name: string, value: unknown): CurvePoint {
  const point = decodePoint(bytes(name, value));
  if (point === undefined) throw new RangeError(`${name}: expected a 65-byte uncompressed P-256 point`);
  return point;
}

/** A share the peer sent (X in Pake1, Y in Pake2): a bad one fails the handshake with a Spake2pError. */
export function peerPoint(name: string, value: unknown): CurvePoint {
  const encoded = bytes(name, value);
  const point = decodePoint(encoded);
  if (point === undefined) {
    throw new Spake2pError('invalid-point',
      `${name}: not a 65-byte uncompressed P-256 point other than the identity (got ${encoded.length} bytes)`);
  }
  return point;
}
