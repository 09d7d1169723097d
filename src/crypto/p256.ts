// P-256 operations the operational layer needs (Matter Core spec §3.5 "ECC", §3.6 ECDH, ECDSA with SHA-256):
// key pairs, ECDSA over SHA-256 with raw r‖s signatures (the form Matter certificates and Sigma messages carry),
// and ECDH returning the 32-byte x-coordinate (the CASE shared secret). Synchronous in every runtime, because
// certificate checks run inside the CASE state machine: @noble/curves everywhere, and the runtime's own OpenSSL or
// BoringSSL through node:crypto where it has one (Node, Bun: p256-native-ops.ts), about 100x faster per operation
// and constant-time; that backend is self-checked against @noble on first use and dropped on any difference.
import { p256 } from '@noble/curves/nist.js';
import { bytes, bytesOfLength } from '../core/arguments.js';
import { nativeP256 } from './p256-native-ops.js';

export const P256_PRIVATE_KEY_LENGTH = 32;
/** Uncompressed SEC1 point: 0x04 ‖ X ‖ Y. */
export const P256_PUBLIC_KEY_LENGTH = 65;
/** Raw r ‖ s, 32 bytes each (Matter's signature encoding; X.509 wraps it in DER). */
export const P256_SIGNATURE_LENGTH = 64;

export interface P256KeyPair {
  /** 32-byte big-endian scalar. Secret: keep it where only its owner reads it. */
  privateKey: Uint8Array;
  /** 65-byte uncompressed point. */
  publicKey: Uint8Array;
}

export function generateP256KeyPair(): P256KeyPair {
  const privateKey = p256.utils.randomSecretKey();
  return { privateKey, publicKey: nativeP256()?.publicKey(privateKey) ?? p256.getPublicKey(privateKey, false) };
}

/** The uncompressed public key of a private key (throws RangeError if the scalar is 0 or ≥ n). */
export function p256PublicKey(privateKey: Uint8Array): Uint8Array {
  const secret = bytesOfLength('privateKey', privateKey, P256_PRIVATE_KEY_LENGTH);
  if (!p256.utils.isValidSecretKey(secret)) {
    throw new RangeError('privateKey: expected a scalar from 1 to n - 1 (the P-256 group order)');
  }
  return nativeP256()?.publicKey(secret) ?? p256.getPublicKey(secret, false);
}

/** True when `publicKey` is a valid uncompressed point on P-256 (not the identity). */
export function isValidP256PublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== P256_PUBLIC_KEY_LENGTH || publicKey[0] !== 0x04) {
    return false;
  }
  try {
    p256.Point.fromBytes(publicKey).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/** ECDSA-with-SHA256 signature of `message` (hashed here), as raw r ‖ s (64 bytes), low-S. */
export function ecdsaSignSha256(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  const secret = bytesOfLength('privateKey', privateKey, P256_PRIVATE_KEY_LENGTH);
  const data = bytes('message', message);
  return nativeP256()?.sign(secret, data) ?? p256.sign(data, secret, { prehash: true, format: 'compact' });
}

/**
 * Verifies an ECDSA-with-SHA256 raw r ‖ s signature. High-S signatures are accepted: other Matter stacks (OpenSSL,
 * mbedTLS) do not normalise S, and the spec does not require it. Returns false for any malformed input.
 */
export function ecdsaVerifySha256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== P256_SIGNATURE_LENGTH) return false;
  if (!isValidP256PublicKey(publicKey)) return false;
  try {
    const data = bytes('message', message);
    return nativeP256()?.verify(publicKey, data, signature)
      ?? p256.verify(signature, data, publicKey, { prehash: true, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}

/** ECDH: the x-coordinate (32 bytes) of privateKey · peerPublicKey. Throws RangeError for an invalid peer point. */
export function ecdhP256(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  const secret = bytesOfLength('privateKey', privateKey, P256_PRIVATE_KEY_LENGTH);
  if (!isValidP256PublicKey(peerPublicKey)) {
    throw new RangeError('peerPublicKey: expected a 65-byte uncompressed P-256 point on the curve');
  }
  return nativeP256()?.ecdh(secret, peerPublicKey) ?? p256.getSharedSecret(secret, peerPublicKey, true).subarray(1);
}

/** Converts a raw r ‖ s signature to the DER ECDSA-Sig-Value X.509 carries, and back. */
export function ecdsaRawToDer(signature: Uint8Array): Uint8Array {
  const raw = bytesOfLength('signature', signature, P256_SIGNATURE_LENGTH);
  return p256.Signature.fromBytes(raw, 'compact').toBytes('der');
}

export function ecdsaDerToRaw(der: Uint8Array): Uint8Array {
  try {
    return p256.Signature.fromBytes(bytes('der', der), 'der').toBytes('compact');
  } catch (error) {
    throw new RangeError(`der: expected a DER ECDSA-Sig-Value SEQUENCE { r INTEGER, s INTEGER } (${(error as Error).message})`);
  }
}
