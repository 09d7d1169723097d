// Subject/authority key identifiers (RFC 5280 §4.2.1.2 method 1, as Matter Core spec §6.5 prescribes): the 160-bit
// SHA-1 of the subject public key, here the 65-byte uncompressed point. SHA-1 is used only as a name, never for a
// signature.
import { sha1 } from '@noble/hashes/legacy.js';
import { bytes } from '../core/arguments.js';

export const KEY_IDENTIFIER_LENGTH = 20;

export function keyIdentifier(publicKey: Uint8Array): Uint8Array {
  return sha1(bytes('publicKey', publicKey));
}
