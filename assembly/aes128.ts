// AES-128 block encryption (FIPS 197), constant-time.
//
// Technique: vector permute. SubBytes is computed, not looked up in a 256-byte table: each byte is mapped into
// the tower field GF((2^4)^2), inverted there with 16-entry tables indexed by 4-bit values, and mapped back
// (scripts/derive-aes-tables.mjs derives the tables and explains the maths). Every table access is an
// i8x16.swizzle, which reads all 16 table bytes from a register whatever the index, so no memory address and no
// branch depends on key or data: there is nothing for a cache-timing attack to observe. ShiftRows and the
// MixColumns rotations are fixed shuffles; xtime uses an arithmetic shift as a mask instead of a branch.
import { C_OVER_K, GF16_INVERSE, INPUT_HIGH, INPUT_LOW, OUTPUT_IO, OUTPUT_JO } from './aes-tables';

export const ROUND_KEYS_BYTES: i32 = 11 * 16;

const LOW_NIBBLE: v128 = i8x16(15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15);
const REDUCTION: v128 = i8x16(0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b, 0x1b);
// The S-box's affine constant. The round keys of rounds 1..10 carry it (MixColumns maps a column of equal bytes
// to itself, so adding it after MixColumns is the same as adding it after SubBytes); the key schedule adds it.
const AFFINE_CONSTANT: v128 = i8x16(0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63);

/** SubBytes without the affine constant: S(x) ^ 0x63 for each byte. */
// @ts-ignore: decorator
@inline function subBytesLinear(x: v128): v128 {
  const t = v128.xor(v128.swizzle(INPUT_LOW, v128.and(x, LOW_NIBBLE)), v128.swizzle(INPUT_HIGH, i8x16.shr_u(x, 4)));
  const i = i8x16.shr_u(t, 4);
  const k = v128.and(t, LOW_NIBBLE);
  const j = v128.xor(i, k);
  const ak = v128.swizzle(C_OVER_K, k);
  const iak = v128.xor(v128.swizzle(GF16_INVERSE, i), ak);
  const jak = v128.xor(v128.swizzle(GF16_INVERSE, j), ak);
  const io = v128.xor(v128.swizzle(GF16_INVERSE, iak), j);
  const jo = v128.xor(v128.swizzle(GF16_INVERSE, jak), i);
  return v128.xor(v128.swizzle(OUTPUT_IO, io), v128.swizzle(OUTPUT_JO, jo));
}

// State bytes are column-major (byte 4c + r is row r of column c), as in FIPS 197.
// @ts-ignore: decorator
@inline function shiftRows(s: v128): v128 {
  return i8x16.shuffle(s, s, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11);
}

// @ts-ignore: decorator
@inline function mixColumns(t: v128): v128 {
  // out_r = 2t_r + 3t_(r+1) + t_(r+2) + t_(r+3) = t_r + (column sum) + 2(t_r + t_(r+1))
  const a = v128.xor(t, i8x16.shuffle(t, t, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
  const columnSum = v128.xor(a, i8x16.shuffle(a, a, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
  const doubled = v128.xor(i8x16.shl(a, 1), v128.and(i8x16.shr_s(a, 7), REDUCTION));
  return v128.xor(v128.xor(t, columnSum), doubled);
}

// @ts-ignore: decorator
@inline function round(s: v128, roundKey: v128): v128 {
  return v128.xor(mixColumns(subBytesLinear(shiftRows(s))), roundKey);
}

// @ts-ignore: decorator
@inline function finalRound(s: v128, roundKey: v128): v128 {
  return v128.xor(subBytesLinear(shiftRows(s)), roundKey);
}

/** Encrypts one block with the round keys at `keys`. */
export function encryptBlock(block: v128, keys: usize): v128 {
  let s = v128.xor(block, v128.load(keys));
  for (let r: usize = 1; r < 10; r++) s = round(s, v128.load(keys + (r << 4)));
  return finalRound(s, v128.load(keys, 160));
}

/** Results of encryptPair (AssemblyScript functions return one value). */
export let pairFirst: v128 = v128.splat<i32>(0);
export let pairSecond: v128 = v128.splat<i32>(0);

/**
 * Encrypts two independent blocks with the same key. Interleaving the two dependency chains lets the CPU overlap
 * them, which is how CCM's CBC-MAC (serial) and CTR keystream (parallel) share one pass.
 */
export function encryptPair(first: v128, second: v128, keys: usize): void {
  let k = v128.load(keys);
  let a = v128.xor(first, k);
  let b = v128.xor(second, k);
  for (let r: usize = 1; r < 10; r++) {
    k = v128.load(keys + (r << 4));
    a = round(a, k);
    b = round(b, k);
  }
  k = v128.load(keys, 160);
  pairFirst = finalRound(a, k);
  pairSecond = finalRound(b, k);
}

const RCON: StaticArray<u8> = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

/** AES-128 key expansion (FIPS 197 §5.2) into 11 round keys at `keys`; rounds 1..10 carry the affine constant. */
export function expandKey(key: usize, keys: usize): void {
  let w = v128.load(key);
  v128.store(keys, w);
  for (let r = 1; r <= 10; r++) {
    // SubWord(RotWord(w3)) ^ Rcon, broadcast to the four words; S = subBytesLinear ^ 0x63.
    const substituted = v128.xor(subBytesLinear(w), AFFINE_CONSTANT);
    let temp = i8x16.shuffle(substituted, substituted, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12);
    temp = v128.xor(temp, i32x4.splat(<i32>unchecked(RCON[r - 1])));
    // w'_i = w_0 ^ ... ^ w_i ^ temp: a prefix XOR over the four words.
    const zero = v128.splat<i32>(0);
    w = v128.xor(w, i8x16.shuffle(zero, w, 0, 1, 2, 3, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
    w = v128.xor(w, i8x16.shuffle(zero, w, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    w = v128.xor(w, temp);
    v128.store(keys + (<usize>r << 4), v128.xor(w, AFFINE_CONSTANT));
  }
}
