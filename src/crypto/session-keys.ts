// Unicast session keys: every secure session, PASE or CASE, expands its handshake's secret with
// HKDF-SHA256(secret, salt, info, 48) = I2R key | R2I key | attestation challenge (connectedhomeip
// src/transport/CryptoContext.cpp InitFromSecret). Only the secret, the salt and the info differ per handshake.
import { concatBytes } from '@noble/hashes/utils.js';
import { bytes, bytesOfLength, EMPTY } from '../core/arguments.js';
import { hkdfSha256, sha256 } from './hashes.js';

const KEY_LENGTH = 16;
const SESSION_KEYS_INFO = new TextEncoder().encode('SessionKeys');
const SESSION_RESUMPTION_KEYS_INFO = new TextEncoder().encode('SessionResumptionKeys');

/**
 * The keys of one secure unicast session. Both sides derive the same three values; which key a side encrypts
 * with depends on its role in the handshake:
 * - the initiator (commissioner in PASE, Sigma1 sender in CASE) encrypts with `i2rKey` and decrypts with `r2iKey`;
 * - the responder encrypts with `r2iKey` and decrypts with `i2rKey`.
 */
export interface SessionKeys {
  /** Initiator-to-responder AES-128-CCM key (16 bytes). */
  i2rKey: Uint8Array;
  /** Responder-to-initiator AES-128-CCM key (16 bytes). */
  r2iKey: Uint8Array;
  /** Attestation challenge (16 bytes): signed by the device during commissioning to bind attestation to this session. */
  attestationChallenge: Uint8Array;
}

export interface CaseSessionSecrets {
  /** ECDH P-256 shared secret of the Sigma exchange (32 bytes). */
  sharedSecret: Uint8Array;
  /** Identity protection key: the fabric's IPK operational group key (16 bytes). */
  ipk: Uint8Array;
  /** The Sigma1, Sigma2 and Sigma3 messages exactly as sent (their TLV payloads). */
  sigma1: Uint8Array;
  sigma2: Uint8Array;
  sigma3: Uint8Array;
}

export interface CaseResumptionSecrets {
  /** The shared secret stored with the resumption record of the earlier CASE session (32 bytes). */
  sharedSecret: Uint8Array;
  /** Sigma1's initiator random (32 bytes). */
  initiatorRandom: Uint8Array;
  /** The resumption id Sigma1 carried (16 bytes). */
  resumptionId: Uint8Array;
}

function sessionKeys(secret: Uint8Array, salt: Uint8Array, info: Uint8Array): SessionKeys {
  const okm = hkdfSha256(secret, salt, info, 3 * KEY_LENGTH);
  // Copies rather than views: each key can then be wiped or transferred without touching the other two.
  return {
    i2rKey: okm.slice(0, KEY_LENGTH),
    r2iKey: okm.slice(KEY_LENGTH, 2 * KEY_LENGTH),
    attestationChallenge: okm.slice(2 * KEY_LENGTH),
  };
}

/**
 * PASE: secret = Ke from SPAKE2+ (16 bytes), no salt, info "SessionKeys". Other lengths are accepted because the
 * SDK's test sessions (InjectPaseSessionWithTestKey) derive the same way from a 32-byte test secret.
 */
export function derivePaseSessionKeys(ke: Uint8Array): SessionKeys {
  if (bytes('ke', ke).length === 0) throw new RangeError('ke: expected a non-empty secret, got 0 bytes');
  return sessionKeys(ke, EMPTY, SESSION_KEYS_INFO);
}

/** CASE: secret = ECDH shared secret, salt = IPK | SHA-256(Sigma1 | Sigma2 | Sigma3), info "SessionKeys". */
export function deriveCaseSessionKeys({ sharedSecret, ipk, sigma1, sigma2, sigma3 }: CaseSessionSecrets): SessionKeys {
  bytesOfLength('sharedSecret', sharedSecret, 32);
  bytesOfLength('ipk', ipk, KEY_LENGTH);
  const transcript = concatBytes(bytes('sigma1', sigma1), bytes('sigma2', sigma2), bytes('sigma3', sigma3));
  return sessionKeys(sharedSecret, concatBytes(ipk, sha256(transcript)), SESSION_KEYS_INFO);
}

/**
 * CASE session resumption (Sigma1 with resumption, then Sigma2_Resume): secret = the stored shared secret,
 * salt = initiator random | resumption id, info "SessionResumptionKeys".
 */
export function deriveCaseResumptionSessionKeys(
  { sharedSecret, initiatorRandom, resumptionId }: CaseResumptionSecrets,
): SessionKeys {
  bytesOfLength('sharedSecret', sharedSecret, 32);
  const salt = concatBytes(bytesOfLength('initiatorRandom', initiatorRandom, 32),
    bytesOfLength('resumptionId', resumptionId, 16));
  return sessionKeys(sharedSecret, salt, SESSION_RESUMPTION_KEYS_INFO);
}
