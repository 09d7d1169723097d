// Run by test/core-builds.test.ts, in a Node started with --experimental-wasm-relaxed-simd when relaxed builds are
// involved (Node 20's V8 has relaxed SIMD behind that flag): the whole core suite on the build ready() picks, or on
// the build named by the first argument; with `compare`, every build side by side on the same random inputs. With
// `offered`, ready() picks from the baseline and relaxed builds offered as an entry that imports them does (workerd).
// Prints one JSON line.
import { readFileSync } from 'node:fs';
import * as lib from '../src/index.js';
import { setDefaultModules } from '../src/core/wasm-module.js';
import { coreChecks, seededBytes } from './conformance/core-suite.js';
import { suiteData } from './conformance/suite-data.js';

const [only, compare] = [process.argv[2], process.argv[3] === 'compare'];
const file = (name: string) => readFileSync(new URL(`../build/${name}`, import.meta.url));
if (only === 'offered') setDefaultModules({ 'simd': file('matter-sessions.wasm'), 'relaxed-simd': file('matter-sessions-relaxed.wasm') });
await lib.ready(only && only !== 'offered' ? file(only) : undefined);
let passed = 0;
const failures: string[] = [];
for (const check of coreChecks(lib, suiteData())) {
  try {
    await check.run();
    passed++;
  } catch (error) {
    failures.push(`${check.name}: ${(error as Error).message}`);
  }
}

interface Exports {
  memory: WebAssembly.Memory;
  scratchReserve(bytes: number): number;
  keySlotCreate(key: number): number;
  keySlotRelease(slot: number): void;
  ccmSeal(k: number, n: number, nl: number, a: number, al: number, i: number, l: number, o: number, t: number): void;
  ccmOpen(k: number, n: number, nl: number, a: number, al: number, i: number, l: number, o: number, tag: number, t: number): number;
  ctrXor(k: number, n: number, nl: number, i: number, l: number, o: number, c: number): void;
}
const instantiate = async (name: string) => (await WebAssembly.instantiate(file(name), {})).instance.exports as unknown as Exports;
const builds = compare ? await Promise.all(['matter-sessions.wasm', 'matter-sessions-relaxed.wasm', 'matter-sessions-compact.wasm',
  'matter-sessions-compact-relaxed.wasm'].map(instantiate)) : [];

/** Seals, opens and CTR-XORs one seeded message in a build; returns every output byte. */
function run(e: Exports, seed: number): string {
  const nonceLength = 7 + (seed % 7), tagLength = 4 + 2 * (seed % 7);
  const aadLength = (seed * 7) % 70, length = (seed * 13) % 300;
  const base = e.scratchReserve(1024);
  new Uint8Array(e.memory.buffer).set(seededBytes(seed, 16), base);
  const slot = e.keySlotCreate(base);
  const heap = new Uint8Array(e.memory.buffer); // after keySlotCreate, which may grow the memory
  heap.set(seededBytes(seed + 1, nonceLength), base);
  heap.set(seededBytes(seed + 2, aadLength), base + 16);
  const data = base + 112;
  heap.set(seededBytes(seed + 3, length), data);
  e.ccmSeal(slot, base, nonceLength, base + 16, aadLength, data, length, data, tagLength);
  const sealed = heap.slice(data, data + length + tagLength);
  const ok = e.ccmOpen(slot, base, nonceLength, base + 16, aadLength, data, length, data + 400, data + length, tagLength);
  const opened = heap.slice(data + 400, data + 400 + length);
  e.ctrXor(slot, base, nonceLength, data, length, data, seed >>> 3);
  e.keySlotRelease(slot);
  return `${Buffer.from(sealed).toString('hex')}/${ok}/${Buffer.from(opened).toString('hex')}/${Buffer.from(heap.subarray(data, data + length)).toString('hex')}`;
}

let compared = 0, differing = 0;
for (let seed = 1; seed <= 2000 && builds.length > 0; seed++) {
  compared++;
  const reference = run(builds[0]!, seed);
  if (builds.slice(1).some((build) => run(build, seed) !== reference)) differing++;
}
console.log(JSON.stringify({ build: lib.coreBuild(), relaxed: lib.hasRelaxedSimd(), passed, failures, compared, differing }));
