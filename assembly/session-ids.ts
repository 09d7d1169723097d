// Session-id allocation over 1..65535 (Matter: 0 is the unsecured session). The reference algorithm
// (SecureSessionTable) starts at a random hint and takes the next free id upward, wrapping 65535 -> 1; after an
// allocation the hint is the id + 1. Ids are public values, so plain branches are fine here.
//
// One allocator is a 65,536-bit bitmap (1024 u64 words, bit set = in use, id 0 permanently set) plus a
// 1024-bit summary (bit w set = word w full), so finding the next free id looks at no more than a few words even
// with 65,000 ids live.
const WORDS: usize = 1024;
const SUMMARY_OFFSET: usize = WORDS * 8;
const HINT_OFFSET: usize = SUMMARY_OFFSET + 128;
const COUNT_OFFSET: usize = HINT_OFFSET + 4;
const ALLOCATOR_BYTES: usize = COUNT_OFFSET + 12;
const MAX_ID: u32 = 65535;

let freeList: usize = 0;

export function allocatorCreate(hint: u32): usize {
  let a = freeList;
  if (a != 0) freeList = load<usize>(a);
  else a = heap.alloc(ALLOCATOR_BYTES);
  memory.fill(a, 0, ALLOCATOR_BYTES);
  store<u64>(a, 1); // id 0 is never handed out
  store<u32>(a + HINT_OFFSET, hint < 1 || hint > MAX_ID ? 1 : hint);
  return a;
}

export function allocatorDispose(a: usize): void {
  memory.fill(a, 0, ALLOCATOR_BYTES);
  store<usize>(a, freeList);
  freeList = a;
}

export function allocatorCount(a: usize): u32 {
  return load<u32>(a + COUNT_OFFSET);
}

export function allocatorInUse(a: usize, id: u32): bool {
  return ((load<u64>(a + ((<usize>id >> 6) << 3)) >> (id & 63)) & 1) != 0;
}

/** First free id >= start, or 0 if none up to 65535. */
function firstFreeFrom(a: usize, start: u32): u32 {
  let w = <usize>(start >> 6);
  const free = ~load<u64>(a + (w << 3)) & (<u64>-1 << (start & 63));
  if (free != 0) return <u32>((w << 6) + <usize>ctz(free));
  // Skip full words with the summary: look for a word > w whose summary bit is clear.
  w++;
  while (w < WORDS) {
    const s = w >> 6;
    const notFull = ~load<u64>(a + SUMMARY_OFFSET + (s << 3)) & (<u64>-1 << (w & 63));
    if (notFull != 0) {
      const word = (s << 6) + <usize>ctz(notFull);
      return <u32>((word << 6) + <usize>ctz(~load<u64>(a + (word << 3))));
    }
    w = (s + 1) << 6;
  }
  return 0;
}

function mark(a: usize, id: u32): void {
  const w = <usize>(id >> 6);
  const bits = load<u64>(a + (w << 3)) | (<u64>1 << (id & 63));
  store<u64>(a + (w << 3), bits);
  if (bits == <u64>-1) {
    const s = a + SUMMARY_OFFSET + ((w >> 6) << 3);
    store<u64>(s, load<u64>(s) | (<u64>1 << (w & 63)));
  }
  store<u32>(a + COUNT_OFFSET, load<u32>(a + COUNT_OFFSET) + 1);
}

/** Allocates the next free id from the hint (wrapping to 1); returns 0 when all 65535 are live. */
export function allocatorAllocate(a: usize): u32 {
  if (load<u32>(a + COUNT_OFFSET) >= MAX_ID) return 0;
  let id = firstFreeFrom(a, load<u32>(a + HINT_OFFSET));
  if (id == 0) id = firstFreeFrom(a, 1);
  mark(a, id);
  store<u32>(a + HINT_OFFSET, id == MAX_ID ? 1 : id + 1);
  return id;
}

/** Marks a given id live (restoring state). Returns false if it already was. */
export function allocatorReserve(a: usize, id: u32): bool {
  if (allocatorInUse(a, id)) return false;
  mark(a, id);
  return true;
}

/** Frees a live id. Returns false if it was not live. */
export function allocatorRelease(a: usize, id: u32): bool {
  if (!allocatorInUse(a, id)) return false;
  const w = <usize>(id >> 6);
  store<u64>(a + (w << 3), load<u64>(a + (w << 3)) & ~(<u64>1 << (id & 63)));
  const s = a + SUMMARY_OFFSET + ((w >> 6) << 3);
  store<u64>(s, load<u64>(s) & ~(<u64>1 << (w & 63)));
  store<u32>(a + COUNT_OFFSET, load<u32>(a + COUNT_OFFSET) - 1);
  return true;
}
