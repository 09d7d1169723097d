// An edge fleet whose Redis loses state the ways production Redis does: restored from an older RDB snapshot,
// restarted empty, frozen (SIGSTOP) and resumed, and failed over to a replica that lags behind (the instances reach
// Redis through one address, a TCP proxy, which is moved to the replica). Two instances serve clients that read through both; every secure
// message either instance sends is recorded as (session key fingerprint, message counter), and the test asserts
// no pair was ever sent twice (AES-CCM nonce reuse). After each event every message captured so far is replayed to
// both instances and none may be accepted; sessions that depended on lost state answer 404, and clients pair again.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { EdgeFleet } from '../src/edge/index.js';
import { RedisStore } from '../src/redis.js';
import { SecureSession } from '../src/session/secure-session.js';
import { startRedisServer, startTcpProxy, type RedisServer, type TcpProxy } from './support/redis-server.js';

await lib.ready();
const PASSCODE = 20202021;
const FLEET_KEY = crypto.getRandomValues(new Uint8Array(16));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Client {
  sessions: lib.SessionManager;
  exchanges: lib.ExchangeManager;
  session: lib.SecureSession;
  close(): Promise<void>;
}

async function pair(url: string): Promise<Client> {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  const channel = new lib.HttpClientChannel(`${url}/realms/home/messages`, (m, c) => exchanges.receive(m, c));
  const session = await lib.establishPase(exchanges, channel, { passcode: PASSCODE });
  return { sessions, exchanges, session, close: async () => { exchanges.close(); await sessions.close(); } };
}

const post = (url: string, body: Uint8Array) => fetch(`${url}/realms/home/messages`, {
  method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: body as BodyInit,
});

let exchangeId = 1000;
const readRequest = (c: Client) => c.sessions.encode(c.session, { exchangeId: ++exchangeId & 0xffff, protocolId: lib.ProtocolId.interactionModel,
  opcode: lib.InteractionOpcode.readRequest, initiator: true, needsAck: false },
lib.encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }] }));

describe('an edge fleet when Redis loses state', { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let replica: RedisServer | undefined;
  let proxy: TcpProxy;
  let dataDir: string;
  const stores: RedisStore[] = [];
  const fleets: EdgeFleet[] = [];
  const servers: lib.NodeEdgeServer[] = [];
  /** Every secure message either instance sent: "<key fingerprint>/<counter>", and how often. */
  const sent = new Map<string, number>();
  /** Every message a client sent that an instance accepted (200): none may be accepted again. */
  const captured: Uint8Array[] = [];
  const urls = () => servers.map((s) => s.url);

  before(async () => {
    redis = await startRedisServer();
    proxy = await startTcpProxy(redis.port);
    dataDir = await mkdtemp(join(tmpdir(), 'fleet-loss-'));
    for (const name of ['a', 'b']) {
      const store = await RedisStore.connect({ url: proxy.url, keyPrefix: 'loss:', timeoutMs: 1000 });
      const fleet = new EdgeFleet(store, { instanceId: name, fleetKey: FLEET_KEY });
      stores.push(store);
      fleets.push(fleet);
      const server = await lib.startNodeEdgeServer({ realms: { home: { passcode: PASSCODE } }, port: 0, dataDir: join(dataDir, name), fleet });
      servers.push(server);
      const realm = (await server.edge.realm('home'))!;
      const encode = realm.sessions.encode.bind(realm.sessions);
      realm.sessions.encode = (session, payloadHeader, payload) => {
        const wire = encode(session, payloadHeader, payload);
        if (session instanceof SecureSession) {
          const counter = new DataView(wire.buffer, wire.byteOffset + 4, 4).getUint32(0, true);
          const pairKey = `${hex(session.attestationChallenge)}/${counter}`;
          sent.set(pairKey, (sent.get(pairKey) ?? 0) + 1);
        }
        return wire;
      };
    }
  });

  after(async () => {
    for (const server of servers) await server.close();
    for (const fleet of fleets) fleet.close();
    for (const store of stores) await store.close();
    await proxy?.close();
    await replica?.stop();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** `count` reads through alternating instances, each answered 200 and decoded; their requests are captured. */
  async function reads(c: Client, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const request = readRequest(c);
      const response = await post(urls()[i % 2]!, request);
      assert.equal(response.status, 200, `read ${i}: ${response.status} ${await response.clone().text()}`);
      c.sessions.decode(new Uint8Array(await response.arrayBuffer()));
      captured.push(request);
    }
  }

  /** Every captured message, to both instances: never accepted again. */
  async function replaysRefused(): Promise<Map<number, number>> {
    const statuses = new Map<number, number>();
    for (const message of captured) {
      for (const url of urls()) {
        const response = await post(url, message);
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        assert.ok(response.status === 404 || response.status === 409, `a replay was answered ${response.status}`);
      }
    }
    return statuses;
  }

  function noPairTwice(): void {
    const twice = [...sent].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'a (session key, counter) pair was sent more than once');
  }

  it('restored from an older RDB: sessions closed (404), no replay accepted, no counter reused; clients pair again', async () => {
    const c1 = await pair(urls()[0]!);
    await reads(c1, 10);
    const snapshot = await redis.snapshot();
    const runId = await redis.runId();
    // After the snapshot: counters and windows move on, then Redis goes back to the snapshot.
    await reads(c1, 12);
    await redis.restoreSnapshot(snapshot);
    assert.notEqual(await redis.runId(), runId);
    const statuses = await replaysRefused();
    assert.ok((statuses.get(404) ?? 0) > 0, 'the sessions that depended on the lost state are unknown');
    const next = await post(urls()[1]!, readRequest(c1));
    assert.equal(next.status, 404, 'the old session is gone on every instance');
    assert.ok(fleets.every((f) => f.storeLosses >= 1), 'both instances saw the loss');
    await c1.close();
    const c2 = await pair(urls()[1]!);
    await reads(c2, 12);
    await c2.close();
    noPairTwice();
  });

  it('restarted empty: sessions unknown (404), never restarted from 0; no replay accepted; clients pair again', async () => {
    const c1 = await pair(urls()[0]!);
    await reads(c1, 9);
    const losses = fleets.map((f) => f.storeLosses);
    await redis.restartEmpty();
    await replaysRefused();
    assert.equal((await post(urls()[0]!, readRequest(c1))).status, 404);
    assert.ok(fleets.every((f, i) => f.storeLosses > losses[i]!), 'both instances saw the loss');
    await c1.close();
    const c2 = await pair(urls()[0]!);
    await reads(c2, 12);
    await c2.close();
    noPairTwice();
  });

  it('frozen then resumed: 503 while frozen, the same sessions afterwards, no replay accepted, no counter reused', async () => {
    const c1 = await pair(urls()[1]!);
    await reads(c1, 6);
    const losses = fleets.map((f) => f.storeLosses);
    redis.pause();
    try {
      const during = await post(urls()[0]!, readRequest(c1));
      assert.equal(during.status, 503);
    } finally {
      redis.resume();
    }
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      const request = readRequest(c1);
      const response = await post(urls()[i % 2]!, request);
      status = response.status;
      if (status === 200) {
        c1.sessions.decode(new Uint8Array(await response.arrayBuffer()));
        captured.push(request);
      } else {
        await response.arrayBuffer();
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(status, 200, 'the session works again once Redis answers');
    await reads(c1, 10);
    assert.deepEqual(fleets.map((f) => f.storeLosses), losses, 'a freeze loses nothing: no session closed');
    const statuses = await replaysRefused();
    assert.ok((statuses.get(409) ?? 0) > 0, 'replays on the live session are duplicates');
    await c1.close();
    noPairTwice();
    assert.ok(sent.size > 60, `recorded ${sent.size} secure messages sent`);
  });

  it('failed over to a lagging replica: sessions closed (404), no replay accepted, no counter reused', async () => {
    const c1 = await pair(urls()[0]!);
    await reads(c1, 8);
    replica = await startRedisServer();
    await replica.copyOf(redis); // the replica has everything so far, then falls behind
    await reads(c1, 12);
    const losses = fleets.map((f) => f.storeLosses);
    proxy.retarget(replica.port);
    // The instances' connections drop with the old primary (a few 503s); wait until they are back.
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 100 && !stores.every((s) => s.connected); i++) await new Promise((r) => setTimeout(r, 50));
    await replaysRefused();
    assert.equal((await post(urls()[1]!, readRequest(c1))).status, 404);
    assert.ok(fleets.every((f, i) => f.storeLosses > losses[i]!), 'both instances saw the failover');
    await c1.close();
    const c2 = await pair(urls()[1]!);
    await reads(c2, 12);
    await c2.close();
    noPairTwice();
  });
});
