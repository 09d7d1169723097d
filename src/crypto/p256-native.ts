// P-256 scalar multiplication for SPAKE2+ (Matter PASE, Core spec §3.10) through the runtime's own OpenSSL or
// BoringSSL where it has one: node:crypto's ECDH in Node and Bun. Elsewhere (browsers, workerd, Deno, whose
// node:crypto ECDH measured slower than @noble/curves) the callers use @noble/curves, as before.
//
// ECDH only returns the x-coordinate of k*P, and SPAKE2+ needs the whole point (Z and V enter the transcript as
// 65-byte uncompressed points, and X, Y are sums of points). The y-coordinate follows from one more ECDH:
// with Q = k*P = (x1, y1) and x2 = x((k+1)*P) = x(Q + P), the chord through Q and P has slope
// l = (y1 - py) / (x1 - px) and x2 = l^2 - x1 - px, so (y1 - py)^2 = S = (x2 + x1 + px)(x1 - px)^2; subtracting
// y1^2 = x1^3 - 3x1 + b leaves a linear equation: y1 = (x1^3 - 3x1 + b + py^2 - S) / (2py). P-256 has no point
// with y = 0, so 2py is invertible. The result is checked to lie on the curve before it is returned.
//
// Constant time: the scalar multiplications are OpenSSL's/BoringSSL's (constant-time P-256 ladders); the y
// recovery is a fixed sequence of field operations on @noble/curves' bigints (the same arithmetic, and the same
// caveat, as @noble itself: JS bigints are not guaranteed constant-time). The two fallbacks (k = n - 1, k*P = ±P)
// happen with probability about 2^-255 for a random scalar.
import { p256 } from '@noble/curves/nist.js';
import { pbkdf2Sha256 } from './hashes.js';
import type { CurvePoint } from './spake2p-group.js';

interface NativeEcdh {
  setPrivateKey(key: Uint8Array): void;
  getPublicKey(): Uint8Array;
  computeSecret(publicKey: Uint8Array): Uint8Array;
}

interface NativeCrypto {
  createECDH(curve: string): NativeEcdh;
  pbkdf2Sync(password: Uint8Array, salt: Uint8Array, iterations: number, length: number, digest: string): Uint8Array;
}

interface RuntimeGlobals {
  Deno?: unknown;
  process?: { getBuiltinModule?(id: string): unknown };
}

const { Point } = p256;
const { Fp, Fn } = Point;
const { b } = Point.CURVE();

/** node:crypto where the runtime has it natively (Node, Bun); not Deno, whose ECDH and PBKDF2 measure slower. */
function findNativeCrypto(): NativeCrypto | undefined {
  const g = globalThis as RuntimeGlobals;
  if (g.Deno !== undefined) return undefined;
  try {
    const crypto = g.process?.getBuiltinModule?.('node:crypto') as NativeCrypto | undefined;
    return typeof crypto?.createECDH === 'function' && typeof crypto.pbkdf2Sync === 'function' ? crypto : undefined;
  } catch {
    return undefined;
  }
}

let native: NativeCrypto | undefined | null = null;
let ecdh: NativeEcdh | undefined;
let enabled = true;

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Once, before first use: the native backend must give @noble's results on a fixed case of each operation (a
 * runtime can offer node:crypto with ECDH or PBKDF2 missing or partial, as compatibility layers do); if anything
 * differs or throws, @noble is used from then on.
 */
function selfCheck(crypto: NativeCrypto): boolean {
  try {
    ecdh = crypto.createECDH('prime256v1');
    const k = 0x1234_5678_9abc_def0_0fed_cba9_8765_4321n;
    const base = nativeMultiplyBaseWith(ecdh, k);
    const product = nativeMultiplyWith(ecdh, Point.BASE.multiply(3n), k);
    const salt = new Uint8Array(16).fill(7), password = new Uint8Array([1, 2, 3, 4]);
    return base.equals(Point.BASE.multiply(k)) && product !== undefined && product.equals(Point.BASE.multiply(3n * k))
      && sameBytes(new Uint8Array(crypto.pbkdf2Sync(password, salt, 2, 80, 'sha256')), pbkdf2Sha256(password, salt, 2, 80));
  } catch {
    return false;
  }
}

function nativeCrypto(): NativeCrypto | undefined {
  if (native === null) {
    const found = findNativeCrypto();
    native = found !== undefined && selfCheck(found) ? found : undefined;
  }
  return enabled ? native : undefined;
}

function nativeEcdh(): NativeEcdh | undefined {
  return nativeCrypto() === undefined ? undefined : ecdh;
}

/** Which backend multiplies points and runs PBKDF2: 'native' (node:crypto) or '@noble' (pure JS). */
export function p256Backend(): 'native' | '@noble' {
  return nativeCrypto() === undefined ? '@noble' : 'native';
}

/** Forgets the detection, so the next use detects and self-checks again (tests only). */
export function redetectNativeP256(): void {
  native = null;
  ecdh = undefined;
}

/** Tests and benchmarks compare both backends in one process; production code never calls this. */
export function useNativeP256(on: boolean): void {
  enabled = on;
}

const scalarBytes = (k: bigint): Uint8Array => Fn.toBytes(k);
const fieldFromBytes = (bytes: Uint8Array): bigint => Fp.fromBytes(bytes);

/** k*G with the whole point, or undefined when the runtime has no native backend. k must be in 1..n-1. */
export function nativeMultiplyBase(k: bigint): CurvePoint | undefined {
  const e = nativeEcdh();
  return e === undefined ? undefined : nativeMultiplyBaseWith(e, k);
}

function nativeMultiplyBaseWith(e: NativeEcdh, k: bigint): CurvePoint {
  const secret = scalarBytes(k);
  e.setPrivateKey(secret);
  secret.fill(0);
  return Point.fromBytes(e.getPublicKey());
}

/**
 * k*P with the whole point (see the header for how y is recovered), or undefined when the runtime has no native
 * backend or in the two negligible cases where the recovery does not apply. k must be in 1..n-1, P not the identity.
 */
export function nativeMultiply(P: CurvePoint, k: bigint): CurvePoint | undefined {
  const e = nativeEcdh();
  return e === undefined ? undefined : nativeMultiplyWith(e, P, k);
}

function nativeMultiplyWith(e: NativeEcdh, P: CurvePoint, k: bigint): CurvePoint | undefined {
  const next = Fn.add(k, 1n);
  if (next === 0n) return undefined;
  const { x: px, y: py } = P.toAffine();
  const encoded = P.toBytes(false);
  const first = scalarBytes(k), second = scalarBytes(next);
  e.setPrivateKey(first);
  const x1 = fieldFromBytes(e.computeSecret(encoded));
  e.setPrivateKey(second);
  const x2 = fieldFromBytes(e.computeSecret(encoded));
  first.fill(0);
  second.fill(0);
  const dx = Fp.sub(x1, px);
  if (dx === 0n) return undefined; // k*P = ±P
  const s = Fp.mul(Fp.add(Fp.add(x2, x1), px), Fp.sqr(dx));
  const y1Squared = Fp.add(Fp.sub(Fp.mul(Fp.sqr(x1), x1), Fp.mul(3n, x1)), b);
  const y1 = Fp.mul(Fp.sub(Fp.add(y1Squared, Fp.sqr(py)), s), Fp.inv(Fp.add(py, py)));
  const Q = Point.fromAffine({ x: x1, y: y1 });
  Q.assertValidity();
  return Q;
}

/** PBKDF2-HMAC-SHA256 natively, or undefined when the runtime has no native backend. */
export function nativePbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number):
  Uint8Array | undefined {
  const crypto = nativeCrypto();
  if (crypto === undefined) return undefined;
  const derived = crypto.pbkdf2Sync(password, salt, iterations, length, 'sha256');
  const result = new Uint8Array(derived);
  derived.fill(0);
  return result;
}
