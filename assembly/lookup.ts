// The byte-lane table lookup every AES step uses (FIPS 197 SubBytes through the tower field, and the row
// rotations). Index lanes are always 0..15 or 0x80..0x8F (the tables' 0x80 marks 1/0 and must look up 0):
// i8x16.swizzle defines both, and so does i8x16.relaxed_swizzle (an index of 128 or more gives 0; only 16..127
// is left to the engine, and no lane is ever there). The relaxed build uses the relaxed form, which spares engines
// the saturating add they put before each x86 pshufb to make indices 16..127 give 0.
// Either way the lookup is one register permute: no memory address depends on the index.
// @ts-ignore: decorator
@inline export function lookup(table: v128, index: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_swizzle(table, index);
  return v128.swizzle(table, index);
}
