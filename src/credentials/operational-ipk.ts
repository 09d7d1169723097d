// The fabric's operational Identity Protection Key (Matter Core spec §4.14 CASE and "Group Key Derivation"): the key
// CASE's destination id and Sigma salts use. It is derived from the IPK epoch key (the IPKValue an administrator
// sends in AddNOC, group key set 0) exactly as every operational group key is.
import { deriveOperationalGroupKey } from '../crypto/group-keys.js';

/**
 * HKDF-SHA256(IKM = epoch key (16 bytes), salt = compressed fabric id (8 bytes), info = "GroupKey v1.0", L = 16).
 * Throws a TypeError or RangeError naming the argument when a length is wrong.
 */
export function operationalIpk(epochKey: Uint8Array, compressedFabricId: Uint8Array): Uint8Array {
  return deriveOperationalGroupKey(epochKey, compressedFabricId);
}
