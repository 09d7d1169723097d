// `npm run bench:case`: CASE handshakes per second in one process, both sides (our initiator and our responder),
// full (Sigma1/2/3: ECDH, two signatures, two chain checks each way) and resumed (Sigma1 with resumption,
// Sigma2_Resume). The link is in memory, reliable, and delivers on the next macrotask, so the figure is the
// handshakes' own cost, not network or MRP timers. matter.js's CaseClient against its CaseServer runs alongside
// (bench/case-matter-js.ts). Median of rounds after a warm-up; writes bench/results/case.json.
// Not part of `npm test`: figures are measured and reported, never asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import {
  CaseFabrics, CaseResponder, establishCase, ExchangeManager, ready, SessionManager, type MessageChannel,
} from '../src/index.js';
import { testFabric } from '../test/support/case-fabrics.js';
import { matterJsCase } from './case-matter-js.js';
import { median } from './measure.js';

await ready();

/** Two channel ends that hand each datagram to the other side on the next macrotask. */
function directLink(): { a: DirectEnd; b: DirectEnd } {
  const a = new DirectEnd('bench:a'), b = new DirectEnd('bench:b');
  a.peer = b;
  b.peer = a;
  return { a, b };
}

class DirectEnd implements MessageChannel {
  readonly reliable = true;
  peer!: DirectEnd;
  receiver: ((datagram: Uint8Array, channel: DirectEnd) => void) | undefined;
  constructor(readonly name: string) {}
  send(datagram: Uint8Array): void {
    const copy = datagram.slice();
    setImmediate(() => this.peer.receiver?.(copy, this.peer));
  }
  onClose(): () => void {
    return () => {};
  }
}

const CONTROLLER = 0x1111n, DEVICE = 0x2222n;
const fabric = testFabric(0xfab1n);
const controller = await SessionManager.create({ fabrics: { initial: [fabric.sessionFabric(CONTROLLER)] } });
// Room for many sessions from one peer, so eviction does not enter the figure.
const device = await SessionManager.create({
  fabrics: { initial: [fabric.sessionFabric(DEVICE)] }, limits: { maxSessions: 64, maxSessionsPerPeer: 64 },
});
const ce = new ExchangeManager(controller), de = new ExchangeManager(device);
const link = directLink();
link.a.receiver = (d, c) => ce.receive(d, c);
link.b.receiver = (d, c) => de.receive(d, c);
new CaseResponder(de, { fabrics: new CaseFabrics([fabric.node(DEVICE, 1)]) });
const controllerFabric = fabric.node(CONTROLLER, 1);

async function handshake(resume: boolean): Promise<void> {
  const { session, resumed } = await establishCase(ce, link.a, { fabric: controllerFabric, peerNodeId: DEVICE, resume });
  if (resumed !== resume) throw new Error(`expected resumed=${resume}, got ${resumed}`);
  // Keep the tables small: close both ends once the handshake is measured.
  device.removeSession(session.peerSessionId);
  controller.removeSession(session.id);
}

interface Figures { handshakesPerSecond: number; medianMs: number; rounds: number[] }

type Handshake = (resume: boolean) => Promise<void>;
const candidates: Array<{ name: string; run: Handshake }> = [
  { name: 'matter-sessions', run: handshake },
  { name: 'matter.js (node:crypto)', run: await matterJsCase('node:crypto', fabric, CONTROLLER, DEVICE) },
  { name: 'matter.js (StandardCrypto)', run: await matterJsCase('StandardCrypto', fabric, CONTROLLER, DEVICE) },
];

/** Candidates interleaved round by round (A B C A B C ...), so load on a shared machine hits them alike. */
async function measure(resume: boolean, rounds: number, perRound: number): Promise<Record<string, Figures>> {
  const rates = new Map<string, number[]>(), times = new Map<string, number[]>();
  for (const c of candidates) {
    await c.run(false); // a record for the resumed runs
    for (let i = 0; i < perRound; i++) await c.run(resume); // warm-up: JIT, curve tables
    rates.set(c.name, []);
    times.set(c.name, []);
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of candidates) {
      const start = performance.now();
      for (let i = 0; i < perRound; i++) {
        const t = performance.now();
        await c.run(resume);
        times.get(c.name)!.push(performance.now() - t);
      }
      rates.get(c.name)!.push((perRound * 1000) / (performance.now() - start));
    }
  }
  return Object.fromEntries(candidates.map((c) => [c.name, {
    handshakesPerSecond: median(rates.get(c.name)!), medianMs: median(times.get(c.name)!), rounds: rates.get(c.name)!,
  }]));
}

const ROUNDS = 7, FULL_PER_ROUND = 20, RESUMED_PER_ROUND = 100;
const full = await measure(false, ROUNDS, FULL_PER_ROUND);
const resumed = await measure(true, ROUNDS, RESUMED_PER_ROUND);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log('CASE handshakes per second, initiator and responder in one process (median of rounds; median time per handshake)');
for (const [label, figures] of [['full', full], ['resumed', resumed]] as const) {
  for (const [name, f] of Object.entries(figures)) {
    console.log(`${label.padEnd(8)} ${name.padEnd(28)} ${fmt(f.handshakesPerSecond, 1).padStart(8)}/s  (${fmt(f.medianMs, 2)} ms)`);
  }
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/case.json', import.meta.url), JSON.stringify({
  measuredAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  method: `one process, both sides; ours over its exchange layer on an in-memory reliable link delivering on setImmediate, matter.js CaseClient/CaseServer over its mock exchanges; candidates interleaved; ${ROUNDS} rounds of ${FULL_PER_ROUND} full / ${RESUMED_PER_ROUND} resumed handshakes after one round of warm-up; medians`,
  full, resumed,
}, null, 2) + '\n');

ce.close(); de.close();
await controller.close(); await device.close();
