// The SPAKE2+ transcript TT and the keys that come from it (draft-bar-cfrg-spake2plus-01 §3.4, connectedhomeip
// CHIPCryptoPAL.cpp Spake2p::ComputeRoundTwo / KeyConfirm). Pure byte functions: the roles in spake2p.ts feed them.
import { concatBytes } from '@noble/hashes/utils.js';
import { EMPTY } from '../core/arguments.js';
import { hkdfSha256, hmacSha256, sha256 } from './hashes.js';
import { encodePoint, M, N } from './spake2p-group.js';

const M_BYTES = encodePoint(M);
const N_BYTES = encodePoint(N);
const HALF_HASH = 16;
const CONFIRMATION_KEYS_INFO = new TextEncoder().encode('ConfirmationKeys');

/** What TT binds together: points 65-byte uncompressed, w0 32-byte big-endian. Matter PASE's identities are empty. */
export interface TranscriptFields {
  context: Uint8Array;
  idProver: Uint8Array;
  idVerifier: Uint8Array;
  X: Uint8Array;
  Y: Uint8Array;
  Z: Uint8Array;
  V: Uint8Array;
  w0: Uint8Array;
}

export interface KeySchedule {
  /** First half of Hash(TT): keys the confirmations. */
  Ka: Uint8Array;
  /** Second half of Hash(TT): the shared secret the PASE session keys come from. */
  Ke: Uint8Array;
  KcA: Uint8Array;
  KcB: Uint8Array;
  /** HMAC(KcA, Y): the prover's confirmation, sent in Pake3. */
  cA: Uint8Array;
  /** HMAC(KcB, X): the verifier's confirmation, sent in Pake2. */
  cB: Uint8Array;
}

function lengthPrefixed(field: Uint8Array): Uint8Array[] {
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(field.length), true);
  return [length, field];
}

/** TT: context, idProver, idVerifier, M, N, X, Y, Z, V, w0, each preceded by its length as 8 bytes little-endian. */
export function transcript({ context, idProver, idVerifier, X, Y, Z, V, w0 }: TranscriptFields): Uint8Array {
  return concatBytes(...[context, idProver, idVerifier, M_BYTES, N_BYTES, X, Y, Z, V, w0].flatMap(lengthPrefixed));
}

/** Ka | Ke = SHA-256(TT); KcA | KcB = HKDF(Ka, no salt, "ConfirmationKeys", 32); cA = HMAC(KcA, Y), cB = HMAC(KcB, X). */
export function keySchedule(tt: Uint8Array, X: Uint8Array, Y: Uint8Array): KeySchedule {
  const hash = sha256(tt);
  const Ka = hash.slice(0, HALF_HASH), Ke = hash.slice(HALF_HASH);
  const confirmationKeys = hkdfSha256(Ka, EMPTY, CONFIRMATION_KEYS_INFO, 2 * HALF_HASH);
  const KcA = confirmationKeys.slice(0, HALF_HASH), KcB = confirmationKeys.slice(HALF_HASH);
  return { Ka, Ke, KcA, KcB, cA: hmacSha256(KcA, Y), cB: hmacSha256(KcB, X) };
}
