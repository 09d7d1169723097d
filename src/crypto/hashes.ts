// Matter's hash-based primitives (Crypto_Hash, Crypto_HMAC, Crypto_KDF, Crypto_PBKDF: SHA-256, RFC 2104, RFC 5869,
// RFC 8018) as typed wrappers over @noble/hashes. Arguments are checked here so that a wrong one fails with an error
// naming it, rather than deep inside the library.
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytes } from '../core/arguments.js';

const SHA256_LENGTH = 32;
/** RFC 5869 §2.3: L <= 255 * HashLen. */
const HKDF_MAX_LENGTH = 255 * SHA256_LENGTH;
/** RFC 8018 §5.2 step 1: dkLen <= (2^32 - 1) * hLen. */
const PBKDF2_MAX_LENGTH = (2 ** 32 - 1) * SHA256_LENGTH;
const UINT32_MAX = 2 ** 32 - 1;

function integerInRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** SHA-256 digest (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(bytes('data', data));
}

/** HMAC-SHA256 (32 bytes); the key may have any length. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(nobleSha256, bytes('key', key), bytes('message', message));
}

/**
 * HKDF-SHA256 extract-then-expand: `length` bytes (1 to 8160) from `secret`. An empty salt is the same as none
 * (RFC 5869 §2.2: HMAC pads the key with zeros), which is what Matter's "no salt" derivations use.
 */
export function hkdfSha256(secret: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdf(nobleSha256, bytes('secret', secret), bytes('salt', salt), bytes('info', info),
    integerInRange('length', length, 1, HKDF_MAX_LENGTH));
}

/** PBKDF2-HMAC-SHA256: `length` bytes from `password` and `salt` after `iterations` rounds (at least 1). */
export function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Uint8Array {
  return pbkdf2(nobleSha256, bytes('password', password), bytes('salt', salt), {
    c: integerInRange('iterations', iterations, 1, UINT32_MAX),
    dkLen: integerInRange('length', length, 1, PBKDF2_MAX_LENGTH),
  });
}
