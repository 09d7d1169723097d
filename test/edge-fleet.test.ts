// Two edge instances sharing a real redis-server: session ids claimed across instances, a session established on one
// used through the other, a replay to the other instance refused, 100 concurrent handshakes, and Redis going away
// mid-run (503s) and coming back (recovery, no record lost).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { EdgeFleet } from '../src/edge/index.js';
import { RedisStore } from '../src/redis.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

await lib.ready();
const PASSCODE = 20202021;
const FLEET_KEY = crypto.getRandomValues(new Uint8Array(16));
const VENDOR = `Fleet ${Math.random().toString(36).slice(2, 8)}`;

async function client(url: string) {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  const channel = new lib.HttpClientChannel(`${url}/realms/home/messages`, (m, c) => exchanges.receive(m, c));
  return { sessions, exchanges, channel, close: async () => { exchanges.close(); await sessions.close(); } };
}

const post = (url: string, body: Uint8Array) => fetch(`${url}/realms/home/messages`, {
  method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: body as BodyInit,
});

describe('an edge fleet on Redis', { timeout: 120_000 }, () => {
  let redis: RedisServer;
  const stores: RedisStore[] = [];
  const servers: lib.NodeEdgeServer[] = [];
  let dataDir: string;
  let a: lib.NodeEdgeServer, b: lib.NodeEdgeServer;

  before(async () => {
    redis = await startRedisServer();
    dataDir = await mkdtemp(join(tmpdir(), 'fleet-'));
    const keyPrefix = `fleet-test-${Date.now()}:`;
    for (const name of ['a', 'b']) {
      const store = await RedisStore.connect({ url: redis.url, keyPrefix, timeoutMs: 1000 });
      stores.push(store);
      servers.push(await lib.startNodeEdgeServer({
        realms: { home: { passcode: PASSCODE, basicInformation: { vendorName: VENDOR } } },
        port: 0, dataDir: join(dataDir, name), fleet: new EdgeFleet(store, { instanceId: name, fleetKey: FLEET_KEY }),
      }));
    }
    [a, b] = servers as [lib.NodeEdgeServer, lib.NodeEdgeServer];
  });

  after(async () => {
    for (const server of servers) await server.close();
    for (const store of stores) await store.close();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('20,000 session-id claims over both instances, 2,000 at a time: no id twice', async () => {
    // Concurrent waves keep each instance's Redis connection within its 1 s reply limit (the store's own test runs
    // all 20,000 at once with a longer limit).
    const [ra, rb] = [await a.edge.realm('home'), await b.edge.realm('home')];
    const claims: Array<[lib.SessionManager, number]> = [];
    for (let wave = 0; wave < 10; wave++) {
      const ids = await Promise.all(Array.from({ length: 2000 }, (_, i) => {
        const manager = (i % 2 ? ra! : rb!).sessions;
        return manager.reserveSessionId().then((id) => [manager, id] as [lib.SessionManager, number]);
      }));
      claims.push(...ids);
    }
    assert.equal(new Set(claims.map(([, id]) => id)).size, 20_000);
    for (let start = 0; start < claims.length; start += 2000) {
      for (const [manager, id] of claims.slice(start, start + 2000)) manager.releaseSessionId(id);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('a session made on one instance serves through the other; a replay to the other is refused', async () => {
    const c = await client(a.url);
    try {
      const session = await lib.establishPase(c.exchanges, c.channel, { passcode: PASSCODE });
      // A read on that session, posted to instance B: B restores the session from Redis and answers.
      const read = lib.encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }] });
      const message = c.sessions.encode(session, { exchangeId: 4242, protocolId: lib.ProtocolId.interactionModel,
        opcode: lib.InteractionOpcode.readRequest, initiator: true, needsAck: false }, read);
      const response = await post(b.url, message);
      assert.equal(response.status, 200, 'B answered a message of a session A made');
      const report = c.sessions.decode(new Uint8Array(await response.arrayBuffer()));
      assert.equal(lib.tlvToPlainValue(lib.decodeReportData(report.payload).attributeReports[0]!.data!), VENDOR);
      const replay = await post(a.url, message);
      assert.equal(replay.status, 409, 'the same message at A: a replay');
      assert.equal((await replay.json() as { error: string }).error, 'replay');
      await lib.closeSession(c.exchanges, session);
    } finally {
      await c.close();
    }
  });

  it('100 concurrent handshakes split over both instances all succeed with distinct ids', async () => {
    const clients = await Promise.all(Array.from({ length: 100 }, (_, i) => client(i % 2 ? a.url : b.url)));
    try {
      const sessions = await Promise.all(clients.map((c) => lib.establishPase(c.exchanges, c.channel, { passcode: PASSCODE, timeoutMs: 30_000 })));
      assert.equal(new Set(sessions.map((s) => s.peerSessionId)).size, 100, 'edge session ids are distinct across instances');
      await Promise.all(sessions.map((s, i) => lib.closeSession(clients[i]!.exchanges, s)));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('Redis unreachable: 503s; Redis back: recovery, and no record lost', async () => {
    const realm = (await a.edge.realm('home'))!;
    await realm.sessions.saveResumptionRecord({ fabricIndex: 1, peerNodeId: 77n, resumptionId: new Uint8Array(16).fill(7),
      sharedSecret: new Uint8Array(32).fill(8), caseAuthenticatedTags: [], peerSessionParameters: lib.resolveSessionParameters() });
    const c = await client(a.url);
    try {
      const session = await lib.establishPase(c.exchanges, c.channel, { passcode: PASSCODE });
      const read = () => c.sessions.encode(session, { exchangeId: 77, protocolId: lib.ProtocolId.interactionModel,
        opcode: lib.InteractionOpcode.readRequest, initiator: true, needsAck: false },
      lib.encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }] }));
      redis.pause();
      const during = await post(b.url, read());
      assert.equal(during.status, 503);
      assert.equal((await during.json() as { error: string }).error, 'store-unavailable');
      redis.resume();
      let after = await post(b.url, read());
      for (let i = 0; i < 20 && after.status === 503; i++) {
        await new Promise((r) => setTimeout(r, 250));
        after = await post(b.url, read());
      }
      assert.equal(after.status, 200, 'recovered once Redis answered again');
      const stored = await stores[1]!.get('realm/home/resumption/001/000000000000004d');
      assert.ok(stored, 'the record saved before the outage is still there');
      await lib.closeSession(c.exchanges, session);
    } finally {
      redis.resume();
      await c.close();
    }
  });
});
