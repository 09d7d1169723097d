// The CCM bench against node:crypto in a Node started with --experimental-wasm-relaxed-simd, so ready() loads the
// relaxed build: what Node 22+ (whose V8 ships relaxed SIMD) runs by default. Run by bench/run.ts; prints one JSON line.
import { coreBuild, ready } from '../src/index.js';
import { benchCcm } from './core-bench.js';

await ready();
console.log(JSON.stringify({ build: coreBuild(), ccm: benchCcm([64, 1024]) }));
