// Two edge instances sharing a real redis-server: session ids claimed across instances, a session established on one
// used through the other, a replay to the other instance refused, 100 concurrent handshakes, and Redis going away
// mid-run (503s) and coming back (recovery, no record lost).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { EdgeFleet, FleetBlockCounter } from '../src/edge/index.js';
import { RedisStore } from '../src/redis.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SealedValueError, ValueSealer } from '../src/storage/encrypted-store.js';
import { redisCommand, startRedisServer, type RedisServer } from './support/redis-server.js';

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

describe('what a fleet leaves in Redis', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let raw: RedisStore;
  let store: RedisStore;
  let fleet: EdgeFleet;
  let sessions: lib.SessionManager;
  // Renewed every LEASE / 3: a renewal may run up to two thirds of a lease late on a loaded machine.
  const LEASE = 3000;
  const sharedSecret = crypto.getRandomValues(new Uint8Array(32));
  const resumptionSecret = crypto.getRandomValues(new Uint8Array(32));
  const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const ttlOf = async (key: string) => Number((await redisCommand(redis.port, ['PTTL', key])).slice(1));

  before(async () => {
    redis = await startRedisServer();
    raw = await RedisStore.connect({ url: redis.url });
    store = await RedisStore.connect({ url: redis.url, keyPrefix: 'left:' });
    fleet = new EdgeFleet(store, { instanceId: 'solo', fleetKey: FLEET_KEY, leaseMs: LEASE });
    sessions = await lib.SessionManager.create({ storage: fleet.realmStore('home'), limits: { maxPaseSessions: 10 },
      fabrics: { initial: [{ fabricIndex: 1, fabricId: 1n, nodeId: 5n, compressedFabricId: new Uint8Array(8) }] },
      ...fleet.sessionOptions('home') });
    fleet.attach('home', sessions);
  });

  after(async () => {
    await sessions.close();
    fleet.close();
    await store.close();
    await raw.close();
    await redis?.stop();
  });

  it('session secrets and resumption records are sealed: no key material appears in clear in any key', async () => {
    const id = await sessions.reserveSessionId();
    await sessions.createSecureSession({ sessionId: id, peerSessionId: 9, sharedSecret, salt: new Uint8Array(0),
      isInitiator: false, isResumption: false, peerNodeId: 0n });
    await sessions.saveResumptionRecord({ fabricIndex: 1, peerNodeId: 77n, resumptionId: new Uint8Array(16).fill(3),
      sharedSecret: resumptionSecret, caseAuthenticatedTags: [], peerSessionParameters: lib.resolveSessionParameters() });
    const keys = await raw.list('');
    assert.ok(keys.some((k) => k.includes('/session/')) && keys.some((k) => k.includes('/resumption/')), keys.join(' '));
    for (const key of keys) {
      const value = Buffer.from((await raw.get(key))!);
      for (const secret of [sharedSecret, resumptionSecret]) {
        for (const form of [Buffer.from(secret), Buffer.from(hexOf(secret)), Buffer.from(Buffer.from(secret).toString('base64'))]) {
          assert.equal(value.includes(form), false, `${key} holds a secret in clear`);
        }
        // Any 8 consecutive bytes of the secret would do as well.
        for (let at = 0; at + 8 <= secret.length; at += 4) assert.equal(value.includes(Buffer.from(secret.subarray(at, at + 8))), false);
      }
    }
    // Another instance with the fleet key restores the session; the sealed value opens under its own name only.
    const other = await lib.SessionManager.create({ storage: fleet.realmStore('home'), ...fleet.sessionOptions('home') });
    try {
      assert.ok(await other.restoreSession(id), 'restored from the sealed state');
    } finally {
      await other.close();
    }
    // An instance configured with another fleet key cannot use it, and says why.
    const misconfigured = new EdgeFleet(store, { instanceId: 'wrong', fleetKey: new Uint8Array(16).fill(1) });
    const stranger = await lib.SessionManager.create({ ...misconfigured.sessionOptions('home') });
    try {
      await assert.rejects(stranger.restoreSession(id), { name: 'UnknownSessionError', message: /does not open with this instance's fleet key/ });
    } finally {
      await stranger.close();
      misconfigured.close();
    }
  });

  it('sealed values: bound to their key name, to the key, unaltered; a fresh nonce per write', () => {
    const sealer = new ValueSealer(FLEET_KEY);
    const value = new TextEncoder().encode('secret state');
    const a = sealer.seal('fleet/x/home/session/1', value), b = sealer.seal('fleet/x/home/session/1', value);
    assert.notDeepEqual(a.subarray(1, 14), b.subarray(1, 14), 'two writes, two nonces');
    assert.deepEqual(sealer.open('fleet/x/home/session/1', a), value);
    assert.throws(() => sealer.open('fleet/x/home/session/2', a), SealedValueError, 'moved to another session id');
    const altered = a.slice();
    altered[20]! ^= 1;
    assert.throws(() => sealer.open('fleet/x/home/session/1', altered), SealedValueError);
    assert.throws(() => new ValueSealer(new Uint8Array(16).fill(1)).open('fleet/x/home/session/1', a), SealedValueError);
    assert.throws(() => new ValueSealer(new Uint8Array(15)), /fleetKey: expected 16 bytes/);
    assert.throws(() => new EdgeFleet(store, {} as never), /fleetKey: expected 16 bytes/);
    sealer.dispose();
  });

  it('every fleet key expires (the lease) or is removed when its session closes; counters start at random values', async () => {
    const id = await sessions.reserveSessionId();
    await sessions.createSecureSession({ sessionId: id, peerSessionId: 10, sharedSecret, salt: new Uint8Array(0),
      isInitiator: false, isResumption: false, peerNodeId: 0n });
    const keys = await raw.list('left:');
    const ofSession = keys.filter((k) => k.endsWith(`/${id}`));
    assert.equal(ofSession.length, 4, `claim, session, window, counter: ${ofSession.join(' ')}`);
    assert.ok(keys.some((k) => k.startsWith('left:realm/home/resumption/')), 'a resumption record is there');
    for (const key of keys) {
      const ttl = await ttlOf(key);
      assert.ok(ttl > 0, `${key} has no expiry (${ttl})`);
      // Records and their id index (resumption-id/) expire together.
      const limit = key.startsWith('left:realm/home/resumption') ? 30 * 86_400_000
        : key.startsWith('left:fleet/epoch') || key.startsWith('left:fleet/generation') ? 86_400_000 : LEASE;
      assert.ok(ttl <= limit, `${key}: ${ttl} ms`);
    }
    const counters = await Promise.all(keys.filter((k) => k.includes('/counter/')).map(async (k) => Number(new TextDecoder().decode(await raw.get(k)))));
    assert.equal(counters.length, 2);
    assert.ok(counters.every((c) => c > 0 && c < 2 ** 28) && counters[0] !== counters[1], `random starts: ${counters}`);
    // Renewed while the instance lives: after two leases the keys are still there.
    await new Promise((r) => setTimeout(r, 2 * LEASE));
    for (const key of ofSession) assert.ok(await raw.get(key), `${key} renewed by the lease`);
    sessions.removeSession(id);
    for (let i = 0; i < 50 && (await raw.list('left:')).some((k) => k.endsWith(`/${id}`)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual((await raw.list('left:')).filter((k) => k.endsWith(`/${id}`)), [], 'removed on close');
  });

  it('a killed instance\'s claims and sessions lapse after the lease; while it lived they were renewed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./support/fleet-instance.ts', import.meta.url).pathname,
      redis.url, 'left:', String(LEASE)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`fleet instance exited with ${code}`)));
      });
      const { ids } = JSON.parse(line) as { ids: number[] };
      const claims = async () => (await raw.list('left:session-id/')).filter((k) => ids.some((id) => k.endsWith(`/${id}`)));
      const sessionKeys = async () => (await raw.list('left:fleet/')).filter((k) => k.endsWith(`/${ids[0]}`));
      assert.equal((await claims()).length, 3);
      assert.equal((await sessionKeys()).length, 3, 'session, window, counter');
      await new Promise((r) => setTimeout(r, 2 * LEASE));
      assert.equal((await claims()).length, 3, 'renewed while alive');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, LEASE + 500));
      assert.deepEqual(await claims(), [], 'the dead instance\'s claims lapsed');
      assert.deepEqual(await sessionKeys(), [], 'its idle session lapsed too');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('a fleet session whose window or counter key is missing', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let store: RedisStore;
  let raw: RedisStore;
  let server: lib.NodeEdgeServer;
  let fleet: EdgeFleet;
  let dataDir: string;

  before(async () => {
    redis = await startRedisServer();
    dataDir = await mkdtemp(join(tmpdir(), 'fleet-missing-'));
    raw = await RedisStore.connect({ url: redis.url });
    store = await RedisStore.connect({ url: redis.url, keyPrefix: 'm:' });
    fleet = new EdgeFleet(store, { fleetKey: FLEET_KEY });
    server = await lib.startNodeEdgeServer({ realms: { home: { passcode: PASSCODE } }, port: 0, dataDir, fleet });
  });

  after(async () => {
    await server.close();
    fleet.close();
    await store.close();
    await raw.close();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const part of ['window', 'counter'] as const) {
    it(`${part} key deleted: the session is unknown (404), never started over`, async () => {
      const c = await client(server.url);
      try {
        const session = await lib.establishPase(c.exchanges, c.channel, { passcode: PASSCODE });
        const read = () => c.sessions.encode(session, { exchangeId: 9, protocolId: lib.ProtocolId.interactionModel,
          opcode: lib.InteractionOpcode.readRequest, initiator: true, needsAck: false },
        lib.encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }] }));
        const first = read();
        assert.equal((await post(server.url, first)).status, 200);
        const key = (await raw.list('m:fleet/')).find((k) => k.endsWith(`/${part}/${session.peerSessionId}`));
        assert.ok(key, `the ${part} key exists`);
        assert.equal(await raw.delete(key), true);
        const replay = await post(server.url, first);
        assert.ok(replay.status === 404 || replay.status === 409, `a replay after the loss is not accepted: ${replay.status}`);
        assert.equal((await post(server.url, read())).status, 404, 'nor a new message: the session is gone');
        assert.equal((await server.edge.realm('home'))!.sessions.getSession(session.peerSessionId), undefined, 'closed locally');
      } finally {
        await c.close();
      }
    });
  }
});

describe('FleetBlockCounter: counters held per message in progress', () => {
  it('eight messages accepted at once on one session can each reply (and ack) without running the block dry', async () => {
    let base = 1000;
    const sizes: number[] = [];
    const counter = new FleetBlockCounter(async (size) => {
      sizes.push(size);
      await new Promise((r) => setTimeout(r, 5)); // a Redis round trip
      const block = { start: base, end: base + Math.max(4, size) };
      base = block.end;
      return block;
    });
    // Each accepted message holds its counters before any of them replies, as parallel HTTP requests do.
    const releases = await Promise.all(Array.from({ length: 8 }, () => counter.hold()));
    const sent = Array.from({ length: 16 }, () => counter.next());
    assert.equal(new Set(sent).size, 16, 'distinct counters');
    assert.ok(sent.every((c, i) => i === 0 || c > sent[i - 1]!), 'rising');
    for (const release of releases) release();
    // Released: one message alone needs no new block beyond what is left.
    const reservations = sizes.length;
    await counter.hold();
    assert.ok(counter.next() > sent[15]!);
    assert.ok(sizes.length - reservations <= 1);
    assert.ok(Math.max(...sizes) <= 18, `a block never exceeds the held cap: ${sizes}`);
  });

  it('a failed reservation releases the hold and rejects', async () => {
    const counter = new FleetBlockCounter(async () => { throw new Error('store down'); });
    await assert.rejects(counter.hold(), /store down/);
    assert.throws(() => counter.next(), /no reserved counter left/);
  });
});
