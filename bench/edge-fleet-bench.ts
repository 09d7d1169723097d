// `npm run bench:edge-fleet`: the edge node (a realm that is a Matter node, the default light) alone and as a
// two-instance Redis fleet, with this project's controller: CASE handshakes per second (full and resumed) and
// encrypted round trips per second (a read of OnOff on 1/0x0006) over CASE on HTTP, WebSocket and UDP.
// In the fleet, HTTP requests alternate between the two instances (Sigma1 on one, Sigma3 on the other: the handshake
// parked in Redis between them; a session made on one used on both); a WebSocket is one connection to one instance
// and UDP is per instance (its handshakes stay in memory), their sessions still in Redis. Client, instances and the
// Redis client share one process on a shared machine: lower bounds. Each figure is the median of ROUNDS runs.
// Writes bench/results/edge-fleet.json.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';
import { EdgeFleet } from '../src/edge/index.js';
import { RedisStore } from '../src/redis.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { operationsPerSecond } from './measure.js';

await lib.ready();
const HANDSHAKES = Number(process.env.HANDSHAKES ?? 30);
const ROUND_TRIPS = Number(process.env.ROUND_TRIPS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONCURRENCY = 8;
const PASSCODE = 20202021;
const VIRTUAL = 'http://fleet.bench';
const round = (n: number) => Math.round(n * 10) / 10;

const rate = operationsPerSecond;

async function median(measure: () => Promise<number>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(await measure());
  runs.sort((a, b) => a - b);
  return round(runs[Math.floor(runs.length / 2)]!);
}

interface Setup {
  /** HTTP base URL of each instance (one alone, two in the fleet). */
  urls: string[];
  udp: { host: string; port: number };
  close(): Promise<void>;
  redisOps?: () => Promise<number>;
}

async function single(dataDir: string): Promise<Setup> {
  const server = await lib.startNodeEdgeServer({
    realms: { bench: { passcode: PASSCODE, node: lib.defaultLightApp().node } }, port: 0, dataDir,
    udp: { realm: 'bench', host: '127.0.0.1', port: 0 },
  });
  return { urls: [server.url], udp: server.udp!.address, close: () => server.close() };
}

async function fleet(dataDir: string): Promise<Setup> {
  const redis = await startRedisServer();
  const fleetKey = crypto.getRandomValues(new Uint8Array(16));
  const stores: RedisStore[] = [];
  const servers: lib.NodeEdgeServer[] = [];
  for (const name of ['a', 'b']) {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'bench:', timeoutMs: 2000 });
    stores.push(store);
    servers.push(await lib.startNodeEdgeServer({
      realms: { bench: { passcode: PASSCODE, node: lib.defaultLightApp().node } }, port: 0, dataDir: join(dataDir, name),
      fleet: new EdgeFleet(store, { instanceId: name, fleetKey }),
      ...(name === 'a' ? { udp: { realm: 'bench', host: '127.0.0.1', port: 0 } } : {}),
    }));
  }
  return {
    urls: servers.map((s) => s.url), udp: servers[0]!.udp!.address,
    close: async () => {
      for (const server of servers) await server.close();
      for (const store of stores) await store.close();
      await redis.stop();
    },
  };
}

async function measure(setup: Setup): Promise<Record<string, unknown>> {
  let turn = 0;
  let pinned = true;
  // Round-robin HTTP: each request to the next instance (pinned to the first while commissioning: its fail-safe is there).
  const roundRobin: typeof fetch = (input, init) => {
    const base = setup.urls[pinned ? 0 : turn++ % setup.urls.length]!;
    return fetch(String(input).replace(VIRTUAL, base), init);
  };
  const wsBase = setup.urls[0]!.replace('http', 'ws');
  const controller = await lib.MatterController.open({
    storage: new lib.MemoryStore(),
    transport: lib.edgeControllerTransport({
      udp: lib.udpControllerTransport(), fetch: roundRobin,
      webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike,
    }),
  });
  const results: Record<string, unknown> = {};
  try {
    const addresses: Record<string, lib.NodeAddress> = {
      http: { transport: 'http', host: `${VIRTUAL}/realms/bench/messages`, port: 0 },
      ws: { transport: 'ws', host: `${wsBase}/realms/bench/ws`, port: 0 },
      udp: { transport: 'udp', host: setup.udp.host, port: setup.udp.port },
    };
    await controller.commission({ address: addresses.http!, passcode: PASSCODE, nodeId: 1n });
    pinned = false;
    const fabric = controller.fabric.caseFabric();
    const only = process.env.TRANSPORTS?.split(',');
    for (const [name, address] of Object.entries(addresses).filter(([n]) => !only || only.includes(n))) {
      const channel = await controller.transport.channelFor(address);
      let resumedCount = 0, resumptions = 0;
      const handshake = (resume: boolean) => async () => {
        const { session, resumed } = await lib.establishCase(controller.exchanges, channel, { fabric, peerNodeId: 1n, resume, timeoutMs: 10_000 });
        if (resumed && !resume) throw new Error(`${name}: a full handshake was asked for`);
        if (resume) resumptions++;
        if (resumed) resumedCount++;
        // Forgotten here without a CloseSession: the edge retires a peer's oldest CASE sessions by itself.
        controller.sessions.removeSession(session.id, 'removed');
      };
      const full = await median(() => rate(HANDSHAKES, 1, handshake(false)));
      const fullInFlight = await median(() => rate(HANDSHAKES, CONCURRENCY, handshake(false)));
      await handshake(false)(); // both sides hold the same record before resuming
      const resumed = await median(() => rate(HANDSHAKES, 1, handshake(true)));
      const { session } = await lib.establishCase(controller.exchanges, channel, { fabric, peerNodeId: 1n, resume: false, timeoutMs: 10_000 });
      const read = async () => {
        await lib.readAttribute(controller.exchanges, session, { endpoint: 1, cluster: 0x0006, attribute: 0 }, { timeoutMs: 10_000 });
      };
      results[name] = {
        fullHandshakesPerSecond: { sequential: full, [`inFlight${CONCURRENCY}`]: fullInFlight },
        resumedHandshakesPerSecond: { sequential: resumed, resumedOf: `${resumedCount} of ${resumptions}` },
        readRoundTripsPerSecond: {
          sequential: await median(() => rate(ROUND_TRIPS, 1, read)),
          [`inFlight${CONCURRENCY}`]: await median(() => rate(ROUND_TRIPS, CONCURRENCY, read)),
        },
      };
      await lib.closeSession(controller.exchanges, session);
      console.log(name, JSON.stringify(results[name]));
    }
  } finally {
    await controller.close();
  }
  return results;
}

const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverageAtStart: loadavg().map(round) },
  settings: { handshakes: HANDSHAKES, roundTrips: ROUND_TRIPS, rounds: ROUNDS, concurrency: CONCURRENCY },
  note: 'client, instances and Redis client in one process on a shared machine (Redis in its own): lower bounds; medians of rounds',
};
const setups = process.env.SETUPS?.split(',') ?? ['single', 'fleet'];
for (const [name, make] of ([['single', single], ['fleet', fleet]] as const).filter(([n]) => setups.includes(n))) {
  const dataDir = await mkdtemp(join(tmpdir(), `edge-fleet-bench-${name}-`));
  const setup = await make(dataDir);
  try {
    console.log(`-- ${name}`);
    results[name] = await measure(setup);
  } finally {
    await setup.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
results.loadAverageAtEnd = loadavg().map(round);
console.log(JSON.stringify(results, null, 2));
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/edge-fleet.json', JSON.stringify(results, null, 2) + '\n');
