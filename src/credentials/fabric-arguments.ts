// Argument checks shared by the fabric-level derivations (Matter Core spec "Compressed Fabric Identifier", §4.14 CASE
// "Destination Identifier"): a 65-byte uncompressed root key and 64-bit fabric and node ids. Errors name the argument
// and what was expected, before anything is computed.
import { bytesOfLength } from '../core/arguments.js';

const UINT64_MAX = (1n << 64n) - 1n;

/** A 65-byte uncompressed SEC1 point (0x04 ‖ X ‖ Y), as certificates carry it. */
export function rootPublicKeyArgument(name: string, value: unknown): Uint8Array {
  const key = bytesOfLength(name, value, 65);
  if (key[0] !== 0x04) {
    throw new RangeError(`${name}: expected an uncompressed P-256 point starting with 0x04, got 0x${key[0]!.toString(16).padStart(2, '0')}`);
  }
  return key;
}

/** A bigint from 0 to 2^64 - 1. */
export function uint64Argument(name: string, value: unknown): bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${name}: expected a bigint, got ${typeof value}`);
  if (value < 0n || value > UINT64_MAX) throw new RangeError(`${name}: expected 0 to 2^64 - 1, got ${value}`);
  return value;
}

/** Big-endian 8 bytes (the HKDF salt of the compressed fabric id). */
export function uint64BigEndian(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, false);
  return out;
}

/** Little-endian 8 bytes (Matter's wire order inside the destination id message). */
export function uint64LittleEndian(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}
