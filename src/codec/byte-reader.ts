// Little-endian reads with bounds checks that fail as MalformedMessageError (never a DataView RangeError).
import { MalformedMessageError } from './malformed-message-error.js';

// Plain byte arithmetic rather than a DataView: the reader is made for every message, and a DataView per message
// costs more than the reads.
export class ByteReader {
  offset: number;

  constructor(readonly bytes: Uint8Array, offset = 0, readonly end = bytes.length) {
    this.offset = offset;
  }

  #need(field: string, length: number): number {
    const at = this.offset;
    if (at + length > this.end) {
      throw new MalformedMessageError(field, `needs ${length} bytes, ${this.end - at} left`, at);
    }
    this.offset = at + length;
    return at;
  }

  u8(field: string): number {
    return this.bytes[this.#need(field, 1)]!;
  }

  u16(field: string): number {
    const at = this.#need(field, 2);
    return this.bytes[at]! | (this.bytes[at + 1]! << 8);
  }

  u32(field: string): number {
    return readU32(this.bytes, this.#need(field, 4));
  }

  u64(field: string): bigint {
    const at = this.#need(field, 8);
    return (BigInt(readU32(this.bytes, at + 4)) << 32n) | BigInt(readU32(this.bytes, at));
  }

  /** A view (not a copy) of the next `length` bytes. */
  view(field: string, length: number): Uint8Array {
    const at = this.#need(field, length);
    return this.bytes.subarray(at, at + length);
  }
}

export function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

export function writeU16(target: Uint8Array, at: number, value: number): void {
  target[at] = value & 0xff;
  target[at + 1] = value >>> 8;
}

export function writeU32(target: Uint8Array, at: number, value: number): void {
  target[at] = value & 0xff;
  target[at + 1] = (value >>> 8) & 0xff;
  target[at + 2] = (value >>> 16) & 0xff;
  target[at + 3] = value >>> 24;
}

export function writeU64(target: Uint8Array, at: number, value: bigint): void {
  writeU32(target, at, Number(value & 0xffffffffn));
  writeU32(target, at + 4, Number(value >> 32n));
}
