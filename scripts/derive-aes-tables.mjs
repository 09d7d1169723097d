// Derives the 16-entry nibble tables that assembly/aes-tables.ts uses for a constant-time AES S-box
// (vector-permute technique: every lookup is an i8x16.swizzle indexed by a 4-bit value, so no memory
// access depends on secret data). Run: node scripts/derive-aes-tables.mjs > assembly/aes-tables.ts
//
// Maths (all fields of characteristic 2):
//   GF(16) = GF(2)[z]/(z^4 + z + 1).  T = GF(16)[y]/(y^2 + c*y + c) for a c that makes it irreducible;
//   an element is a = i*b + k (b a root; i = high nibble, k = low nibble). Then conj(b) = b + c,
//   N(a) = a*conj(a) = c*i^2 + c*i*k + k^2 and a^-1 = conj(a) / N(a).
//   With j = i^k:  io = 1/(1/i + c/k) + j = N/(k + c*i)    jo = 1/(1/j + c/k) + i = N/((1+c)*k + c*i)
//   and conj(a) = beta1*(k + c*i) + beta2*((1+c)*k + c*i) for fixed beta1, beta2, so
//   a^-1 = beta1 * (1/io) + beta2 * (1/jo): two more nibble lookups that also apply the map back to the
//   AES basis and the S-box's linear (affine minus constant) part. 1/0 is "infinity", encoded as 0x80:
//   it survives XOR with a nibble and a swizzle index >= 16 returns 0, which is exactly 1/infinity = 0.
// The script checks the composed function against the AES S-box on all 256 inputs before printing.

const gf16Mul = (a, b) => {
  let r = 0;
  for (let n = 0; n < 4; n++) if ((b >> n) & 1) r ^= a << n;
  for (let n = 7; n >= 4; n--) if ((r >> n) & 1) r ^= 0b10011 << (n - 4);
  return r;
};
const gf16Inv = (a) => { for (let x = 1; x < 16; x++) if (gf16Mul(a, x) === 1) return x; return 0; };

const aesMul = (a, b) => {
  let r = 0;
  for (let n = 0; n < 8; n++) if ((b >> n) & 1) r ^= a << n;
  for (let n = 15; n >= 8; n--) if ((r >> n) & 1) r ^= 0x11b << (n - 8);
  return r;
};
const aesInv = (a) => { for (let x = 1; x < 256; x++) if (aesMul(a, x) === 1) return x; return 0; };
const rotl8 = (x, n) => ((x << n) | (x >> (8 - n))) & 0xff;
const affineLinear = (x) => x ^ rotl8(x, 1) ^ rotl8(x, 2) ^ rotl8(x, 3) ^ rotl8(x, 4);
const sbox = (x) => affineLinear(aesInv(x)) ^ 0x63;

// c: smallest value outside {0, 1} for which y^2 + c*y + c has no root in GF(16).
let c = 2;
const hasRoot = (cc) => [...Array(16).keys()].some((t) => (gf16Mul(t, t) ^ gf16Mul(cc, t) ^ cc) === 0);
while (hasRoot(c)) c++;

// T multiplication; elements packed as (i << 4) | k.
const tMul = (x, y) => {
  const [i1, k1, i2, k2] = [x >> 4, x & 15, y >> 4, y & 15];
  const ii = gf16Mul(i1, i2);
  const hi = gf16Mul(ii, c) ^ gf16Mul(i1, k2) ^ gf16Mul(k1, i2);
  const lo = gf16Mul(ii, c) ^ gf16Mul(k1, k2);
  return (hi << 4) | lo;
};
const tPow = (x, n) => { let r = 1; for (let m = 0; m < n; m++) r = tMul(r, x); return r; };

// phi: the field isomorphism from the AES representation to T, fixed by a root of x^8+x^4+x^3+x+1 in T.
let root = 0;
for (let x = 2; x < 256 && !root; x++) {
  const v = tPow(x, 8) ^ tPow(x, 4) ^ tPow(x, 3) ^ x ^ 1;
  if (v === 0) root = x;
}
const basisImage = [...Array(8).keys()].map((m) => tPow(root, m));
const phi = (a) => basisImage.reduce((acc, img, m) => ((a >> m) & 1 ? acc ^ img : acc), 0);
const phiInv = new Array(256);
for (let a = 0; a < 256; a++) phiInv[phi(a)] = a;

// beta2 = b / c^2, beta1 = b / c + 1 + b / c^2 with b = (1 << 4) | 0 (the element y).
const b = 0x10;
const scalar = (s) => s & 15; // a GF(16) scalar as an element of T
const cInv = gf16Inv(c);
const beta2 = tMul(b, scalar(gf16Mul(cInv, cInv)));
const beta1 = tMul(b, scalar(cInv)) ^ 1 ^ beta2;

const INF = 0x80;
const table = (f) => [...Array(16).keys()].map(f);
const tables = {
  inputLow: table((n) => phi(n)),
  inputHigh: table((n) => phi(n << 4)),
  inverse: table((n) => (n === 0 ? INF : gf16Inv(n))),
  cOverK: table((n) => (n === 0 ? INF : gf16Mul(c, gf16Inv(n)))),
  outputIo: table((n) => affineLinear(phiInv[tMul(beta1, scalar(gf16Inv(n)))])),
  outputJo: table((n) => affineLinear(phiInv[tMul(beta2, scalar(gf16Inv(n)))])),
};
// Rounds 1..9 keep the state in T (phi is GF(2)-linear byte by byte, so it commutes with ShiftRows, the row
// rotations and XOR): their output tables give phi of the S-box output and the round keys are stored through phi,
// which saves each round the input transform (two lookups, a shift, two ANDs and a XOR on the critical path).
// Round 10 uses outputIo/outputJo, leaving FIPS 197 bytes.
tables.outputIoTower = tables.outputIo.map((v) => phi(v));
tables.outputJoTower = tables.outputJo.map((v) => phi(v));
// MixColumns also needs 2t: phi(2 * S'(x)) is linear in the same two output lookups, so two more output tables give
// it beside t instead of after it (rounds are latency-bound: CBC-MAC is one chain).
tables.outputIoTowerDouble = tables.outputIo.map((v) => phi(aesMul(v, 2)));
tables.outputJoTowerDouble = tables.outputJo.map((v) => phi(aesMul(v, 2)));

// Simulate the vector algorithm byte-wise with swizzle semantics (index >= 16 -> 0) and verify it.
const swz = (t, idx) => (idx < 16 ? t[idx] : 0);
const subBytesLinear = (x) => {
  const t = swz(tables.inputLow, x & 15) ^ swz(tables.inputHigh, x >> 4);
  const i = t >> 4, k = t & 15, j = i ^ k;
  const ak = swz(tables.cOverK, k);
  const iak = swz(tables.inverse, i) ^ ak, jak = swz(tables.inverse, j) ^ ak;
  const io = swz(tables.inverse, iak) ^ j, jo = swz(tables.inverse, jak) ^ i;
  return swz(tables.outputIo, io) ^ swz(tables.outputJo, jo);
};
for (let x = 0; x < 256; x++) {
  if ((subBytesLinear(x) ^ 0x63) !== sbox(x)) throw new Error(`derived S-box differs at ${x}`);
}
// The same inversion on a state already in T, with the T-valued and the FIPS-valued output tables, and the doubling.
const invertInTower = (t, outIo, outJo) => {
  const i = t >> 4, k = t & 15, j = i ^ k;
  const ak = swz(tables.cOverK, k);
  const iak = swz(tables.inverse, i) ^ ak, jak = swz(tables.inverse, j) ^ ak;
  return swz(outIo, swz(tables.inverse, iak) ^ j) ^ swz(outJo, swz(tables.inverse, jak) ^ i);
};
for (let x = 0; x < 256; x++) {
  if ((invertInTower(phi(x), tables.outputIoTower, tables.outputJoTower) ^ phi(0x63)) !== phi(sbox(x))) {
    throw new Error(`derived S-box in T differs at ${x}`);
  }
  if ((invertInTower(phi(x), tables.outputIo, tables.outputJo) ^ 0x63) !== sbox(x)) throw new Error(`last round differs at ${x}`);
  if ((invertInTower(phi(x), tables.outputIoTowerDouble, tables.outputJoTowerDouble) ^ phi(aesMul(0x63, 2)))
    !== phi(aesMul(sbox(x), 2))) {
    throw new Error(`doubled S-box in T differs at ${x}`);
  }
}

const hex = (t) => t.map((v) => '0x' + v.toString(16).padStart(2, '0')).join(', ');
const names = {
  inputLow: 'INPUT_LOW', inputHigh: 'INPUT_HIGH', inverse: 'GF16_INVERSE', cOverK: 'C_OVER_K',
  outputIo: 'OUTPUT_IO', outputJo: 'OUTPUT_JO', outputIoTower: 'OUTPUT_IO_TOWER', outputJoTower: 'OUTPUT_JO_TOWER',
  outputIoTowerDouble: 'OUTPUT_IO_TOWER_DOUBLE', outputJoTowerDouble: 'OUTPUT_JO_TOWER_DOUBLE',
};
const lines = [
  '// Generated by scripts/derive-aes-tables.mjs (which explains the maths and checks all 256 S-box inputs).',
  `// Tower field GF(16)[y]/(y^2 + ${c}y + ${c}) over GF(16) = GF(2)[z]/(z^4 + z + 1); 0x80 encodes 1/0.`,
  '// Each table is 16 bytes in a data segment, loaded whole into a register and indexed only by i8x16.swizzle.',
  '// (Loaded, not written as v128 constants: V8 rebuilds an inline constant at every use with shuffle-port',
  '// instructions, the port AES is bound by.) Do not edit by hand: test/aes-tables.test.ts regenerates and compares.',
  '',
];
for (const [key, name] of Object.entries(names)) {
  lines.push(`export const ${name}: usize = memory.data<u8>([${hex(tables[key])}]);`);
}
process.stdout.write(lines.join('\n') + '\n');
