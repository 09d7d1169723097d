// `npm run bench:edge`: the edge's encrypted HTTP round trip against a bare Hono handler that only echoes the body,
// on Node, Bun and Deno. Each runtime's server runs in its own process (bench/servers/*-entry: the built package's
// startNodeEdgeServer, serveEdgeOnBun or serveEdgeOnDeno, and the echo app served by the same runtime); the load
// client (bench/edge-load-client.ts: PASE over HTTP, then autocannon with 10 connections posting encrypted
// Interaction Model reads) runs in another. Rounds alternate echo and edge after a warm-up; the ratio is the median
// of the per-round ratios edge/echo, so both sides of each ratio were measured under the same load on the machine.
// Each round also counts the CPU time the server process used (Linux /proc): requests per server CPU second, and
// their ratio, barely move with other load on a shared machine, where throughput does.
// On Node, a third anchor: an echo that reads the body from the IncomingMessage as the edge does, leaving only the
// Matter work in the ratio. Then one WebSocket on the Node edge, 16 reads in flight, from this process, and the Node
// edge of a Redis fleet (BENCH_FLEET=0 skips it). Writes bench/results/edge.json.
//   EDGE_ROOT        the checkout whose built code is measured (default this one): measure another the same way
//   BENCH_SECONDS    per round (default 5); BENCH_ROUNDS (default 5); BENCH_RUNTIMES (default node,bun,deno)
//   BENCH_OUT        the results file, relative to bench/ (default ./results/edge.json)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import {
  encodeReadRequest, establishPase, ExchangeManager, InteractionOpcode, ProtocolId, ready, SessionManager, WebSocketClientChannel,
  type SecureSession, type WebSocketLike,
} from '../src/node.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { startRuntimeServer, type RuntimeServer } from '../test/edge-runtimes/runtime-server.js';
import { median } from './measure.js';

const PASSCODE = 20202021;
const REALM = 'home';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 10;
const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const root = process.env.EDGE_ROOT ?? projectRoot;
const runtimes = (process.env.BENCH_RUNTIMES ?? 'node,bun,deno').split(',') as Runtime[];
type Runtime = 'node' | 'bun' | 'deno';

function assertBuilt(): void {
  const built = join(root, 'dist/edge/edge-app.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` in ${root}`);
  if (root !== projectRoot) return;
  const newestSource = Math.max(...readdirSync(join(root, 'src/edge')).map((f) => statSync(join(root, 'src/edge', f)).mtimeMs));
  if (newestSource > statSync(built).mtimeMs) throw new Error('src/edge is newer than dist/edge: run `npm run build:ts` first');
}

function startServer(runtime: Runtime): Promise<RuntimeServer> {
  const config = JSON.stringify({ root, realm: REALM, passcode: PASSCODE });
  const entry = (name: string) => join(projectRoot, 'bench/servers', name);
  const bin = (name: string) => join(projectRoot, 'node_modules/.bin', name);
  const options = { cwd: projectRoot, timeoutMs: 30_000 };
  if (runtime === 'node') return startRuntimeServer(process.execPath, [entry('node-entry.mjs'), config], { ...options, env: process.env });
  if (runtime === 'bun') {
    return startRuntimeServer(bin('bun'), ['run', '--no-install', entry('bun-entry.js'), config],
      { ...options, env: { ...process.env, BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', NO_COLOR: '1' } });
  }
  return startRuntimeServer(bin('deno'), ['run', '--no-prompt', '--no-lock', '--no-remote', '--cached-only', '--node-modules-dir=manual',
    `--allow-read=${projectRoot},${root},/work`, '--allow-write=/tmp', '--allow-env', '--allow-net=127.0.0.1', entry('deno-entry.js'), config],
  { ...options, env: { ...process.env, DENO_DIR: join(projectRoot, 'test-output', 'edge-runtimes', 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
}

interface LoadResult { requestsPerSecond: number; requestsPerServerCpuSecond: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number }

/** One round of the load client, in its own process. */
function load(server: Pick<RuntimeServer, 'url' | 'pid' | 'announced'>, target: 'edge' | 'echo' | 'echo-raw', seconds: number): Promise<LoadResult> {
  const args = JSON.stringify({ target, messagesUrl: `${server.url}/realms/${REALM}/messages`, echoUrl: server.announced.echoUrl,
    passcode: PASSCODE, seconds, connections: CONNECTIONS, serverPid: server.pid });
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bench/edge-load-client.ts'), args],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  return new Promise((resolve, reject) => child.on('exit', (code) => {
    const line = out.trim().split('\n').pop() ?? '';
    if (code !== 0 || !line.startsWith('{')) return reject(new Error(`load client (${target}) exited ${code}: ${err || out}`));
    const result = JSON.parse(line) as LoadResult;
    const total = result.requestsPerSecond * seconds;
    // A stray refusal is reported (a counter that arrived out of the reception window, say); more would mean the
    // figure measures errors, not round trips.
    if (result.non2xx + result.errors > total / 1000) {
      return reject(new Error(`load client (${target}): ${result.non2xx} non-2xx, ${result.errors} errors`));
    }
    if (result.non2xx + result.errors > 0) console.log(`  (${target}: ${result.non2xx} non-2xx, ${result.errors} errors)`);
    resolve(result);
  }));
}

interface RuntimeFigures {
  version: string;
  echoRequestsPerSecond: number;
  edgeRoundTripsPerSecond: number;
  ratio: number;
  echoRequestsPerServerCpuSecond: number;
  edgeRoundTripsPerServerCpuSecond: number;
  /** The same ratio per CPU second the server used: what the edge costs, whatever else the machine was doing. */
  cpuRatio: number;
  edgeP50Ms: number;
  edgeP99Ms: number;
  rounds: Array<{ echo: number; edge: number; ratio: number; echoPerCpuSecond: number; edgePerCpuSecond: number; cpuRatio: number;
    rawEcho?: number; rawEchoPerCpuSecond?: number }>;
  /** Node only: against an echo that reads the body as the edge does (from the IncomingMessage): the Matter work alone. */
  rawEcho?: { requestsPerSecond: number; requestsPerServerCpuSecond: number; ratio: number; cpuRatio: number };
}

async function measureHttp(runtime: Runtime, server: RuntimeServer): Promise<RuntimeFigures> {
  await load(server, 'echo', 2); // warm-up: JIT, connections, the realm
  await load(server, 'edge', 2);
  if (runtime === 'node') await load(server, 'echo-raw', 2);
  const rounds: RuntimeFigures['rounds'] = [];
  const edges: LoadResult[] = [];
  const withRaw = runtime === 'node';
  for (let round = 0; round < ROUNDS; round++) {
    // Rotating which goes first keeps a drift in the machine's load from favouring one side.
    const order: Array<'edge' | 'echo' | 'echo-raw'> = withRaw ? ['echo', 'edge', 'echo-raw'] : ['echo', 'edge'];
    for (let k = 0; k < round % order.length; k++) order.push(order.shift()!);
    const got: Partial<Record<'edge' | 'echo' | 'echo-raw', LoadResult>> = {};
    for (const target of order) got[target] = await load(server, target, SECONDS);
    const echo = got.echo!, edge = got.edge!, raw = got['echo-raw'];
    edges.push(edge);
    const r = {
      echo: echo.requestsPerSecond, edge: edge.requestsPerSecond, ratio: edge.requestsPerSecond / echo.requestsPerSecond,
      echoPerCpuSecond: echo.requestsPerServerCpuSecond, edgePerCpuSecond: edge.requestsPerServerCpuSecond,
      cpuRatio: edge.requestsPerServerCpuSecond / echo.requestsPerServerCpuSecond,
      ...(raw ? { rawEcho: raw.requestsPerSecond, rawEchoPerCpuSecond: raw.requestsPerServerCpuSecond } : {}),
    };
    rounds.push(r);
    console.log(`  ${runtime} round ${round + 1}: echo ${Math.round(r.echo)}/s (${Math.round(r.echoPerCpuSecond)} per server CPU s), edge ${Math.round(r.edge)}/s (${Math.round(r.edgePerCpuSecond)} per CPU s): ratio ${r.ratio.toFixed(2)}, per CPU s ${r.cpuRatio.toFixed(2)}${raw ? `; raw echo ${Math.round(raw.requestsPerSecond)}/s (${Math.round(raw.requestsPerServerCpuSecond)} per CPU s)` : ''}`);
  }
  const rawRounds = rounds.filter((r) => r.rawEcho !== undefined);
  return {
    version: server.version,
    echoRequestsPerSecond: median(rounds.map((r) => r.echo)),
    edgeRoundTripsPerSecond: median(rounds.map((r) => r.edge)),
    ratio: median(rounds.map((r) => r.ratio)),
    echoRequestsPerServerCpuSecond: median(rounds.map((r) => r.echoPerCpuSecond)),
    edgeRoundTripsPerServerCpuSecond: median(rounds.map((r) => r.edgePerCpuSecond)),
    cpuRatio: median(rounds.map((r) => r.cpuRatio)),
    ...(rawRounds.length ? {
      rawEcho: {
        requestsPerSecond: median(rawRounds.map((r) => r.rawEcho!)),
        requestsPerServerCpuSecond: median(rawRounds.map((r) => r.rawEchoPerCpuSecond!)),
        ratio: median(rawRounds.map((r) => r.edge / r.rawEcho!)),
        cpuRatio: median(rawRounds.map((r) => r.edgePerCpuSecond / r.rawEchoPerCpuSecond!)),
      },
    } : {}),
    edgeP50Ms: median(edges.map((e) => e.p50Ms)),
    edgeP99Ms: median(edges.map((e) => e.p99Ms)),
    rounds,
  };
}

const READ = encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }] });

/** One WebSocket, 16 reads in flight, replies matched by exchange id; the client is this process. */
async function overWebSocket(url: string, seconds: number) {
  const inFlight = 16;
  const sent = new Map<number, number>();
  const latencies: number[] = [];
  let done = 0;
  let exchangeId = 0;
  let measuring = false;
  let pump: (() => void) | undefined;
  const sessions = await SessionManager.create({});
  const exchanges = new ExchangeManager(sessions);
  const channel = await WebSocketClientChannel.connect(`${url.replace('http', 'ws')}/realms/${REALM}/ws`, (message, ch) => {
    if (!measuring) return exchanges.receive(message, ch);
    const decoded = sessions.decode(message);
    const at = sent.get(decoded.payloadHeader.exchangeId);
    if (at !== undefined) {
      latencies.push(performance.now() - at);
      sent.delete(decoded.payloadHeader.exchangeId);
      done++;
      pump?.();
    }
  }, (u) => new WebSocket(u) as unknown as WebSocketLike);
  let session: SecureSession;
  try {
    session = await establishPase(exchanges, channel, { passcode: PASSCODE });
  } catch (error) {
    channel.close();
    throw error;
  }
  measuring = true;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    pump = () => {
      if (performance.now() - start > seconds * 1000) {
        if (sent.size === 0) resolve();
        return;
      }
      while (sent.size < inFlight) {
        exchangeId = (exchangeId + 1) & 0xffff;
        const message = sessions.encode(session, { exchangeId, protocolId: ProtocolId.interactionModel,
          opcode: InteractionOpcode.readRequest, initiator: true, needsAck: false }, READ);
        sent.set(exchangeId, performance.now());
        channel.send(message);
      }
    };
    pump();
  });
  const elapsed = (performance.now() - start) / 1000;
  channel.close();
  exchanges.close();
  await sessions.close();
  latencies.sort((a, b) => a - b);
  return { roundTripsPerSecond: done / elapsed, p50Ms: median(latencies), p99Ms: latencies[Math.floor(latencies.length * 0.99)]!, inFlight };
}

assertBuilt();
await ready();
console.log(`edge vs bare Hono echo, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s after a warm-up; code under ${root}`);
const http: Partial<Record<Runtime, RuntimeFigures>> = {};
let websocket: Awaited<ReturnType<typeof overWebSocket>> | undefined;
for (const runtime of runtimes) {
  const server = await startServer(runtime);
  try {
    const figures = await measureHttp(runtime, server);
    http[runtime] = figures;
    console.log(`${figures.version}: edge ${Math.round(figures.edgeRoundTripsPerSecond)} encrypted round trips/s (p50 ${figures.edgeP50Ms} ms, p99 ${figures.edgeP99Ms} ms), echo ${Math.round(figures.echoRequestsPerSecond)}/s: ratio ${figures.ratio.toFixed(2)}x; per server CPU second ${Math.round(figures.edgeRoundTripsPerServerCpuSecond)} vs ${Math.round(figures.echoRequestsPerServerCpuSecond)}: ${figures.cpuRatio.toFixed(2)}x`);
    if (figures.rawEcho) {
      console.log(`${figures.version}, against an echo reading the body as the edge does: ratio ${figures.rawEcho.ratio.toFixed(2)}x, per server CPU second ${figures.rawEcho.cpuRatio.toFixed(2)}x`);
    }
    if (runtime === 'node') {
      websocket = await overWebSocket(server.url, SECONDS);
      console.log(`${figures.version}, one WebSocket (${websocket.inFlight} in flight): ${Math.round(websocket.roundTripsPerSecond)} encrypted round trips/s, p50 ${websocket.p50Ms.toFixed(2)} ms, p99 ${websocket.p99Ms.toFixed(2)} ms`);
    }
  } finally {
    await server.stop();
  }
}

/**
 * The Node edge of a Redis fleet, served from this process (the load client is still a process of its own): every
 * message costs Redis round trips, so this is a figure of its own, not a ratio.
 */
async function fleetFigures() {
  // The code under EDGE_ROOT, built, as for the other runtimes.
  const built = (file: string) => import(pathToFileURL(join(root, 'dist', file)).href);
  const { startNodeEdgeServer } = await built('edge/node-server.js') as typeof import('../src/edge/node-server.js');
  const { EdgeFleet } = await built('edge/index.js') as typeof import('../src/edge/index.js');
  const { RedisStore } = await built('redis.js') as typeof import('../src/redis.js');
  await (await built('index.js') as typeof import('../src/index.js')).ready(); // that build's own core
  const redis = await startRedisServer();
  const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'bench:' });
  const dataDir = mkdtempSync(join(os.tmpdir(), 'bench-edge-fleet-'));
  try {
    const server = await startNodeEdgeServer({ realms: { [REALM]: { passcode: PASSCODE, basicInformation: { vendorName: 'Bench' } } }, port: 0,
      dataDir, fleet: new EdgeFleet(store, { fleetKey: crypto.getRandomValues(new Uint8Array(16)) }) });
    try {
      const target = { url: server.url, pid: process.pid, announced: { echoUrl: server.url } };
      await load(target, 'edge', 2);
      const rounds: LoadResult[] = [];
      for (let round = 0; round < Math.min(ROUNDS, 3); round++) rounds.push(await load(target, 'edge', SECONDS));
      const http = { roundTripsPerSecond: median(rounds.map((r) => r.requestsPerSecond)), p50Ms: median(rounds.map((r) => r.p50Ms)),
        p99Ms: median(rounds.map((r) => r.p99Ms)) };
      console.log(`Redis fleet on Node (shared ids, sessions, counter blocks; every message checked in the shared window): HTTP ${Math.round(http.roundTripsPerSecond)} encrypted round trips/s, p50 ${http.p50Ms} ms, p99 ${http.p99Ms} ms`);
      const websocket = await overWebSocket(server.url, SECONDS);
      console.log(`Redis fleet on Node, one WebSocket (${websocket.inFlight} in flight): ${Math.round(websocket.roundTripsPerSecond)} encrypted round trips/s, p50 ${websocket.p50Ms.toFixed(2)} ms, p99 ${websocket.p99Ms.toFixed(2)} ms`);
      return { http, websocket };
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const redisFleet = runtimes.includes('node') && process.env.BENCH_FLEET !== '0' ? await fleetFigures() : undefined;
const file = new URL(process.env.BENCH_OUT ?? './results/edge.json', import.meta.url);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(file, JSON.stringify({
  measuredAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg() },
  method: `server and load client in separate processes; autocannon, ${CONNECTIONS} connections; ${ROUNDS} rounds of ${SECONDS} s after a 2 s warm-up, echo and edge alternating; medians; ratio = median of per-round edge/echo`,
  ...(root !== projectRoot ? { codeUnder: root } : {}),
  http, nodeWebSocket: websocket, redisFleet,
}, null, 2) + '\n');
console.log(`written: ${file.pathname}`);
