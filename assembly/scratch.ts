// The scratch region: JS writes a message here once, calls one export, and reads the result from the same place.
// It grows (to a new region, the old one wiped) when a larger message arrives; JS re-reads its address then.
let scratch: usize = 0;
let capacity: usize = 0;

/** Returns a scratch region of at least `bytes` bytes (plus 16 bytes of slack for whole-block reads). */
export function scratchReserve(bytes: usize): usize {
  if (bytes > capacity) {
    if (scratch != 0) memory.fill(scratch, 0, capacity + 16);
    let next = max<usize>(capacity, 4096);
    while (next < bytes) next <<= 1;
    scratch = heap.alloc(next + 16);
    capacity = next;
  }
  return scratch;
}
