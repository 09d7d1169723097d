// Expanded-key slots: each session direction expands its key once and keeps the 176 bytes of round keys here,
// inside the module, until the slot is released. Released slots are wiped and reused through a free list.
import { expandKey, ROUND_KEYS_BYTES } from './aes128';

const SLOTS_PER_CHUNK: i32 = 64;
let freeList: usize = 0;
let live: i32 = 0;

/** Expands the 16-byte key at `key` into a slot, wipes the key bytes, and returns the slot's address. */
export function keySlotCreate(key: usize): usize {
  if (freeList == 0) {
    const chunk = heap.alloc(<usize>(ROUND_KEYS_BYTES * SLOTS_PER_CHUNK));
    for (let n = SLOTS_PER_CHUNK - 1; n >= 0; n--) {
      const slot = chunk + <usize>(n * ROUND_KEYS_BYTES);
      store<usize>(slot, freeList);
      freeList = slot;
    }
  }
  const slot = freeList;
  freeList = load<usize>(slot);
  expandKey(key, slot);
  memory.fill(key, 0, 16);
  live++;
  return slot;
}

/** Wipes the round keys and returns the slot to the free list. */
export function keySlotRelease(slot: usize): void {
  memory.fill(slot, 0, ROUND_KEYS_BYTES);
  store<usize>(slot, freeList);
  freeList = slot;
  live--;
}

export function keySlotsLive(): i32 {
  return live;
}
