// `npm run bench:edge-node`: one edge instance (a realm that is a Matter node, the default light) and this project's
// controller, in one Node process: CASE handshakes per second the realm accepts (full and resumed) and encrypted
// round trips per second (a read of OnOff on 1/0x0006) over CASE on UDP, HTTP and WebSocket, each sequential and
// with 8 in flight. Client and server share the process, so the figures are lower bounds for the edge alone.
// Writes bench/results/edge-node.json.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';
import { operationsPerSecond } from './measure.js';

await lib.ready();
const HANDSHAKES = Number(process.env.HANDSHAKES ?? 60);
const ROUND_TRIPS = Number(process.env.ROUND_TRIPS ?? 600);
const CONCURRENCY = 8;

const dataDir = await mkdtemp(join(tmpdir(), 'edge-node-bench-'));
const app = lib.defaultLightApp();
const server = await lib.startNodeEdgeServer({
  realms: { bench: { passcode: 20202021, node: app.node } }, port: 0, dataDir, udp: { realm: 'bench', host: '127.0.0.1', port: 0 },
});
const controller = await lib.MatterController.open({
  storage: new lib.MemoryStore(),
  transport: lib.edgeControllerTransport({ udp: lib.udpControllerTransport(), webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }),
});
const round = (n: number) => Math.round(n * 10) / 10;

const rate = async (total: number, inFlight: number, operation: () => Promise<void>): Promise<number> =>
  round(await operationsPerSecond(total, inFlight, operation));

const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverageAtStart: loadavg().map(round) },
  note: 'client and edge in one process on a shared machine: lower bounds for the edge alone',
};
try {
  const udp = server.udp!.address;
  await controller.commission({ address: { transport: 'udp', host: udp.host, port: udp.port }, passcode: 20202021, nodeId: 1n });
  const addresses: Record<string, lib.NodeAddress> = {
    udp: { transport: 'udp', host: udp.host, port: udp.port },
    http: { transport: 'http', host: `${server.url}/realms/bench/messages`, port: 0 },
    ws: { transport: 'ws', host: `${server.url.replace('http', 'ws')}/realms/bench/ws`, port: 0 },
  };
  const fabric = controller.fabric.caseFabric();
  for (const [name, address] of Object.entries(addresses)) {
    const channel = await controller.transport.channelFor(address);
    let resumedCount = 0;
    const handshake = (resume: boolean) => async () => {
      const { session, resumed } = await lib.establishCase(controller.exchanges, channel, { fabric, peerNodeId: 1n, resume, timeoutMs: 10_000 });
      if (resumed && !resume) throw new Error(`${name}: a full handshake was asked for`);
      // A resumption the edge cannot match falls back to a full handshake (counted: see resumedOf).
      if (resumed) resumedCount++;
      // Forgotten here without a CloseSession: the edge retires a peer's oldest CASE sessions by itself (its
      // per-peer limit), and the figure is the handshake alone.
      controller.sessions.removeSession(session.id, 'removed');
    };
    const fullHandshakesPerSecond = { sequential: await rate(HANDSHAKES, 1, handshake(false)), [`inFlight${CONCURRENCY}`]: await rate(HANDSHAKES, CONCURRENCY, handshake(false)) };
    // Concurrent handshakes leave the last record on each side from different sessions: one full handshake first
    // so both hold the same one. Each resumption replaces the record it used: resumptions run one after another.
    await handshake(false)();
    const resumedHandshakesPerSecond = { sequential: await rate(HANDSHAKES, 1, handshake(true)), resumedOf: `${resumedCount} of ${HANDSHAKES}` };
    // The read session is made after the handshakes (a new CASE session to the same peer may retire older ones).
    const { session } = await lib.establishCase(controller.exchanges, channel, { fabric, peerNodeId: 1n, resume: false, timeoutMs: 10_000 });
    const read = async () => {
      await lib.readAttribute(controller.exchanges, session, { endpoint: 1, cluster: 0x0006, attribute: 0 }, { timeoutMs: 10_000 });
    };
    results[name] = {
      fullHandshakesPerSecond, resumedHandshakesPerSecond,
      readRoundTripsPerSecond: { sequential: await rate(ROUND_TRIPS, 1, read), [`inFlight${CONCURRENCY}`]: await rate(ROUND_TRIPS, CONCURRENCY, read) },
    };
    await lib.closeSession(controller.exchanges, session);
    console.log(name, JSON.stringify(results[name]));
  }
} finally {
  await controller.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}
results.loadAverageAtEnd = loadavg().map(round);
console.log(JSON.stringify(results, null, 2));
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/edge-node.json', JSON.stringify(results, null, 2) + '\n');
