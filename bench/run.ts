// `npm run bench`: prints the tables and writes bench/results/core.json (core and session figures). Not part of `npm test`: figures are
// measured and reported, never asserted.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { ready } from '../src/index.js';
import { benchAllocator, benchCcm, type CcmRow } from './core-bench.js';
import { matterJsRoundTrip } from './matter-js-session.js';
import { benchSessionRoundTrip, fileStoreSaves, heapPerIdleSession } from './session-bench.js';
import { hotPathAllocation } from './hot-path-allocation.js';
import { pairWithMatterJs, paseBothBackends } from './pase-bench.js';
import { benchAllRuntimes, runtimeTable } from './runtimes/run-runtimes.js';

await ready();

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function printCcm(rows: CcmRow[]): void {
  const names = Object.keys(rows[0]!.results);
  console.log('\nAES-128-CCM, 13-byte nonce, 16-byte tag, 24-byte AAD: messages/s (MB/s) [x node:crypto] {x matter.js}');
  for (const row of rows) {
    const cells = names.map((n) => {
      const r = row.results[n]!;
      return `${n}: ${fmt(r.messagesPerSecond)} (${fmt(r.megabytesPerSecond, 1)}) [${fmt(row.ratioToNodeCrypto[n]!, 2)}x] {${fmt(row.ratioToMatterJs[n]!, 2)}x}`;
    });
    console.log(`${row.operation} ${String(row.payload).padStart(4)} B | ${cells.join(' | ')}`);
  }
}

const ccm = benchCcm();
printCcm(ccm);
// Node 20's V8 has relaxed SIMD only behind a flag; Node 22+ ships it, and ready() there loads the relaxed build.
const relaxedRun = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', 'bench/core-bench-relaxed.ts'],
  { cwd: new URL('../', import.meta.url), encoding: 'utf8', timeout: 300_000 });
const ccmRelaxed = relaxedRun.status === 0
  ? JSON.parse(relaxedRun.stdout.trim().split('\n').pop()!) as { build: string; ccm: CcmRow[] }
  : { build: 'failed', error: relaxedRun.stderr.slice(-2000), ccm: [] as CcmRow[] };
console.log(`\nThe same with relaxed SIMD (node --experimental-wasm-relaxed-simd; Node 22+ has it by default), build ${ccmRelaxed.build}`);
if (ccmRelaxed.ccm.length) printCcm(ccmRelaxed.ccm);
console.log('\nThe same core bench in every runtime, one process each (ours: AesCcmKey with the build ready() picks; matter.js: its pure-JS Ccm), messages/s');
const runtimes = await benchAllRuntimes();
console.log(runtimeTable(runtimes));
const allocator = benchAllocator();
console.log('\nSession ids: allocate+release per second');
for (const row of allocator) console.log(`${fmt(row.live).padStart(6)} live: ${fmt(row.allocateReleasePerSecond)}/s`);

console.log('\nSession layer, 64-byte application payload: encode + encrypt on one side, decode + decrypt + replay check on the other');
const roundTrip = await benchSessionRoundTrip([await matterJsRoundTrip('node:crypto'), await matterJsRoundTrip('StandardCrypto')]);
for (const [name, rate] of Object.entries(roundTrip.rates)) {
  const ratio = roundTrip.ratios[name], ratioInto = roundTrip.ratiosInto[name];
  console.log(`${name.padEnd(42)} ${fmt(rate).padStart(9)} messages/s  ${ratio ? `(matter-sessions is ${fmt(ratio, 1)}x; with encodeInto/decodeInto ${fmt(ratioInto!, 1)}x)` : ''}`);
}
const heap = await heapPerIdleSession(10_000);
console.log(`JS heap per idle secure session, 10,000 open: ${fmt(heap.heapBytesPerSession)} bytes (+ ${heap.keySlotBytesPerSession} bytes of key slots in wasm memory)`);
const allocation = await hotPathAllocation();
console.log(`JS heap allocated per message, 64-byte payload: encode ${fmt(allocation.fresh.encodeBytesPerMessage)} bytes, decode ${fmt(allocation.fresh.decodeBytesPerMessage)} bytes`);
console.log(`  encodeInto/decodeInto: encode ${fmt(allocation.reusing.encodeBytesPerMessage)} bytes, decode ${fmt(allocation.reusing.decodeBytesPerMessage)} bytes; with \`now\` passed: encode ${fmt(allocation.reusingWithNow.encodeBytesPerMessage)} bytes, decode ${fmt(allocation.reusingWithNow.decodeBytesPerMessage)} bytes`);
const saves = await fileStoreSaves(1000, 3);
console.log(`Resumption-record saves with the file store, 1,000 records: ${fmt(saves.savesPerSecond)}/s (write, fsync, rename, fsync dir)`);

console.log('\nPASE (SPAKE2+ P-256, PBKDF2 1000 iterations on both sides)');
const pase = await paseBothBackends(3);
for (const rate of pase) {
  console.log(`our commissioner <-> our device, one process, P-256 and PBKDF2 on ${rate.backend}: ${fmt(rate.perSecond, 1)} handshakes/s (median ${fmt(rate.medianMs, 1)} ms)`);
}
const interop = await pairWithMatterJs(10);
console.log(`pairing with a matter.js device over UDP loopback: median ${fmt(interop.medianMs, 1)} ms (min ${fmt(interop.minMs, 1)}, max ${fmt(interop.maxMs, 1)}, ${interop.runs} runs)`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL('./results/core.json', import.meta.url);
writeFileSync(file, JSON.stringify({
  measuredAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg() },
  method: 'one process per runtime; candidates interleaved per round (CCM: 15 rounds of 40 ms; other runtimes: 25 of 25 ms; session: 15 of 80 ms) after warm-up; rates are medians, ratios are medians of per-round ratios',
  ccm,
  ccmRelaxed,
  runtimes,
  allocator,
  session: {
    roundTripMessagesPerSecond: roundTrip.rates,
    ratioToMatterJs: roundTrip.ratios,
    ratioToMatterJsInto: roundTrip.ratiosInto,
    heapPerIdleSession: heap,
    hotPathAllocation: allocation,
    fileStoreResumptionSaves: saves,
  },
  pase: { handshakes: pase, pairWithMatterJsDevice: interop },
}, null, 2) + '\n');
console.log(`\nwritten: ${file.pathname}`);
