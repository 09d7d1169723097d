// The CASE key schedule (Matter Core spec §4.14.2.3-§4.14.2.6; SDK CASESession.cpp ConstructSaltSigma2/3,
// DeriveSigmaKey, ConstructSigmaResumeKey): every key is HKDF-SHA256 of a secret, a salt and an ASCII info string,
// 16 bytes unless said; AEAD is AES-128-CCM with a 13-byte ASCII nonce, a 16-byte tag and no AAD.
//   S2K  = HKDF(shared, IPK | responderRandom | responderEphPubKey | SHA-256(Sigma1), "Sigma2")
//   S3K  = HKDF(shared, IPK | SHA-256(Sigma1 | Sigma2), "Sigma3")
//   session keys: the SessionManager derives them from (shared, IPK | SHA-256(Sigma1 | Sigma2 | Sigma3))
//   S1RK = HKDF(shared, initiatorRandom | resumptionId (the old one), "Sigma1_Resume"), MIC nonce "NCASE_SigmaS1"
//   S2RK = HKDF(shared, initiatorRandom | resumptionId (the NEW one), "Sigma2_Resume"), MIC nonce "NCASE_SigmaS2"
//   resumed session keys: from (shared, initiatorRandom | resumptionId (the old one)), "SessionResumptionKeys"
// Keys made here are wiped as soon as their one use is over.
import { equalBytes } from '@noble/curves/utils.js';
import { AuthenticationError, open, seal } from '../../core/index.js';
import { hkdfSha256, sha256 } from '../../crypto/index.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const INFO_SIGMA2 = ascii('Sigma2');
const INFO_SIGMA3 = ascii('Sigma3');
const INFO_SIGMA1_RESUME = ascii('Sigma1_Resume');
const INFO_SIGMA2_RESUME = ascii('Sigma2_Resume');
export const NONCE_SIGMA2 = ascii('NCASE_Sigma2N');
export const NONCE_SIGMA3 = ascii('NCASE_Sigma3N');
export const NONCE_SIGMA1_RESUME = ascii('NCASE_SigmaS1');
export const NONCE_SIGMA2_RESUME = ascii('NCASE_SigmaS2');
const KEY_LENGTH = 16;
const EMPTY = new Uint8Array(0);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function check(name: string, value: unknown, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
  if (value.length !== length) throw new RangeError(`${name}: expected ${length} bytes, got ${value.length}`);
  return value;
}

/** The 145-byte salt of S2K: IPK | responderRandom | responderEphPubKey | SHA-256(Sigma1). */
export function sigma2Salt(ipk: Uint8Array, responderRandom: Uint8Array, responderEphPubKey: Uint8Array, sigma1: Uint8Array):
  Uint8Array {
  return concat(check('ipk', ipk, 16), check('responderRandom', responderRandom, 32),
    check('responderEphPubKey', responderEphPubKey, 65), sha256(sigma1));
}

/** The salt of S3K: IPK | SHA-256(Sigma1 | Sigma2). */
export function sigma3Salt(ipk: Uint8Array, sigma1: Uint8Array, sigma2: Uint8Array): Uint8Array {
  return concat(check('ipk', ipk, 16), sha256(concat(sigma1, sigma2)));
}

/** The salt of the session keys: IPK | SHA-256(Sigma1 | Sigma2 | Sigma3) (the transcript of the whole handshake). */
export function caseSessionSalt(ipk: Uint8Array, sigma1: Uint8Array, sigma2: Uint8Array, sigma3: Uint8Array): Uint8Array {
  return concat(check('ipk', ipk, 16), sha256(concat(sigma1, sigma2, sigma3)));
}

/** The salt of resumed session keys (and of S1RK): initiatorRandom | the resumption id Sigma1 carried. */
export function resumptionSalt(initiatorRandom: Uint8Array, resumptionId: Uint8Array): Uint8Array {
  return concat(check('initiatorRandom', initiatorRandom, 32), check('resumptionId', resumptionId, 16));
}

export const deriveS2K = (sharedSecret: Uint8Array, salt: Uint8Array): Uint8Array =>
  hkdfSha256(check('sharedSecret', sharedSecret, 32), salt, INFO_SIGMA2, KEY_LENGTH);

export const deriveS3K = (sharedSecret: Uint8Array, salt: Uint8Array): Uint8Array =>
  hkdfSha256(check('sharedSecret', sharedSecret, 32), salt, INFO_SIGMA3, KEY_LENGTH);

/** Encrypts a TBEData structure: ciphertext | 16-byte MIC. The key is wiped afterwards. */
export function sealTbe(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  try {
    return seal(key, nonce, plaintext).slice(); // copied out of the core's shared result pool
  } finally {
    key.fill(0);
  }
}

/** Decrypts a TBEData structure, or returns undefined when the MIC does not authenticate. The key is wiped. */
export function openTbe(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  try {
    return open(key, nonce, sealed).slice();
  } catch (error) {
    if (error instanceof AuthenticationError) return undefined;
    throw error;
  } finally {
    key.fill(0);
  }
}

function resumeMic(sharedSecret: Uint8Array, initiatorRandom: Uint8Array, resumptionId: Uint8Array, info: Uint8Array,
  nonce: Uint8Array): Uint8Array {
  const key = hkdfSha256(check('sharedSecret', sharedSecret, 32), resumptionSalt(initiatorRandom, resumptionId), info, KEY_LENGTH);
  try {
    // The MIC is the CCM tag over an empty plaintext: the sealed output is the tag alone.
    return seal(key, nonce, EMPTY).slice();
  } finally {
    key.fill(0);
  }
}

/** initiatorResumeMIC of Sigma1, keyed by S1RK over the stored (old) resumption id. */
export const sigma1ResumeMic = (sharedSecret: Uint8Array, initiatorRandom: Uint8Array, oldResumptionId: Uint8Array): Uint8Array =>
  resumeMic(sharedSecret, initiatorRandom, oldResumptionId, INFO_SIGMA1_RESUME, NONCE_SIGMA1_RESUME);

/** sigma2ResumeMIC of Sigma2_Resume, keyed by S2RK over the NEW resumption id the responder sends with it. */
export const sigma2ResumeMic = (sharedSecret: Uint8Array, initiatorRandom: Uint8Array, newResumptionId: Uint8Array): Uint8Array =>
  resumeMic(sharedSecret, initiatorRandom, newResumptionId, INFO_SIGMA2_RESUME, NONCE_SIGMA2_RESUME);

/** Constant-time comparison of a received MIC with the expected one. */
export const micMatches = (received: Uint8Array, expected: Uint8Array): boolean =>
  received.length === expected.length && equalBytes(received, expected);
