// AES-128 block encryption (FIPS 197), constant-time.
//
// Technique: vector permute. SubBytes is computed, not looked up in a 256-byte table: each byte is mapped into
// the tower field GF((2^4)^2), inverted there with 16-entry tables indexed by 4-bit values, and mapped back
// (scripts/derive-aes-tables.mjs derives the tables and explains the maths). Every table access is an
// i8x16.swizzle (relaxed_swizzle in the relaxed build: assembly/lookup.ts), which reads all 16 table bytes from
// a register whatever the index, so no memory address and no branch depends on key or data: there is nothing for
// a cache-timing attack to observe. ShiftRows and the MixColumns rotations are fixed shuffles. Between the first
// and the last round the state stays in the tower field's basis, where MixColumns' doubling is two more nibble
// lookups: no branch, no mask built from data, and no basis change on each round's critical path.
import {
  placeKeyLayout1, placeKeyLayout2, placeKeyLayout3, restoreOrderFromLayout2, ROTATE_ROWS_1_LAYOUT_0,
  ROTATE_ROWS_1_LAYOUT_1, ROTATE_ROWS_1_LAYOUT_2, ROTATE_ROWS_1_LAYOUT_3, ROTATE_ROWS_2_LAYOUT_0, ROTATE_ROWS_2_LAYOUT_1,
  ROTATE_ROWS_2_LAYOUT_2, ROTATE_ROWS_2_LAYOUT_3, ROTATE_ROWS_3_LAYOUT_0, ROTATE_ROWS_3_LAYOUT_1, ROTATE_ROWS_3_LAYOUT_2,
  ROTATE_ROWS_3_LAYOUT_3, shiftRows,
} from './aes-layouts';
import { lookup } from './lookup';
import {
  C_OVER_K, GF16_INVERSE, INPUT_HIGH, INPUT_LOW, OUTPUT_IO, OUTPUT_IO_TOWER, OUTPUT_IO_TOWER_DOUBLE, OUTPUT_JO,
  OUTPUT_JO_TOWER, OUTPUT_JO_TOWER_DOUBLE,
} from './aes-tables';

export const ROUND_KEYS_BYTES: i32 = 11 * 16;

// Set per build (asconfig.json `use`): 1 for the compact builds JavaScriptCore gets. Those run the rounds as a loop
// with ShiftRows as a shuffle and the state in FIPS 197 order throughout: one more shuffle per round, but only three
// masks live instead of nine and a tenth of the code, which JavaScriptCore's register allocator turns into 1.2-1.5x
// the speed (its unrolled version spills about 330 vectors per block pair); V8 runs the unrolled one faster.
// AES_COMPACT is an integer constant from `asc --use` (a declaration would turn it into a wasm import instead).

const LOW_NIBBLE: usize = memory.data<u8>([15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15]);
const ZERO: v128 = i8x16(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
// The S-box's affine constant. The round keys of rounds 1..10 carry it (MixColumns maps a column of equal bytes
// to itself, so adding it after MixColumns is the same as adding it after SubBytes); the key schedule adds it.
const AFFINE_CONSTANT: v128 = i8x16(0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63);

// x86 has no byte shift: a 16-bit shift and a mask is what i8x16.shr_u becomes anyway, minus the engine's
// extra work to build the mask.
// @ts-ignore: decorator
@inline function highNibbles(x: v128): v128 {
  return v128.and(i16x8.shr_u(x, 4), v128.load(LOW_NIBBLE));
}

/** Each byte mapped into the tower field T (phi in scripts/derive-aes-tables.mjs). */
// @ts-ignore: decorator
@inline function toTower(x: v128): v128 {
  return v128.xor(
    lookup(v128.load(INPUT_LOW), v128.and(x, v128.load(LOW_NIBBLE))),
    lookup(v128.load(INPUT_HIGH), highNibbles(x)),
  );
}

/** The tower-field inversion's two output indices io, jo for bytes already in T (the table maths is in the script). */
// @ts-ignore: decorator
@inline function inverseIo(t: v128): v128 {
  const inverse = v128.load(GF16_INVERSE);
  const i = highNibbles(t);
  const k = v128.and(t, v128.load(LOW_NIBBLE));
  const ak = lookup(v128.load(C_OVER_K), k);
  return v128.xor(lookup(inverse, v128.xor(lookup(inverse, i), ak)), v128.xor(i, k));
}
// @ts-ignore: decorator
@inline function inverseJo(t: v128): v128 {
  const inverse = v128.load(GF16_INVERSE);
  const i = highNibbles(t);
  const k = v128.and(t, v128.load(LOW_NIBBLE));
  const ak = lookup(v128.load(C_OVER_K), k);
  return v128.xor(lookup(inverse, v128.xor(lookup(inverse, v128.xor(i, k)), ak)), i);
}

/** SubBytes without the affine constant, FIPS 197 bytes in and out: S(x) ^ 0x63 (the key schedule). */
// @ts-ignore: decorator
@inline function subBytesLinear(x: v128): v128 {
  const t = toTower(x);
  return v128.xor(lookup(v128.load(OUTPUT_IO), inverseIo(t)), lookup(v128.load(OUTPUT_JO), inverseJo(t)));
}

// State bytes are column-major (byte 4c + r is row r of column c), as in FIPS 197. ShiftRows is never done as
// a shuffle: the state's lane layout rotates with the round instead (assembly/aes-layouts.ts). Rounds 1..9 keep
// the state in T; their round keys are stored through phi (expandKey).

/**
 * One full round in T, its row rotations given by the masks of the layout it produces. SubBytes' two output
 * lookups give t = S'(x) and, from two more tables, 2t, so MixColumns waits for no further lookup:
 * out_r = 2t_r + 3t_(r+1) + t_(r+2) + t_(r+3). Side by side (CBC-MAC's blocks, and single blocks), it is
 * 2t + rot1(t + 2t) + rot2(t) + rot3(t): the three rotations start from t and 2t together, so the round ends three
 * steps after the output lookups instead of five, with one XOR fewer (CBC-MAC is one chain: every step of a round's
 * latency counts). Chained (keystream blocks, which are off that chain), it is t + key + 2(t_r + t_(r+1)) +
 * (column sum): one rotation mask fewer live in the pair, where register pressure, not latency, sets the pace.
 */
// @ts-ignore: decorator
@inline function roundInTower(s: v128, key: v128, rotate1: usize, rotate2: usize, rotate3: usize, chained: bool): v128 {
  const io = inverseIo(s), jo = inverseJo(s);
  const t = v128.xor(lookup(v128.load(OUTPUT_IO_TOWER), io), lookup(v128.load(OUTPUT_JO_TOWER), jo));
  const t2 = v128.xor(lookup(v128.load(OUTPUT_IO_TOWER_DOUBLE), io), lookup(v128.load(OUTPUT_JO_TOWER_DOUBLE), jo));
  if (chained) {
    const byRow1 = v128.load(rotate1);
    const a = v128.xor(t, lookup(t, byRow1));
    const doubled = v128.xor(t2, lookup(t2, byRow1));
    const columnSum = v128.xor(a, lookup(a, v128.load(rotate2)));
    return v128.xor(v128.xor(v128.xor(t, key), doubled), columnSum);
  }
  const farRows = v128.xor(lookup(t, v128.load(rotate2)), lookup(t, v128.load(rotate3)));
  const nextRow = lookup(v128.xor(t, t2), v128.load(rotate1));
  return v128.xor(v128.xor(v128.xor(t2, key), farRows), nextRow);
}

/** The last round: SubBytes from T back to FIPS 197 bytes, no MixColumns. */
// @ts-ignore: decorator
@inline function lastSubBytes(s: v128, key: v128): v128 {
  const t = v128.xor(lookup(v128.load(OUTPUT_IO), inverseIo(s)), lookup(v128.load(OUTPUT_JO), inverseJo(s)));
  return v128.xor(t, key);
}

// One full round whose output is in layout N (rounds 1..9 use layout round mod 4).
// @ts-ignore: decorator
@inline function roundToLayout1(s: v128, key: v128, chained: bool = false): v128 {
  return roundInTower(s, key, ROTATE_ROWS_1_LAYOUT_1, ROTATE_ROWS_2_LAYOUT_1, ROTATE_ROWS_3_LAYOUT_1, chained);
}
// @ts-ignore: decorator
@inline function roundToLayout2(s: v128, key: v128, chained: bool = false): v128 {
  return roundInTower(s, key, ROTATE_ROWS_1_LAYOUT_2, ROTATE_ROWS_2_LAYOUT_2, ROTATE_ROWS_3_LAYOUT_2, chained);
}
// @ts-ignore: decorator
@inline function roundToLayout3(s: v128, key: v128, chained: bool = false): v128 {
  return roundInTower(s, key, ROTATE_ROWS_1_LAYOUT_3, ROTATE_ROWS_2_LAYOUT_3, ROTATE_ROWS_3_LAYOUT_3, chained);
}
// @ts-ignore: decorator
@inline function roundToLayout0(s: v128, key: v128, chained: bool = false): v128 {
  return roundInTower(s, key, ROTATE_ROWS_1_LAYOUT_0, ROTATE_ROWS_2_LAYOUT_0, ROTATE_ROWS_3_LAYOUT_0, chained);
}

// The final round has no MixColumns; its output (layout 2) is put back in FIPS 197 order.
// @ts-ignore: decorator
@inline function finalRound(s: v128, key: v128): v128 {
  return restoreOrderFromLayout2(lastSubBytes(s, key));
}

// Compact build: FIPS 197 order throughout; ShiftRows (a byte move, so it commutes with the byte-wise SubBytes)
// is done on the round's input, so 2t comes out shifted too.
// @ts-ignore: decorator
@inline function roundInOrder(s: v128, key: v128, chained: bool = false): v128 {
  return roundInTower(shiftRows(s), key, ROTATE_ROWS_1_LAYOUT_0, ROTATE_ROWS_2_LAYOUT_0, ROTATE_ROWS_3_LAYOUT_0, chained);
}
// @ts-ignore: decorator
@inline function finalRoundInOrder(s: v128, key: v128): v128 {
  return lastSubBytes(shiftRows(s), key);
}

/** Encrypts one block with the round keys at `keys`. */
export function encryptBlock(block: v128, keys: usize): v128 {
  if (AES_COMPACT) {
    let c = v128.xor(toTower(block), v128.load(keys));
    for (let r: usize = 1; r < 10; r++) c = roundInOrder(c, v128.load(keys + (r << 4)));
    return finalRoundInOrder(c, v128.load(keys, 160));
  }
  let s = v128.xor(toTower(block), v128.load(keys));
  s = roundToLayout1(s, v128.load(keys, 16));
  s = roundToLayout2(s, v128.load(keys, 32));
  s = roundToLayout3(s, v128.load(keys, 48));
  s = roundToLayout0(s, v128.load(keys, 64));
  s = roundToLayout1(s, v128.load(keys, 80));
  s = roundToLayout2(s, v128.load(keys, 96));
  s = roundToLayout3(s, v128.load(keys, 112));
  s = roundToLayout0(s, v128.load(keys, 128));
  s = roundToLayout1(s, v128.load(keys, 144));
  return finalRound(s, v128.load(keys, 160));
}

// In a pair the first block is CBC-MAC's (the serial chain: its rounds take the shorter, side-by-side MixColumns)
// and the second a keystream block off the chain, which takes the chained form. Both side by side, the pair needs
// the third mask in both lanes: Deno's V8 ran pairs 0.94x and JavaScriptCore the compact build's 0.81-0.90x; with
// the keystream lane chained, 1.06x and 1.04x (README "The core in each engine").
const CTR_CHAINED: bool = true;

/** Results of encryptPair (AssemblyScript functions return one value). */
export let pairFirst: v128 = ZERO;
export let pairSecond: v128 = ZERO;

/**
 * Encrypts two independent blocks with the same key. Interleaving the two dependency chains lets the CPU overlap
 * them, which is how CCM's CBC-MAC (serial) and CTR keystream (parallel) share one pass.
 */
export function encryptPair(first: v128, second: v128, keys: usize): void {
  let k = v128.load(keys);
  let a = v128.xor(toTower(first), k);
  let b = v128.xor(toTower(second), k);
  if (AES_COMPACT) {
    for (let r: usize = 1; r < 10; r++) {
      k = v128.load(keys + (r << 4));
      a = roundInOrder(a, k);
      b = roundInOrder(b, k, CTR_CHAINED);
    }
    k = v128.load(keys, 160);
    pairFirst = finalRoundInOrder(a, k);
    pairSecond = finalRoundInOrder(b, k);
    return;
  }
  k = v128.load(keys, 16); a = roundToLayout1(a, k); b = roundToLayout1(b, k, CTR_CHAINED);
  k = v128.load(keys, 32); a = roundToLayout2(a, k); b = roundToLayout2(b, k, CTR_CHAINED);
  k = v128.load(keys, 48); a = roundToLayout3(a, k); b = roundToLayout3(b, k, CTR_CHAINED);
  k = v128.load(keys, 64); a = roundToLayout0(a, k); b = roundToLayout0(b, k, CTR_CHAINED);
  k = v128.load(keys, 80); a = roundToLayout1(a, k); b = roundToLayout1(b, k, CTR_CHAINED);
  k = v128.load(keys, 96); a = roundToLayout2(a, k); b = roundToLayout2(b, k, CTR_CHAINED);
  k = v128.load(keys, 112); a = roundToLayout3(a, k); b = roundToLayout3(b, k, CTR_CHAINED);
  k = v128.load(keys, 128); a = roundToLayout0(a, k); b = roundToLayout0(b, k, CTR_CHAINED);
  k = v128.load(keys, 144); a = roundToLayout1(a, k); b = roundToLayout1(b, k, CTR_CHAINED);
  k = v128.load(keys, 160);
  pairFirst = finalRound(a, k);
  pairSecond = finalRound(b, k);
}

/** Round key r is stored in the lane layout its round produces (layout r mod 4; the compact build: FIPS order). */
function placeKey(key: v128, layout: i32): v128 {
  if (AES_COMPACT) return key;
  if (layout == 1) return placeKeyLayout1(key);
  if (layout == 2) return placeKeyLayout2(key);
  if (layout == 3) return placeKeyLayout3(key);
  return key;
}

const RCON: StaticArray<u8> = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

/**
 * AES-128 key expansion (FIPS 197 §5.2) into 11 round keys at `keys`; rounds 1..10 carry the affine constant, and
 * rounds 0..9 are stored in T, where their rounds' state is (round 10's state is FIPS 197 bytes again).
 */
export function expandKey(key: usize, keys: usize): void {
  let w = v128.load(key);
  v128.store(keys, toTower(w));
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
    const roundKey = v128.xor(w, AFFINE_CONSTANT);
    v128.store(keys + (<usize>r << 4), placeKey(r < 10 ? toTower(roundKey) : roundKey, r & 3));
  }
}
