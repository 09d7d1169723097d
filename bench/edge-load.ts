// `npm run bench:edge`: load against the Node edge server on loopback. Each request is an encrypted Interaction
// Model read on a PASE session (a fresh counter every time: the same bytes twice would be a replay) answered by an
// encrypted ReportData: a full round trip through decrypt, replay check, the read handler and encrypt.
// Over HTTP: autocannon, 10 connections. Over one WebSocket: 16 reads in flight, replies matched by exchange id.
import { rm, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { WebSocket } from 'ws';
import {
  closeSession, encodeReadRequest, establishPase, ExchangeManager, HttpClientChannel, InteractionOpcode, ProtocolId, ready, SessionManager,
  startNodeEdgeServer, WebSocketClientChannel, type MessageChannel, type SecureSession, type WebSocketLike,
} from '../src/node.js';
import { EdgeFleet } from '../src/edge/index.js';
import { RedisStore } from '../src/redis.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { median } from './measure.js';

const PASSCODE = 20202021;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const READ = encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }] });

async function pairedClient(channelFor: (receive: (m: Uint8Array, c: MessageChannel) => void) => Promise<MessageChannel> | MessageChannel) {
  const sessions = await SessionManager.create({});
  const exchanges = new ExchangeManager(sessions);
  const channel = await channelFor((m, c) => exchanges.receive(m, c));
  const session = await establishPase(exchanges, channel, { passcode: PASSCODE });
  return { sessions, exchanges, channel, session };
}

let exchangeId = 0;
const readMessage = (sessions: SessionManager, session: SecureSession) => {
  exchangeId = (exchangeId + 1) & 0xffff;
  return sessions.encode(session, { exchangeId, protocolId: ProtocolId.interactionModel, opcode: InteractionOpcode.readRequest,
    initiator: true, needsAck: false }, READ);
};

async function overHttp(url: string) {
  const c = await pairedClient((receive) => new HttpClientChannel(`${url}/realms/home/messages`, receive));
  const result = await autocannon({
    url: `${url}/realms/home/messages`, connections: 10, duration: SECONDS,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/octet-stream' },
      setupRequest: (request) => ({ ...request, body: Buffer.from(readMessage(c.sessions, c.session)) }) }],
  });
  await closeSession(c.exchanges, c.session); // the realm serves one PASE session at a time
  c.exchanges.close();
  await c.sessions.close();
  if (result.non2xx > 0) throw new Error(`HTTP bench: ${result.non2xx} responses were not 2xx`);
  return { roundTripsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: result.errors };
}

async function overWebSocket(url: string) {
  const inFlight = 16;
  const sent = new Map<number, number>();
  const latencies: number[] = [];
  let done = 0;
  let pump: (() => void) | undefined;
  const sessions = await SessionManager.create({});
  const exchanges = new ExchangeManager(sessions);
  const channel = await WebSocketClientChannel.connect(`${url.replace('http', 'ws')}/realms/home/ws`, (message, ch) => {
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
  let measuring = false;
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
      if (performance.now() - start > SECONDS * 1000) {
        if (sent.size === 0) resolve();
        return;
      }
      while (sent.size < inFlight) {
        const message = readMessage(sessions, session);
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
  return {
    roundTripsPerSecond: done / elapsed, p50Ms: median(latencies), p99Ms: latencies[Math.floor(latencies.length * 0.99)]!,
    inFlight,
  };
}

async function run(label: string, fleet: EdgeFleet | undefined) {
  const dataDir = join(tmpdir(), `bench-edge-${process.pid}-${label}`);
  mkdirSync(dataDir, { recursive: true });
  const server = await startNodeEdgeServer({ realms: { home: { passcode: PASSCODE, basicInformation: { vendorName: 'Bench' } } }, port: 0, dataDir, ...(fleet ? { fleet } : {}) });
  try {
    console.log(`\n${label}: edge on ${server.url}, ${SECONDS} s per run`);
    const http = await overHttp(server.url);
    console.log(`HTTP (autocannon, 10 connections): ${Math.round(http.roundTripsPerSecond)} encrypted round trips/s, p50 ${http.p50Ms} ms, p99 ${http.p99Ms} ms`);
    const ws = await overWebSocket(server.url);
    console.log(`WebSocket (one socket, ${ws.inFlight} in flight): ${Math.round(ws.roundTripsPerSecond)} encrypted round trips/s, p50 ${ws.p50Ms.toFixed(2)} ms, p99 ${ws.p99Ms.toFixed(2)} ms`);
    return { http, websocket: ws };
  } finally {
    await server.close();
    rm(dataDir, { recursive: true, force: true }, () => {});
  }
}

await ready();
const memory = await run('memory store (sessions in memory, records in files)', undefined);
const redis = await startRedisServer();
const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'bench:' });
let fleet;
try {
  fleet = await run('Redis fleet (shared ids, sessions, counter blocks; every message checked in the shared window)', new EdgeFleet(store, { fleetKey: crypto.getRandomValues(new Uint8Array(16)) }));
} finally {
  await store.close();
  await redis.stop();
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/edge.json', import.meta.url), JSON.stringify({
  measuredAt: new Date().toISOString(), seconds: SECONDS, memory, redisFleet: fleet,
}, null, 2) + '\n');
