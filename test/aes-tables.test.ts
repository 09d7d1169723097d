// The generated AES tables and lane layouts must be exactly what their derivation scripts produce (the scripts
// check the S-box on all 256 inputs and the layouts against plain ShiftRows + MixColumns before printing).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const generated: Array<[script: string, output: string]> = [
  ['scripts/derive-aes-tables.mjs', 'assembly/aes-tables.ts'],
  ['scripts/derive-aes-layouts.mjs', 'assembly/aes-layouts.ts'],
];
for (const [script, output] of generated) {
  it(`${output} is what ${script} derives`, () => {
    const derived = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(readFileSync(output, 'utf8'), derived);
  });
}

it('the AES core has no memory access indexed by data: every table lookup is an i8x16.swizzle', () => {
  const source = readFileSync('assembly/aes128.ts', 'utf8');
  // Loads in the round functions use constant table addresses only; the one indexed load is RCON by round number.
  const indexedLoads = source.match(/load<[^>]+>\(/g) ?? [];
  assert.deepEqual(indexedLoads, []);
  assert.match(source, /unchecked\(RCON\[r - 1\]\)/);
});
