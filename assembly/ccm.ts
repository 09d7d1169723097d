// AES-128-CCM (NIST SP 800-38C, RFC 3610) and its CTR mode.
//
// Layout of the blocks: B0 = flags | nonce | message length (q bytes, big-endian); counter block
// A_i = (q - 1) | nonce | i (q bytes), q = 15 - nonce length. CBC-MAC runs over B0, the encoded AAD and the
// payload; A_0 encrypts the tag and A_1.. the payload. The CBC-MAC chain is serial, the keystream is not, so every
// MAC step is paired with a keystream block (encryptPair) and the two dependency chains overlap.
// Lengths, counters and pass/fail are public; no branch or address depends on key, plaintext or tag bytes.
import { encryptBlock, encryptPair, pairFirst, pairSecond } from './aes128';

const ZERO: v128 = i8x16(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
const LANE_INDEX: v128 = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

// One 16-byte staging block in static memory for partial blocks and header construction.
const staging = memory.data(16, 16);

/** Lanes [0, count) all ones, the rest zero (count 0..16). */
// @ts-ignore: decorator
@inline function prefixMask(count: i32): v128 {
  return i8x16.gt_u(i8x16.splat(<i8>count), LANE_INDEX);
}

/** Loads `count` (< 16) bytes zero-padded, without reading past them. */
function loadPartial(ptr: usize, count: i32): v128 {
  v128.store(staging, ZERO);
  memory.copy(staging, ptr, count);
  return v128.load(staging);
}

function storePartial(ptr: usize, value: v128, count: i32): void {
  v128.store(staging, value);
  memory.copy(ptr, staging, count);
  v128.store(staging, ZERO);
}

/** A block of `flags | nonce | zeros`. */
function nonceBlock(flags: u8, nonce: usize, nonceLength: i32): v128 {
  v128.store(staging, ZERO);
  store<u8>(staging, flags);
  memory.copy(staging + 1, nonce, nonceLength);
  return v128.load(staging);
}

/** Mask of the counter field's low bytes (the last min(q, 4) bytes) that a u32 counter occupies. */
// @ts-ignore: decorator
@inline function counterMask(q: i32): v128 {
  return i8x16.gt_u(LANE_INDEX, i8x16.splat(<i8>(15 - min(q, 4))));
}

// @ts-ignore: decorator
@inline function counterBlock(template: v128, mask: v128, counter: u32): v128 {
  return v128.bitselect(i32x4.splat(<i32>bswap(counter)), template, mask);
}

/** B0 for a message: flags (Adata, (t-2)/2, q-1), nonce, payload length big-endian in q bytes. */
function firstMacBlock(nonce: usize, nonceLength: i32, aadLength: i32, length: u32, tagLength: i32): v128 {
  const q = 15 - nonceLength;
  const flags = <u8>((aadLength > 0 ? 0x40 : 0) | (((tagLength - 2) >> 1) << 3) | (q - 1));
  const template = nonceBlock(flags, nonce, nonceLength);
  return counterBlock(template, counterMask(q), length);
}

/**
 * Absorbs non-empty AAD into the CBC-MAC: its length encoded (2 bytes below 0xFF00, else 0xFFFE + 4 bytes), then
 * the data, zero-padded to a block. With `pair`, the last AAD step also encrypts `pairWith` (a keystream block),
 * left in pairSecond.
 */
function absorbAad(mac: v128, keys: usize, aad: usize, aadLength: i32, pairWith: v128, pair: bool): v128 {
  // The first block carries the length encoding.
  v128.store(staging, ZERO);
  let prefix: i32;
  if (aadLength < 0xff00) {
    store<u16>(staging, bswap(<u16>aadLength));
    prefix = 2;
  } else {
    store<u16>(staging, 0xfeff);
    store<u32>(staging, bswap(<u32>aadLength), 2);
    prefix = 6;
  }
  let taken = min(aadLength, 16 - prefix);
  memory.copy(staging + prefix, aad, taken);
  let block = v128.load(staging);
  v128.store(staging, ZERO);
  while (true) {
    const last = taken >= aadLength;
    if (last && pair) {
      encryptPair(v128.xor(mac, block), pairWith, keys);
      return pairFirst;
    }
    mac = encryptBlock(v128.xor(mac, block), keys);
    if (last) return mac;
    const remaining = aadLength - taken;
    block = remaining >= 16 ? v128.load(aad + taken) : loadPartial(aad + taken, remaining);
    taken += 16;
  }
}

function finishTag(mac: v128, s0: v128, tagLength: i32): v128 {
  return v128.and(v128.xor(mac, s0), prefixMask(tagLength));
}

/**
 * Encrypts `length` bytes at `input` to `output` (may be the same address) and writes the tag after them.
 * Returns 0; arguments are validated by the caller (src/core).
 */
export function ccmSeal(
  keys: usize, nonce: usize, nonceLength: i32, aad: usize, aadLength: i32,
  input: usize, length: u32, output: usize, tagLength: i32,
): void {
  const q = 15 - nonceLength;
  const template = nonceBlock(<u8>(q - 1), nonce, nonceLength);
  const mask = counterMask(q);
  encryptPair(firstMacBlock(nonce, nonceLength, aadLength, length, tagLength), template, keys);
  let mac = pairFirst;
  const s0 = pairSecond;
  if (aadLength > 0) mac = absorbAad(mac, keys, aad, aadLength, ZERO, false);

  let counter: u32 = 1;
  let offset: u32 = 0;
  while (offset < length) {
    const remaining = length - offset;
    const full = remaining >= 16;
    const plain = full ? v128.load(input + offset) : loadPartial(input + offset, remaining);
    encryptPair(v128.xor(mac, plain), counterBlock(template, mask, counter), keys);
    mac = pairFirst;
    const cipher = v128.xor(plain, pairSecond);
    if (full) v128.store(output + offset, cipher);
    else storePartial(output + offset, cipher, remaining);
    offset += 16;
    counter++;
  }
  storePartial(output + length, finishTag(mac, s0, tagLength), tagLength);
}

/**
 * Decrypts `length` bytes at `input` to `output` (may alias), checks the tag at `tag` in constant time, and
 * returns 1 if it matches. On a mismatch the output is wiped, so no unauthenticated plaintext leaves the module.
 */
export function ccmOpen(
  keys: usize, nonce: usize, nonceLength: i32, aad: usize, aadLength: i32,
  input: usize, length: u32, output: usize, tag: usize, tagLength: i32,
): i32 {
  const q = 15 - nonceLength;
  const template = nonceBlock(<u8>(q - 1), nonce, nonceLength);
  const mask = counterMask(q);
  const b0 = firstMacBlock(nonce, nonceLength, aadLength, length, tagLength);
  const blocks: u32 = (length + 15) >> 4;
  // Each MAC step needs the plaintext block, so the keystream must be ready before it. Made in the same pair as
  // the previous MAC step, the keystream block's rounds would sit on the chain; made two steps ahead (by the B0 and
  // last AAD steps, then by each pair), they are off it. E(A_0) for the tag rides with the last MAC step.
  // `current` and `next` hold the keystream of blocks i and i + 1 as far as made; `made` counts keystream blocks.
  let mac: v128;
  let s0 = ZERO;
  let s0Made = false;
  let current = ZERO;
  let next = ZERO;
  let made: u32 = 0;
  if (blocks == 0) {
    encryptPair(b0, template, keys);
    mac = pairFirst;
    s0 = pairSecond;
    s0Made = true;
    if (aadLength > 0) mac = absorbAad(mac, keys, aad, aadLength, ZERO, false);
  } else {
    encryptPair(b0, counterBlock(template, mask, 1), keys);
    mac = pairFirst;
    current = pairSecond;
    made = 1;
    if (aadLength > 0) {
      if (blocks > 1) {
        mac = absorbAad(mac, keys, aad, aadLength, counterBlock(template, mask, 2), true);
        next = pairSecond;
        made = 2;
      } else {
        mac = absorbAad(mac, keys, aad, aadLength, template, true);
        s0 = pairSecond;
        s0Made = true;
      }
    }
  }

  let offset: u32 = 0;
  for (let i: u32 = 0; i < blocks; i++) {
    const remaining = length - offset;
    let plain: v128;
    if (remaining >= 16) {
      plain = v128.xor(v128.load(input + offset), current);
      v128.store(output + offset, plain);
    } else {
      plain = v128.and(v128.xor(loadPartial(input + offset, remaining), current), prefixMask(remaining));
      storePartial(output + offset, plain, remaining);
    }
    offset += 16;
    const macInput = v128.xor(mac, plain);
    if (made < blocks) {
      encryptPair(macInput, counterBlock(template, mask, made + 1), keys);
      mac = pairFirst;
      // One block ahead (no AAD to make block 1's keystream beside): it is the next block's; else the one after.
      if (made == i + 1) {
        current = pairSecond;
      } else {
        current = next;
        next = pairSecond;
      }
      made++;
    } else if (!s0Made) {
      encryptPair(macInput, template, keys);
      mac = pairFirst;
      s0 = pairSecond;
      s0Made = true;
      current = next;
    } else {
      mac = encryptBlock(macInput, keys);
      current = next;
    }
  }
  const expected = finishTag(mac, s0, tagLength);
  const received = v128.and(loadPartial(tag, tagLength), prefixMask(tagLength));
  // Constant-time comparison: one OR-reduction over the difference, no early exit.
  const matches = !v128.any_true(v128.xor(expected, received));
  if (!matches) memory.fill(output, 0, length);
  return matches ? 1 : 0;
}

/**
 * XORs `length` bytes with the CTR keystream E(A_i), i = initialCounter, initialCounter + 1, ..., in CCM's
 * counter-block format (Matter privacy obfuscation uses it with a 13-byte nonce and i starting at 1).
 */
export function ctrXor(
  keys: usize, nonce: usize, nonceLength: i32, input: usize, length: u32, output: usize, initialCounter: u32,
): void {
  const q = 15 - nonceLength;
  const template = nonceBlock(<u8>(q - 1), nonce, nonceLength);
  const mask = counterMask(q);
  let counter = initialCounter;
  let offset: u32 = 0;
  while (offset < length) {
    encryptPair(counterBlock(template, mask, counter), counterBlock(template, mask, counter + 1), keys);
    const second = pairSecond;
    xorBlock(input + offset, output + offset, pairFirst, length - offset);
    offset += 16;
    if (offset < length) xorBlock(input + offset, output + offset, second, length - offset);
    offset += 16;
    counter += 2;
  }
}

function xorBlock(input: usize, output: usize, keystream: v128, remaining: u32): void {
  if (remaining >= 16) v128.store(output, v128.xor(v128.load(input), keystream));
  else storePartial(output, v128.xor(loadPartial(input, remaining), keystream), remaining);
}
