// The session layer: a 64-byte application payload through encode + encrypt on one manager and decode + decrypt +
// replay check on the other; JS heap per idle secure session; resumption-record saves with the file store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore, ReceivedMessage, SessionManager, resolveSessionParameters, type Fabric, type PayloadHeader, type SecureSession } from '../src/node.js';
import { measureMixed, pairedRatio, type Candidate } from './measure.js';

const fabric = (nodeId: bigint): Fabric => ({
  fabricIndex: 1, fabricId: 1n, nodeId, compressedFabricId: new Uint8Array(8).fill(1),
});

export async function managerPair(): Promise<{ a: SessionManager; b: SessionManager; sa: SecureSession; sb: SecureSession }> {
  const secret = new Uint8Array(32).fill(7), salt = new Uint8Array(48).fill(9);
  const a = await SessionManager.create({ fabrics: { initial: [fabric(0x11n)] } });
  const b = await SessionManager.create({ fabrics: { initial: [fabric(0x22n)] } });
  const idA = a.getNextAvailableSessionId(), idB = b.getNextAvailableSessionId();
  const sa = await a.createSecureSession({ sessionId: idA, peerSessionId: idB, sharedSecret: secret, salt, isInitiator: true,
    isResumption: false, peerNodeId: 0x22n, fabricIndex: 1 });
  const sb = await b.createSecureSession({ sessionId: idB, peerSessionId: idA, sharedSecret: secret, salt, isInitiator: false,
    isResumption: false, peerNodeId: 0x11n, fabricIndex: 1 });
  return { a, b, sa, sb };
}

export const PAYLOAD_HEADER: PayloadHeader = { exchangeId: 0x1234, protocolId: 0x0001, opcode: 0x05, initiator: true, needsAck: true };

/** Ours: encode on one manager, decode on the other, one message per operation. */
export async function oursRoundTrip(): Promise<Candidate & { close(): Promise<void> }> {
  const { a, b, sa } = await managerPair();
  const payload = new Uint8Array(64).fill(0x5a);
  let sink = 0;
  return {
    name: 'matter-sessions (encode + decode)',
    op: () => { sink ^= b.decode(a.encode(sa, PAYLOAD_HEADER, payload)).payload.length; },
    close: async () => { if (sink < 0) console.log(sink); await a.close(); await b.close(); },
  };
}

/**
 * Ours with the reusing API: encodeInto a buffer, decodeInto a ReceivedMessage, the time read once per slice of
 * 16 messages and passed as `now` (as a receive loop reads it once per wake-up).
 */
export async function oursRoundTripInto(): Promise<Candidate & { close(): Promise<void> }> {
  const { a, b, sa } = await managerPair();
  const payload = new Uint8Array(64).fill(0x5a);
  const out = new Uint8Array(1280), received = new ReceivedMessage();
  const datagram = out.subarray(0, a.encodeInto(sa, PAYLOAD_HEADER, payload, out));
  let sink = 0, now = Date.now(), calls = 0;
  return {
    name: 'matter-sessions (encodeInto + decodeInto)',
    op: () => {
      if ((++calls & 15) === 0) now = Date.now();
      a.encodeInto(sa, PAYLOAD_HEADER, payload, out, now);
      sink ^= b.decodeInto(datagram, received, undefined, now).payloadLength;
    },
    close: async () => { if (sink < 0) console.log(sink); await a.close(); await b.close(); },
  };
}

export async function heapPerIdleSession(count = 10_000): Promise<{ sessions: number; heapBytesPerSession: number; keySlotBytesPerSession: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc to measure the heap');
  const manager = await SessionManager.create({ fabrics: { initial: [fabric(1n)] }, limits: { maxSessions: count + 10, maxSessionsPerPeer: count + 10 } });
  const secret = new Uint8Array(32).fill(3), salt = new Uint8Array(0);
  gc(); gc();
  const before = process.memoryUsage().heapUsed;
  for (let n = 0; n < count; n++) {
    await manager.createSecureSession({ sessionId: manager.getNextAvailableSessionId(), peerSessionId: (n % 65535) + 1,
      sharedSecret: secret, salt, isInitiator: true, isResumption: false, peerNodeId: BigInt(1000 + n), fabricIndex: 1 });
  }
  gc(); gc();
  const after = process.memoryUsage().heapUsed;
  await manager.close();
  // Two expanded AES-128 keys (11 round keys of 16 bytes each) live in the wasm memory, not the JS heap.
  return { sessions: count, heapBytesPerSession: (after - before) / count, keySlotBytesPerSession: 2 * 176 };
}

export async function fileStoreSaves(records = 1000, seconds = 3): Promise<{ records: number; savesPerSecond: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'matter-sessions-bench-'));
  const store = await FileStore.open(dir);
  const manager = await SessionManager.create({ storage: store, fabrics: { initial: [fabric(1n)] }, limits: { maxResumptionRecords: records } });
  const record = (node: number) => ({ fabricIndex: 1, peerNodeId: BigInt(node), resumptionId: new Uint8Array(16).fill(node & 0xff),
    sharedSecret: new Uint8Array(32).fill(1), caseAuthenticatedTags: [], peerSessionParameters: resolveSessionParameters() });
  for (let n = 0; n < records; n++) await manager.saveResumptionRecord(record(n));
  let saves = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await manager.saveResumptionRecord(record(saves % records));
    saves++;
  }
  const rate = saves / ((performance.now() - start) / 1000);
  await manager.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return { records, savesPerSecond: rate };
}

export interface SessionRoundTrip {
  /** messages per second, median of the rounds */
  rates: Record<string, number>;
  /** ours (encode + decode) / each other candidate, median of the per-round ratios */
  ratios: Record<string, number>;
  /** ours (encodeInto + decodeInto) / each other candidate, median of the per-round ratios */
  ratiosInto: Record<string, number>;
}

export async function benchSessionRoundTrip(extra: Candidate[] = []): Promise<SessionRoundTrip> {
  const ours = await oursRoundTrip();
  const oursInto = await oursRoundTripInto();
  const measured = await measureMixed([ours, oursInto, ...extra], { rounds: 15, sliceMs: 80, warmupMs: 400 });
  await ours.close();
  await oursInto.close();
  const [mine, mineInto, ...others] = measured;
  return {
    rates: Object.fromEntries(measured.map((m) => [m.name, m.opsPerSecond])),
    ratios: Object.fromEntries(others.map((m) => [m.name, pairedRatio(mine!, m)])),
    ratiosInto: Object.fromEntries(others.map((m) => [m.name, pairedRatio(mineInto!, m)])),
  };
}
