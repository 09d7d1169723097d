// Small results are views into a shared 64 KiB ArrayBuffer, as Node's Buffer pool does: V8 stores typed arrays
// over 64 bytes off-heap, and allocating such a backing store per message costs more than sealing it. The
// trade-off, as with Buffer: a result's `.buffer` is the shared pool (use `byteOffset`/`length`, or `.slice()`).
const POOL_BYTES = 64 * 1024;
const POOLED_MAX = 4 * 1024;

let pool = new ArrayBuffer(POOL_BYTES);
let used = 0;

export function resultBytes(length: number): Uint8Array {
  if (length > POOLED_MAX) return new Uint8Array(length);
  if (used + length > POOL_BYTES) {
    pool = new ArrayBuffer(POOL_BYTES);
    used = 0;
  }
  const view = new Uint8Array(pool, used, length);
  used = (used + length + 7) & ~7; // keep views 8-byte aligned
  return view;
}
