// Group keys: a group key set's epoch key becomes, per fabric, the operational group key that encrypts group
// messages; from that key come the group session id carried in the message header and the privacy key that
// obfuscates the header (connectedhomeip src/crypto/CHIPCryptoPAL.cpp DeriveGroupOperationalKey,
// DeriveGroupSessionId, DeriveGroupPrivacyKey).
import { bytesOfLength, EMPTY } from '../core/arguments.js';
import { hkdfSha256 } from './hashes.js';

const KEY_LENGTH = 16;
const COMPRESSED_FABRIC_ID_LENGTH = 8;
const GROUP_KEY_INFO = new TextEncoder().encode('GroupKey v1.0');
const GROUP_KEY_HASH_INFO = new TextEncoder().encode('GroupKeyHash');
const PRIVACY_KEY_INFO = new TextEncoder().encode('PrivacyKey');

export interface GroupKeys {
  /** Operational group key (16 bytes): the AES-128-CCM key of the group's messages. */
  operationalKey: Uint8Array;
  /** Group session id (0 to 65535): names the key in the header; several keys may share one id. */
  sessionId: number;
  /** Privacy key (16 bytes): AES-CTR key of the group's message privacy obfuscation. */
  privacyKey: Uint8Array;
}

/**
 * Operational group key = HKDF(epoch key, salt = compressed fabric id, "GroupKey v1.0", 16). Binding the fabric
 * in the salt gives the same epoch key different keys on different fabrics. The fabric's IPK is derived this way
 * from the IPK epoch key.
 */
export function deriveOperationalGroupKey(epochKey: Uint8Array, compressedFabricId: Uint8Array): Uint8Array {
  return hkdfSha256(bytesOfLength('epochKey', epochKey, KEY_LENGTH),
    bytesOfLength('compressedFabricId', compressedFabricId, COMPRESSED_FABRIC_ID_LENGTH), GROUP_KEY_INFO, KEY_LENGTH);
}

/** Group session id = HKDF(operational key, no salt, "GroupKeyHash", 2) read big-endian. */
export function deriveGroupSessionId(operationalKey: Uint8Array): number {
  const hash = hkdfSha256(bytesOfLength('operationalKey', operationalKey, KEY_LENGTH), EMPTY, GROUP_KEY_HASH_INFO, 2);
  return (hash[0]! << 8) | hash[1]!;
}

/** Privacy key = HKDF(operational key, no salt, "PrivacyKey", 16). */
export function derivePrivacyKey(operationalKey: Uint8Array): Uint8Array {
  return hkdfSha256(bytesOfLength('operationalKey', operationalKey, KEY_LENGTH), EMPTY, PRIVACY_KEY_INFO, KEY_LENGTH);
}

/**
 * Everything a session manager needs for one epoch key on one fabric.
 * @param compressedFabricId the fabric's compressed fabric id, 8 bytes big-endian
 */
export function deriveGroupKeys(epochKey: Uint8Array, compressedFabricId: Uint8Array): GroupKeys {
  const operationalKey = deriveOperationalGroupKey(epochKey, compressedFabricId);
  return {
    operationalKey,
    sessionId: deriveGroupSessionId(operationalKey),
    privacyKey: derivePrivacyKey(operationalKey),
  };
}
