// A growable little-endian byte buffer for the TLV encoder.

export class ByteWriter {
  #buffer = new Uint8Array(64);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  /** Makes room for `count` more bytes and returns where they start. */
  #reserve(count: number): number {
    const at = this.#length;
    if (at + count > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, at + count));
      grown.set(this.#buffer.subarray(0, at));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length += count;
    return at;
  }

  // Each reserves before touching #view or #buffer: reserving may replace them.
  u8(value: number): void { const at = this.#reserve(1); this.#view.setUint8(at, value); }
  u16(value: number): void { const at = this.#reserve(2); this.#view.setUint16(at, value, true); }
  u32(value: number): void { const at = this.#reserve(4); this.#view.setUint32(at, value, true); }
  u64(value: bigint): void { const at = this.#reserve(8); this.#view.setBigUint64(at, value, true); }
  i8(value: number): void { const at = this.#reserve(1); this.#view.setInt8(at, value); }
  i16(value: number): void { const at = this.#reserve(2); this.#view.setInt16(at, value, true); }
  i32(value: number): void { const at = this.#reserve(4); this.#view.setInt32(at, value, true); }
  i64(value: bigint): void { const at = this.#reserve(8); this.#view.setBigInt64(at, value, true); }
  f32(value: number): void { const at = this.#reserve(4); this.#view.setFloat32(at, value, true); }
  f64(value: number): void { const at = this.#reserve(8); this.#view.setFloat64(at, value, true); }
  bytes(value: Uint8Array): void { const at = this.#reserve(value.length); this.#buffer.set(value, at); }

  /** The bytes written, in a buffer of their own. */
  finish(): Uint8Array { return this.#buffer.slice(0, this.#length); }
}
