// Argument checks for the core's public functions. Errors name the argument and what was expected, and are thrown
// before anything is written, so bad input changes no state.

const describe = (value: unknown): string =>
  value === null ? 'null' : value instanceof Uint8Array ? `${value.length} bytes` : typeof value;

export function bytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array, got ${describe(value)}`);
  return value;
}

export function optionalBytes(name: string, value: unknown): Uint8Array {
  return value === undefined ? EMPTY : bytes(name, value);
}

export function bytesOfLength(name: string, value: unknown, length: number): Uint8Array {
  const b = bytes(name, value);
  if (b.length !== length) throw new RangeError(`${name}: expected ${length} bytes, got ${b.length}`);
  return b;
}

/** CCM nonce: 7..13 bytes (SP 800-38C: the length field q = 15 - n is 2..8 bytes). */
export function nonce(value: unknown): Uint8Array {
  const b = bytes('nonce', value);
  if (b.length < 7 || b.length > 13) throw new RangeError(`nonce: expected 7 to 13 bytes, got ${b.length}`);
  return b;
}

/** CCM tag length: an even number of bytes from 4 to 16. */
export function tagLength(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 4 || value > 16 || value % 2 !== 0) {
    throw new RangeError(`tagLength: expected an even integer from 4 to 16, got ${String(value)}`);
  }
  return value;
}

/** The payload must fit CCM's length field: fewer than 2^(8q) bytes, q = 15 - nonce length. */
const MAX_PAYLOAD_BY_NONCE_LENGTH = [13, 12].map((n) => 2 ** (8 * (15 - n)) - 1);

export function payloadFits(name: string, length: number, nonceLength: number): void {
  // Only 13- and 12-byte nonces (q = 2, 3) bound a payload below what a JS array can hold.
  const max = nonceLength >= 12 ? MAX_PAYLOAD_BY_NONCE_LENGTH[13 - nonceLength]! : Number.MAX_SAFE_INTEGER;
  if (length > max) throw new RangeError(`${name}: a ${nonceLength}-byte nonce allows at most ${max} bytes, got ${length}`);
}

export function output(value: unknown, needed: number): Uint8Array {
  const b = bytes('output', value);
  if (b.length < needed) throw new RangeError(`output: expected at least ${needed} bytes, got ${b.length}`);
  return b;
}

export function uint32(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${name}: expected an integer from 0 to 4294967295, got ${String(value)}`);
  }
  return value;
}

export function sessionId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0xffff) {
    throw new RangeError(`id: expected a session id, an integer from 1 to 65535, got ${String(value)}`);
  }
  return value;
}

/** A length (an integer) from 0 to `max`. */
export function lengthWithin(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name}: expected an integer from 0 to ${Math.max(0, max)}, got ${String(value)}`);
  }
  return value;
}

export const EMPTY = new Uint8Array(0);
