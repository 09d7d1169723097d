// CASE destination identifier (Matter Core spec §4.14 CASE, "Destination Identifier"; connectedhomeip
// CASEDestinationId.cpp): Sigma1 names the node it wants on which fabric without revealing either, as an HMAC keyed
// by the fabric's operational IPK. The responder recomputes it for each of its fabrics (and each IPK of key set 0)
// until one matches.
import { bytesOfLength } from '../core/arguments.js';
import { hmacSha256 } from '../crypto/hashes.js';
import { rootPublicKeyArgument, uint64Argument, uint64LittleEndian } from './fabric-arguments.js';

export interface CaseDestinationIdInput {
  /** The fabric's operational IPK (16 bytes), see operationalIpk(). */
  operationalIpk: Uint8Array;
  /** Sigma1's initiatorRandom (32 bytes). */
  initiatorRandom: Uint8Array;
  /** The fabric's RCAC public key (65 bytes). */
  rootPublicKey: Uint8Array;
  fabricId: bigint;
  /** The responder's operational node id. */
  nodeId: bigint;
}

/** HMAC-SHA256(IPK, initiatorRandom ‖ rootPublicKey ‖ LE64(fabricId) ‖ LE64(nodeId)), 32 bytes. */
export function caseDestinationId(input: CaseDestinationIdInput): Uint8Array {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(`input: expected an object, got ${input === null ? 'null' : typeof input}`);
  }
  const ipk = bytesOfLength('operationalIpk', input.operationalIpk, 16);
  const random = bytesOfLength('initiatorRandom', input.initiatorRandom, 32);
  const root = rootPublicKeyArgument('rootPublicKey', input.rootPublicKey);
  const fabricId = uint64Argument('fabricId', input.fabricId);
  const nodeId = uint64Argument('nodeId', input.nodeId);
  const message = new Uint8Array(32 + 65 + 8 + 8);
  message.set(random, 0);
  message.set(root, 32);
  message.set(uint64LittleEndian(fabricId), 97);
  message.set(uint64LittleEndian(nodeId), 105);
  return hmacSha256(ipk, message);
}
