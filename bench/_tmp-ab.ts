import * as mine from '../src/index.js';
// @ts-ignore
import * as main from '/work/main/src/index.js';
import { measure } from './measure.js';
await mine.ready(); await main.ready();
const fabric = (nodeId: bigint) => ({ fabricIndex: 1, fabricId: 1n, nodeId, compressedFabricId: new Uint8Array(8).fill(1) });
async function pair(lib: any) {
  const secret = new Uint8Array(32).fill(7), salt = new Uint8Array(48).fill(9);
  const a = await lib.SessionManager.create({ fabrics: { initial: [fabric(0x11n)] } });
  const b = await lib.SessionManager.create({ fabrics: { initial: [fabric(0x22n)] } });
  const idA = a.getNextAvailableSessionId(), idB = b.getNextAvailableSessionId();
  const sa = await a.createSecureSession({ sessionId: idA, peerSessionId: idB, sharedSecret: secret, salt, isInitiator: true, isResumption: false, peerNodeId: 0x22n, fabricIndex: 1 });
  await b.createSecureSession({ sessionId: idB, peerSessionId: idA, sharedSecret: secret, salt, isInitiator: false, isResumption: false, peerNodeId: 0x11n, fabricIndex: 1 });
  return { a, b, sa };
}
const H = { exchangeId: 0x1234, protocolId: 0x0001, opcode: 0x05, initiator: true, needsAck: true };
const p = new Uint8Array(64).fill(0x5a);
const m = await pair(mine), n = await pair(main);
let s = 0;
const r = measure([
  { name: 'mine', op: () => { s ^= m.b.decode(m.a.encode(m.sa, H, p)).payload.length; } },
  { name: 'main', op: () => { s ^= n.b.decode(n.a.encode(n.sa, H, p)).payload.length; } },
], { rounds: 9, sliceMs: 100, warmupMs: 300 });
console.log(r.map((x) => `${x.name} ${Math.round(x.opsPerSecond)}`).join(' | '), 'ratio', (r[0]!.opsPerSecond / r[1]!.opsPerSecond).toFixed(2));
