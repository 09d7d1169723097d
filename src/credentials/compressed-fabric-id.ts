// Compressed Fabric Identifier (Matter Core spec, "Compressed Fabric Identifier"; connectedhomeip CHIPCryptoPAL.cpp
// GenerateCompressedFabricId): 8 bytes naming a fabric by its root key and fabric id together, used in operational
// mDNS names and as the salt of the fabric's group keys and IPK.
import { hkdfSha256 } from '../crypto/hashes.js';
import { rootPublicKeyArgument, uint64Argument, uint64BigEndian } from './fabric-arguments.js';

const COMPRESSED_FABRIC_INFO = new TextEncoder().encode('CompressedFabric');
export const COMPRESSED_FABRIC_ID_LENGTH = 8;

/**
 * HKDF-SHA256(IKM = the root public key without its 0x04 prefix, salt = fabricId as 8 bytes big-endian,
 * info = "CompressedFabric", L = 8). The result is the id's 8 bytes, big-endian.
 */
export function compressedFabricId(rootPublicKey: Uint8Array, fabricId: bigint): Uint8Array {
  const key = rootPublicKeyArgument('rootPublicKey', rootPublicKey);
  const salt = uint64BigEndian(uint64Argument('fabricId', fabricId));
  // The spec hashes only X ‖ Y: the format byte carries no information about the key.
  return hkdfSha256(key.subarray(1), salt, COMPRESSED_FABRIC_INFO, COMPRESSED_FABRIC_ID_LENGTH);
}
