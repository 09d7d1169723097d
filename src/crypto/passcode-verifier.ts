// From a setup passcode to SPAKE2+'s secrets (Matter Core spec, PASE; connectedhomeip CHIPCryptoPAL.cpp
// Spake2pVerifier::Generate): w0s | w1s = PBKDF2-HMAC-SHA256(passcode as 4 bytes
// little-endian, salt, iterations, 80 bytes); w0 = w0s mod n, w1 = w1s mod n; L = w1*G.
// The commissioner (prover) needs w0 and w1; the device (verifier) keeps only w0 and L, so that whoever reads its
// storage still cannot act as a commissioner without guessing the passcode.
import { concatBytes } from '@noble/hashes/utils.js';
import { bytes, bytesOfLength } from '../core/arguments.js';
import { pbkdf2Sha256 } from './hashes.js';
import { nativeMultiplyBase, nativePbkdf2Sha256 } from './p256-native.js';
import {
  encodePoint, G, POINT_LENGTH, pointArgument, reduceScalar, SCALAR_LENGTH, scalarArgument, scalarToBytes,
} from './spake2p-group.js';

/** What the commissioner holds: both halves of the passcode's key material (32 bytes each, big-endian). */
export interface ProverSecrets {
  w0: Uint8Array;
  w1: Uint8Array;
}

/** What the device holds: w0 (32 bytes) and L = w1*G (65 bytes uncompressed). */
export interface VerifierSecrets {
  w0: Uint8Array;
  L: Uint8Array;
}

/** Everything one passcode derivation gives; pass it to either role, or keep only the half a side needs. */
export interface PasscodeSecrets extends ProverSecrets, VerifierSecrets {}

/** w0 | L: the 97-byte verifier devices store and OpenCommissioningWindow carries (kSpake2p_VerifierSerialized_Length). */
export const SERIALIZED_VERIFIER_LENGTH = SCALAR_LENGTH + POINT_LENGTH;

// Core §5.1.1.6: passcodes are 0x0000001..0x5F5E0FE; §5.1.7.1 forbids the trivial ones (0 is out of range anyway).
const MIN_PASSCODE = 1;
const MAX_PASSCODE = 99_999_998;
const INVALID_PASSCODES = new Set([
  11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 99999999, 12345678, 87654321,
]);
// CHIPCryptoPAL.h kSpake2p_Min/Max_PBKDF_Salt_Length, kSpake2p_Min/Max_PBKDF_Iterations.
const MIN_SALT_LENGTH = 16;
const MAX_SALT_LENGTH = 32;
const MIN_ITERATIONS = 1000;
const MAX_ITERATIONS = 100_000;
const WS_LENGTH = 80; // two 40-byte halves: 64 bits over n's size make the mod-n bias negligible

function passcodeArgument(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_PASSCODE || value > MAX_PASSCODE) {
    throw new RangeError(`passcode: expected an integer from ${MIN_PASSCODE} to ${MAX_PASSCODE}, got ${String(value)}`);
  }
  if (INVALID_PASSCODES.has(value)) {
    throw new RangeError(`passcode: ${value} is one of the trivial passcodes Matter forbids`);
  }
  return value;
}

function saltArgument(value: unknown): Uint8Array {
  const salt = bytes('salt', value);
  if (salt.length < MIN_SALT_LENGTH || salt.length > MAX_SALT_LENGTH) {
    throw new RangeError(`salt: expected ${MIN_SALT_LENGTH} to ${MAX_SALT_LENGTH} bytes, got ${salt.length}`);
  }
  return salt;
}

function iterationsArgument(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_ITERATIONS || value > MAX_ITERATIONS) {
    throw new RangeError(`iterations: expected an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}, got ${String(value)}`);
  }
  return value;
}

/** The passcode's w0, w1 and L for the salt and iteration count the device announces in PBKDFParamResponse. */
export function computePasscodeVerifier(passcode: number, salt: Uint8Array, iterations: number): PasscodeSecrets {
  const password = new Uint8Array(4);
  new DataView(password.buffer).setUint32(0, passcodeArgument(passcode), true);
  const s = saltArgument(salt), n = iterationsArgument(iterations);
  // The runtime's native PBKDF2 where it has one (the same function; test/spake2p.test.ts checks both agree).
  const ws = nativePbkdf2Sha256(password, s, n, WS_LENGTH) ?? pbkdf2Sha256(password, s, n, WS_LENGTH);
  const w0 = reduceScalar(ws.subarray(0, WS_LENGTH / 2));
  const w1 = reduceScalar(ws.subarray(WS_LENGTH / 2));
  ws.fill(0);
  return { w0: scalarToBytes(w0), w1: scalarToBytes(w1), L: encodePoint(nativeMultiplyBase(w1) ?? G.multiply(w1)) };
}

/** w0 | L, 97 bytes. */
export function serializeVerifier({ w0, L }: VerifierSecrets): Uint8Array {
  scalarArgument('w0', w0);
  pointArgument('L', L);
  return concatBytes(w0, L);
}

/** Reads a 97-byte w0 | L verifier, checking w0 is a scalar and L a point on the curve. */
export function parseVerifier(serialized: Uint8Array): VerifierSecrets {
  bytesOfLength('serialized', serialized, SERIALIZED_VERIFIER_LENGTH);
  const w0 = serialized.slice(0, SCALAR_LENGTH), L = serialized.slice(SCALAR_LENGTH);
  scalarArgument('w0', w0);
  pointArgument('L', L);
  return { w0, L };
}
