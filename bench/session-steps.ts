// `npm run bench:session`: the session path (spec "Message Security" + "Message Counter Processing"), 64-byte
// payload, encode + encrypt then decode + decrypt + replay check: ours with both APIs against matter.js NodeSession on
// node:crypto, then where our time goes, step by step, each step timed alone on the same message.
// Figures are printed and written to bench/results/session-steps.json, never asserted.
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import {
  emptyMessageHeader, emptyPayloadHeader, ready, ReceivedMessage, readMessageHeaderInto, readPayloadHeaderInto, SecureUnicastReceptionWindow,
  writePayloadHeader,
} from '../src/index.js';
import { writeU16, writeU32 } from '../src/codec/byte-reader.js';
import { MessageScratch } from '../src/session/message-crypto.js';
import { AesCcmKey } from '../src/core/aes-ccm-key.js';
import { core, memoryBytes, scratch as coreScratch } from '../src/core/wasm-module.js';
import { matterJsRoundTrip } from './matter-js-session.js';
import { measure, type Candidate } from './measure.js';
import { benchSessionRoundTrip, managerPair, PAYLOAD_HEADER } from './session-bench.js';

await ready();
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log('Session path, 64-byte payload: encode + encrypt, then decode + decrypt + replay check (one process, interleaved rounds)');
const roundTrip = await benchSessionRoundTrip([await matterJsRoundTrip('node:crypto')]);
for (const [name, rate] of Object.entries(roundTrip.rates)) {
  const ratio = roundTrip.ratios[name], ratioInto = roundTrip.ratiosInto[name];
  console.log(`${name.padEnd(44)} ${fmt(rate).padStart(9)} messages/s ${fmt(1e9 / rate).padStart(6)} ns  ${ratio ? `(ours: encode+decode ${fmt(ratio, 1)}x, encodeInto+decodeInto ${fmt(ratioInto!, 1)}x)` : ''}`);
}

// ---- steps ------------------------------------------------------------------------------------------------------
const { a, b, sa, sb } = await managerPair();
const payload = new Uint8Array(64).fill(0x5a);
const out = new Uint8Array(1280);
const scratch = new MessageScratch();
const HEADER = 8;
const plainLength = 6 + payload.length;
let sink = 0;

// One sealed message (counter 1000) for the open and decode steps; opening it again needs no window.
const writeMessage = (counter: number): void => {
  out[0] = 0;
  writeU16(out, 1, sa.peerSessionId);
  out[3] = 0;
  writeU32(out, 4, counter);
  out.set(payload, writePayloadHeader(out, HEADER, PAYLOAD_HEADER));
};
writeMessage(1000);
const clear = out.slice(0, HEADER + plainLength); // the message before sealing, for the header-reading step
const sendNonce = scratch.nonceFor(0, 1000, sa.sendNonceId.low, sa.sendNonceId.high);
const sealedLength = sa.keys.sealPrefix(out, HEADER, plainLength, sendNonce, 16);
const sealed = out.slice(0, sealedLength);
const plain = new Uint8Array(1280);
const messageHeader = emptyMessageHeader(), payloadHeader = emptyPayloadHeader();
const received = new ReceivedMessage();
const sessions = new Map([[sb.id, sb]]);
let counter = 1;
const window = new SecureUnicastReceptionWindow();
window.setCounter(0);
const now = Date.now();

// The core's exports alone: the AES-CCM work with no argument checks and no copy out, the message (and nonce)
// staged by set() calls. A key slot of our own: the session's slots are private to its key pair.
const keyAt = coreScratch(16);
memoryBytes().set(new Uint8Array(16).fill(3), keyAt);
const bareSlot = core().keySlotCreate(keyAt);
const bareKey = new AesCcmKey(new Uint8Array(16).fill(3));
const sealedBare = bareKey.seal(sendNonce, clear.subarray(HEADER), clear.subarray(0, HEADER));
const sealedBareMessage = new Uint8Array(HEADER + sealedBare.length);
sealedBareMessage.set(clear.subarray(0, HEADER));
sealedBareMessage.set(sealedBare, HEADER);
const stage = (message: Uint8Array): number => {
  const base = coreScratch(16 + message.length + 16);
  const heap = memoryBytes();
  heap.set(sendNonce, base);
  heap.set(message, base + 16);
  return base;
};

const steps: Candidate[] = [
  { name: 'encode: header + payload header + payload bytes', op: () => { writeMessage(counter++); } },
  { name: 'encode: nonce', op: () => { sink ^= scratch.nonceFor(0, counter++, sa.sendNonceId.low, sa.sendNonceId.high)[1]!; } },
  { name: 'encode: CCM seal (core, 70 B plaintext + 8 B AAD)', op: () => { sink ^= sa.keys.sealPrefix(out, HEADER, plainLength, sendNonce, 16); } },
  { name: 'decode: session lookup (Map)', op: () => { sink ^= sessions.get(sb.id)!.id; } },
  { name: 'decode: header + payload header read', op: () => {
    const at = readMessageHeaderInto(clear, clear.length, messageHeader);
    sink ^= readPayloadHeaderInto(clear, at, clear.length, payloadHeader);
  } },
  { name: 'decode: nonce', op: () => { sink ^= scratch.nonceFor(0, 1000, sb.receiveNonceLow, sb.receiveNonceHigh)[1]!; } },
  { name: 'decode: CCM open (core)', op: () => { sink ^= sb.keys.openInto(sealed, sealed.length, HEADER, sendNonce, 16, plain, 0); } },
  { name: 'decode: window verify + commit', op: () => {
    const c = counter++;
    if (window.verify(c) === 'new') window.commit(c);
  } },
  { name: 'core: ccmSeal export alone (staged by set())', op: () => {
    const base = stage(clear);
    core().ccmSeal(bareSlot, base, 13, base + 16, HEADER, base + 16 + HEADER, plainLength, base + 16 + HEADER, 16);
  } },
  { name: 'core: ccmOpen export alone (staged by set())', op: () => {
    const base = stage(sealedBareMessage), dataAt = base + 16 + HEADER;
    sink ^= core().ccmOpen(bareSlot, base, 13, base + 16, HEADER, dataAt, plainLength, dataAt, dataAt + plainLength, 16);
  } },
  { name: 'whole: encodeInto', op: () => { sink ^= a.encodeInto(sa, PAYLOAD_HEADER, payload, out, now); } },
  // The same datagram each time, made new again by rewinding the window (setCounter costs a few ns).
  { name: 'whole: decodeInto', op: () => {
    (sb.peerWindow as SecureUnicastReceptionWindow).setCounter(999);
    sink ^= b.decodeInto(sealed, received, undefined, now).payloadLength;
  } },
];
const measured = measure(steps, { rounds: 9, sliceMs: 60, warmupMs: 200 });
const nsOf = (name: string): number => 1e9 / measured.find((m) => m.name === name)!.opsPerSecond;
console.log('\nWhere the time goes (each step alone, ns per message, median of 9 rounds):');
for (const m of measured) console.log(`  ${m.name.padEnd(52)} ${fmt(1e9 / m.opsPerSecond, 1).padStart(7)} ns`);
const intoRate = roundTrip.rates['matter-sessions (encodeInto + decodeInto)']!;
const stepSum = measured.filter((m) => !m.name.startsWith('whole') && !m.name.startsWith('core:')).reduce((sum, m) => sum + 1e9 / m.opsPerSecond, 0);
const ccm = nsOf('encode: CCM seal (core, 70 B plaintext + 8 B AAD)') + nsOf('decode: CCM open (core)');
console.log(`  steps summed: ${fmt(stepSum)} ns, of which CCM seal + open ${fmt(ccm)} ns (${fmt((100 * ccm) / stepSum)}%); whole round trip ${fmt(1e9 / intoRate)} ns`);
const matterJs = roundTrip.rates['matter.js NodeSession (node:crypto)']!;
const bare = nsOf('core: ccmSeal export alone (staged by set())') + nsOf('core: ccmOpen export alone (staged by set())');
console.log(`  the core's exports alone, seal + open: ${fmt(bare)} ns; JS around them in the round trip: ${fmt(1e9 / intoRate - bare)} ns`);
console.log(`  12x matter.js on node:crypto needs ${fmt(1e9 / (12 * matterJs))} ns per round trip`);

core().keySlotRelease(bareSlot);
bareKey.dispose();
await a.close(); await b.close();
if (sink === 0.5) console.log(sink);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL('./results/session-steps.json', import.meta.url);
writeFileSync(file, JSON.stringify({
  measuredAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg() },
  roundTripMessagesPerSecond: roundTrip.rates, ratioToMatterJs: roundTrip.ratios, ratioToMatterJsInto: roundTrip.ratiosInto,
  stepNanoseconds: Object.fromEntries(measured.map((m) => [m.name, 1e9 / m.opsPerSecond])),
}, null, 2) + '\n');
console.log(`\nwritten: ${file.pathname}`);
