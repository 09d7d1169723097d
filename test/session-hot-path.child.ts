// Child of session-hot-path.test.ts, run with --expose-gc and a 64 MiB new space: bytes of JS heap allocated per
// message by encodeInto + decodeInto (with `now`) and by encode + decode, as the growth of the new space's used size
// over 50,000 round trips with no scavenge in between. Prints one JSON line.
import v8 from 'node:v8';
import * as lib from '../src/node.js';

await lib.ready();
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const MESSAGES = 50_000;
const fabric = (nodeId: bigint) => ({ fabricIndex: 1, fabricId: 1n, nodeId, compressedFabricId: new Uint8Array(8).fill(1) });
const secret = new Uint8Array(32).fill(7), salt = new Uint8Array(48).fill(9);
// Counters start low so 2 x (warm-up + 3 runs) x 50,000 messages stay far from exhaustion.
const a = await lib.SessionManager.create({ fabrics: { initial: [fabric(0x11n)] }, counterStart: () => 0 });
const b = await lib.SessionManager.create({ fabrics: { initial: [fabric(0x22n)] } });
const idA = a.getNextAvailableSessionId(), idB = b.getNextAvailableSessionId();
const sa = await a.createSecureSession({ sessionId: idA, peerSessionId: idB, sharedSecret: secret, salt, isInitiator: true,
  isResumption: false, peerNodeId: 0x22n, fabricIndex: 1 });
await b.createSecureSession({ sessionId: idB, peerSessionId: idA, sharedSecret: secret, salt, isInitiator: false,
  isResumption: false, peerNodeId: 0x11n, fabricIndex: 1 });

const header: lib.PayloadHeader = { exchangeId: 0x1234, protocolId: 0x0001, opcode: 0x05, initiator: true, needsAck: true };
const payload = new Uint8Array(64).fill(0x5a);
const out = new Uint8Array(1280);
const received = new lib.ReceivedMessage();
const datagram = out.subarray(0, a.encodeInto(sa, header, payload, out));
let sink = 0;

function into(count: number, now: number): void {
  for (let i = 0; i < count; i++) {
    a.encodeInto(sa, header, payload, out, now);
    sink ^= b.decodeInto(datagram, received, undefined, now).payloadLength;
  }
}

function fresh(count: number): void {
  for (let i = 0; i < count; i++) sink ^= b.decode(a.encode(sa, header, payload)).payload.length;
}

const newSpaceUsed = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
let scavenged = 0;

/** Bytes per message of one run without a scavenge (retried up to 5 times when the used space shrank). */
function measure(run: () => void): number {
  for (let attempt = 0; attempt < 5; attempt++) {
    gc!();
    const before = newSpaceUsed();
    run();
    const after = newSpaceUsed();
    if (after >= before) return (after - before) / MESSAGES;
    scavenged++;
  }
  throw new Error('every run saw a scavenge');
}

const now = Date.now();
into(MESSAGES, now); // warm-up: optimised code allocates differently from the first calls
const intoBytesPerMessage = measure(() => into(MESSAGES, now));
fresh(20_000);
// A fresh run allocates ~30 MiB; the 64 MiB space holds it.
const freshBytesPerMessage = measure(() => fresh(MESSAGES));
if (sink === 0.5) console.log(sink);
await a.close();
await b.close();
console.log(JSON.stringify({ messages: MESSAGES, intoBytesPerMessage, freshBytesPerMessage, scavenged }));
