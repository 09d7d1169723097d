// Little-endian reads with bounds checks that fail as MalformedMessageError (never a DataView RangeError).
import { MalformedMessageError } from './malformed-message-error.js';

export class ByteReader {
  offset: number;
  readonly #view: DataView;

  constructor(readonly bytes: Uint8Array, offset = 0, readonly end = bytes.length) {
    this.offset = offset;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
    return this.#view.getUint16(this.#need(field, 2), true);
  }

  u32(field: string): number {
    return this.#view.getUint32(this.#need(field, 4), true);
  }

  u64(field: string): bigint {
    return this.#view.getBigUint64(this.#need(field, 8), true);
  }

  /** A view (not a copy) of the next `length` bytes. */
  view(field: string, length: number): Uint8Array {
    const at = this.#need(field, length);
    return this.bytes.subarray(at, at + length);
  }
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
