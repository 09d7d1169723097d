// Commissioning an edge realm through a two-instance Redis fleet behind round-robin HTTP (Matter Core spec §11.10.7.2
// ArmFailSafe, §11.18 AddNOC, §11.10.7.6 CommissioningComplete): the fail-safe context lives in Redis, sealed, so
// every commissioning step may reach either instance; an expiry is rolled back once, fleet-wide; a second
// commissioner is told BusyWithOtherAdmin by the other instance.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { EdgeFleet } from '../src/edge/index.js';
import { decodeSharedFailSafe } from '../src/device/shared-fail-safe.js';
import { RedisStore, ValueSealer } from '../src/redis.js';
import { contains, Router, unsecuredOpcode, VIRTUAL, type Target } from './support/fleet-router.js';
import { redisCommand, startRedisServer, type RedisServer } from './support/redis-server.js';

await lib.ready();
const FLEET_KEY = crypto.getRandomValues(new Uint8Array(16));
const PASSCODE = 20202021;
const MESSAGES = '/realms/home/messages';
const SIGMA1 = 0x30;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('commissioning an edge realm through a two-instance Redis fleet, every message alternating', { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let dataDir: string;
  let keyPrefix: string;
  let raw: RedisStore;
  let router: Router;
  const stores: RedisStore[] = [];
  const servers: lib.NodeEdgeServer[] = [];
  const controllers: lib.MatterController[] = [];
  const inst = {} as Record<Target, { server: lib.NodeEdgeServer; light: lib.DefaultLightApp; store: RedisStore; opened: string[] }>;
  const address = { transport: 'http' as const, host: `${VIRTUAL}${MESSAGES}`, port: 0 };
  const FAIL_SAFE_KEY = 'realm/home/device/fail-safe';

  const start = async (name: Target) => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix, timeoutMs: 2000 });
    stores.push(store);
    const light = lib.defaultLightApp();
    const fleet = new EdgeFleet(store, { instanceId: name, fleetKey: FLEET_KEY });
    const server = await lib.startNodeEdgeServer({
      realms: { home: { passcode: PASSCODE, node: light.node, handshakeStepTimeoutMs: 3000 } }, port: 0, dataDir: join(dataDir, name), fleet,
    });
    servers.push(server);
    const opened: string[] = [];
    (await server.edge.realm('home'))!.sessions.events.on('sessionOpened', (s) => opened.push(s.kind));
    inst[name] = { server, light, store, opened };
  };
  const nodeOf = async (name: Target) => (await inst[name].server.edge.realm('home'))!.node!;
  const realmOf = async (name: Target) => (await inst[name].server.edge.realm('home'))!;
  const controller = async (storage: lib.KeyValueStore = new lib.MemoryStore()) => {
    const made = await lib.MatterController.open({ storage, transport: lib.edgeControllerTransport({ fetch: router.fetch }) });
    controllers.push(made);
    return made;
  };
  /** Waits until `check()` holds (or the time is up) and returns its last value. */
  const until = async (check: () => boolean | Promise<boolean>, ms: number) => {
    const deadline = Date.now() + ms;
    while (!(await check()) && Date.now() < deadline) await sleep(50);
    return check();
  };

  before(async () => {
    redis = await startRedisServer();
    dataDir = await mkdtemp(join(tmpdir(), 'edge-fleet-commissioning-'));
    keyPrefix = `edge-fleet-comm-${Date.now()}:`;
    raw = await RedisStore.connect({ url: redis.url });
    await start('a');
    await start('b');
    router = new Router({ a: inst.a.server.url, b: inst.b.server.url });
  });

  beforeEach(() => {
    router.beforeSend = undefined;
    router.alternate('a');
  });

  after(async () => {
    for (const c of controllers) await c.close().catch(() => {});
    for (const server of servers) await server.close().catch(() => {});
    for (const store of stores) await store.close();
    await raw?.close();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a controller commissions with every message alternating A/B; the stored context is sealed; Toggle and reads work on both', async () => {
    const c = await controller();
    let inspected = false;
    router.beforeSend = async (sent) => {
      // At the first Sigma1 (after AddNOC) the context holds the CSR's private key, the root and the pending fabric.
      if (inspected || unsecuredOpcode(sent.body) !== SIGMA1) return;
      inspected = true;
      const sealed = (await raw.get(keyPrefix + FAIL_SAFE_KEY))!;
      assert.ok(sealed, 'the fail-safe context is in Redis');
      const shared = decodeSharedFailSafe(new ValueSealer(FLEET_KEY).open(FAIL_SAFE_KEY, sealed));
      assert.ok(shared.context.csr && shared.context.rootCertificate && shared.context.addedFabricIndex !== undefined);
      assert.equal(contains(sealed, shared.context.csr.keyPair.privateKey), false, 'no operational private key in clear');
      assert.equal(contains(sealed, shared.context.csr.keyPair.publicKey), false, 'nor its public key');
      assert.equal(contains(sealed, shared.context.rootCertificate), false, 'nor the root certificate');
      assert.equal(contains(sealed, new TextEncoder().encode(shared.context.sessionKey)), false, 'nor the session');
      const ttl = Number((await redisCommand(redis.port, ['PTTL', keyPrefix + FAIL_SAFE_KEY])).slice(1));
      const remaining = shared.expiresAt - Date.now();
      assert.ok(ttl > remaining && ttl <= remaining + 61_000, `expires with the fail-safe (plus the grace): ${ttl} ms, ${remaining} ms left`);
      // The pending fabric sits in the store as pending until CommissioningComplete.
      const record = JSON.parse(new TextDecoder().decode(new ValueSealer(FLEET_KEY).open(
        `realm/home/device/fabrics/${String(shared.context.addedFabricIndex).padStart(3, '0')}`,
        (await raw.get(`${keyPrefix}realm/home/device/fabrics/${String(shared.context.addedFabricIndex).padStart(3, '0')}`))!)));
      assert.equal(record.pending, true);
    };
    const since = router.log.length;
    const result = await c.commission({ address, passcode: PASSCODE, nodeId: 1n });
    router.beforeSend = undefined;
    assert.equal(inspected, true);
    const sent = router.log.slice(since);
    assert.ok(sent.length >= 12, `a whole commissioning: ${sent.length} messages`);
    assert.ok(sent.every((s, i) => s.to === (i % 2 === 0 ? 'a' : 'b')), 'each message went to the other instance than the one before');
    const [nodeA, nodeB] = [await nodeOf('a'), await nodeOf('b')];
    // CommissioningComplete committed on one instance; the other learns it through the generation within a second.
    const committed = (node: lib.MatterDeviceNode) => node.fabrics.size === 1 && node.fabrics.records()[0]!.pending === false;
    assert.equal(await until(() => committed(nodeA) && committed(nodeB), 2000), true, 'the committed fabric on both');
    assert.equal(result.nodeId, 1n);
    assert.equal(nodeA.fabrics.descriptor(nodeA.fabrics.records()[0]!.fabricIndex)!.fabricId, result.fabricId, 'the controller\'s fabric');
    assert.equal(await raw.get(keyPrefix + FAIL_SAFE_KEY), undefined, 'the shared context is gone');
    assert.equal(await until(() => !nodeA.failSafe.armed && !nodeB.failSafe.armed, 2000), true, 'disarmed on both');
    // The commissioning PASE session ended fleet-wide (spec §11.10.7.6): no PASE session left on either instance.
    const paseSessions = async () => [(await realmOf('a')).sessions.getActiveSessionInformation().filter((s) => s.kind === 'pase').length,
      (await realmOf('b')).sessions.getActiveSessionInformation().filter((s) => s.kind === 'pase').length];
    assert.equal(await until(async () => (await paseSessions()).join() === '0,0', 2000), true, `no PASE session left: ${await paseSessions()}`);
    // ...and in the fleet's store: the sessions stored there are the CASE sessions the instances hold, no other.
    const storedIds = (await raw.list(keyPrefix)).map((k) => /\/home\/session\/(\d+)$/.exec(k)?.[1]).filter((id) => id !== undefined).map(Number);
    const caseIds = new Set<number>();
    for (const name of ['a', 'b'] as const) {
      for (const info of (await realmOf(name)).sessions.getActiveSessionInformation()) if (info.kind === 'case') caseIds.add(info.sessionId);
    }
    assert.ok(storedIds.length >= 1, 'the CASE session is stored');
    assert.deepEqual(storedIds.sort(), [...caseIds].sort(), 'the PASE session is gone from the store');

    // Operating the light over CASE, alternating: each instance toggles its own light, reads answer on both.
    const on = { a: inst.a.light.light.on, b: inst.b.light.light.on };
    const operating = router.log.length;
    await c.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() });
    await c.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() });
    const values = [await c.read(1n, { endpoint: 1, cluster: 0x0006, attribute: 0 }), await c.read(1n, { endpoint: 1, cluster: 0x0006, attribute: 0 })];
    const targets = new Set(router.log.slice(operating).map((s) => s.to));
    assert.deepEqual([...targets].sort(), ['a', 'b'], 'the operation messages reached both instances');
    assert.equal(inst.a.light.light.on !== on.a || inst.b.light.light.on !== on.b, true, 'a Toggle switched a light');
    assert.equal(inst.a.light.light.on !== on.a && inst.b.light.light.on !== on.b, true, 'each instance served one Toggle');
    assert.equal(values.length, 2);
  });

  it('armed through A, AddNOC through B, then left to expire: rolled back once, the fabric gone on both instances', async () => {
    const c = await controller();
    const [nodeA, nodeB] = [await nodeOf('a'), await nodeOf('b')];
    const fabricsBefore = nodeA.fabrics.size;
    // Count the ends of the shared context: exactly one must win.
    const ends: boolean[] = [];
    for (const store of [inst.a.store, inst.b.store]) {
      const cas = store.compareAndSet.bind(store);
      store.compareAndSet = async (key, expected, value, ttlMs) => {
        const done = await cas(key, expected, value, ttlMs);
        if (key === FAIL_SAFE_KEY && value === undefined) ends.push(done);
        return done;
      };
    }
    router.mode = 'a';
    let droppedFrom = -1;
    router.beforeSend = (sent) => {
      // Everything through A until A armed the fail-safe, then through B (CSR, root, AddNOC); from the commissioner's
      // Sigma1 on, nothing arrives: the fail-safe runs out.
      if (router.mode === 'a' && nodeA.failSafe.armed) router.mode = 'b';
      if (droppedFrom < 0 && unsecuredOpcode(sent.body) === SIGMA1) droppedFrom = router.log.length - 1;
      return droppedFrom >= 0 ? 'drop' : undefined;
    };
    await assert.rejects(c.commission({ address, passcode: PASSCODE, nodeId: 2n, failSafeSeconds: 4, caseRetryMs: 1 }), /case/i);
    assert.ok(droppedFrom > 0);
    // AddNOC ran on B: the pending fabric is there, and in the store; A learns it at the latest within a second.
    assert.equal(nodeB.fabrics.size, fabricsBefore + 1, 'B added the pending fabric');
    const pending = nodeB.fabrics.records().find((r) => r.pending)!;
    assert.ok(pending, 'pending until CommissioningComplete');
    assert.equal(await until(() => nodeA.fabrics.record(pending.fabricIndex) !== undefined, 2000), true, 'A took the pending fabric up');
    assert.equal(nodeA.failSafe.armed && nodeB.failSafe.armed, true, 'armed on both');
    // The expiry: gone everywhere, rolled back once.
    assert.equal(await until(() => nodeA.fabrics.size === fabricsBefore && nodeB.fabrics.size === fabricsBefore, 8000), true,
      `the fabric is gone on both: A ${nodeA.fabrics.size}, B ${nodeB.fabrics.size}`);
    await sleep(300);
    assert.deepEqual(ends.filter(Boolean), [true], `exactly one instance ended the context (${JSON.stringify(ends)})`);
    assert.equal(await raw.get(keyPrefix + FAIL_SAFE_KEY), undefined);
    const pendingKeys = [];
    for (const key of await raw.list(`${keyPrefix}realm/home/device/fabrics/`)) {
      const name = key.slice(keyPrefix.length);
      const record = JSON.parse(new TextDecoder().decode(new ValueSealer(FLEET_KEY).open(name, (await raw.get(key))!)));
      if (record.pending) pendingKeys.push(name);
    }
    assert.deepEqual(pendingKeys, [], 'no pending fabric record left in the store');
    assert.equal(nodeA.failSafe.armed || nodeB.failSafe.armed, false);
    assert.deepEqual(nodeA.fabrics.acl(), nodeB.fabrics.acl(), 'the ACL back as it was, on both');
    assert.equal(nodeA.fabrics.acl().length, fabricsBefore);
  });

  it('a second commissioner during an armed fail-safe gets BusyWithOtherAdmin from the other instance', async () => {
    const first = await controller();
    const nodeA = await nodeOf('a');
    router.mode = 'a';
    router.beforeSend = () => (nodeA.failSafe.armed ? 'drop' : undefined);
    await assert.rejects(first.commission({ address, passcode: PASSCODE, nodeId: 3n, failSafeSeconds: 4 }));
    assert.equal(nodeA.failSafe.armed, true, 'armed through A, the commissioner gone silent');
    const stored = await raw.get(keyPrefix + FAIL_SAFE_KEY);
    router.beforeSend = undefined;
    const second = await controller();
    router.mode = 'b';
    const nodeB = await nodeOf('b');
    await assert.rejects(second.commission({ address, passcode: PASSCODE, nodeId: 4n }),
      (error: Error) => error.name === 'CommissioningError' && /busyWithOtherAdmin/i.test(error.message));
    assert.equal(nodeB.failSafe.armed, true, 'B knows the fail-safe A armed');
    assert.deepEqual(await raw.get(keyPrefix + FAIL_SAFE_KEY), stored, 'the first commissioner\'s context untouched');
    // Once that fail-safe has run out, the second commissioner gets through, alternating.
    assert.equal(await until(() => !nodeA.failSafe.armed && !nodeB.failSafe.armed, 8000), true, 'the first fail-safe expired');
    router.alternate('b');
    const fabrics = nodeA.fabrics.size;
    await second.commission({ address, passcode: PASSCODE, nodeId: 4n });
    assert.equal(nodeA.fabrics.size, fabrics + 1);
    assert.equal(await until(() => nodeB.fabrics.size === fabrics + 1, 2000), true);
    await second.invoke(4n, { endpoint: 1, ...lib.onOff.toggle() });
  });

  it('ArmFailSafe(0) after a failed CASE step, alternating: rolled back at once on both; a fresh arm sweeps an orphaned pending record', async () => {
    const [nodeA, nodeB] = [await nodeOf('a'), await nodeOf('b')];
    const fabricsBefore = nodeA.fabrics.size;
    // An orphan: a pending fabric record left by an instance that crashed under its fail-safe (its context expired).
    const committedKey = (await raw.list(`${keyPrefix}realm/home/device/fabrics/`))[0]!;
    const sealer = new ValueSealer(FLEET_KEY);
    const record = JSON.parse(new TextDecoder().decode(sealer.open(committedKey.slice(keyPrefix.length), (await raw.get(committedKey))!)));
    const orphanName = 'realm/home/device/fabrics/200';
    await raw.set(keyPrefix + orphanName, sealer.seal(orphanName, new TextEncoder().encode(JSON.stringify({ ...record, fabricIndex: 200, pending: true }))));

    const c = await controller();
    router.beforeSend = (sent) => (unsecuredOpcode(sent.body) === SIGMA1 ? 'drop' : undefined);
    const started = Date.now();
    await assert.rejects(c.commission({ address, passcode: PASSCODE, nodeId: 5n, caseRetryMs: 1 }), /case/i);
    assert.equal(await raw.get(keyPrefix + orphanName), undefined, 'the orphaned pending record went at the fresh ArmFailSafe');
    // The controller's ArmFailSafe(0) (spec §11.10.7.2) ends the 60 s fail-safe now: gone on both within the sync.
    assert.equal(await until(() => nodeA.fabrics.size === fabricsBefore && nodeB.fabrics.size === fabricsBefore
      && !nodeA.failSafe.armed && !nodeB.failSafe.armed, 3000), true, `rolled back on both: A ${nodeA.fabrics.size}, B ${nodeB.fabrics.size}`);
    assert.ok(Date.now() - started < 10_000, 'without waiting for the expiry');
    assert.equal(await raw.get(keyPrefix + FAIL_SAFE_KEY), undefined);
  });

  it('the instance that armed and added the NOC crashes: B took the context up and rolls it back at expiry', async () => {
    const [nodeA, nodeB] = [await nodeOf('a'), await nodeOf('b')];
    const fabricsBefore = nodeB.fabrics.size;
    const c = await controller();
    router.mode = 'a';
    router.beforeSend = (sent) => (unsecuredOpcode(sent.body) === SIGMA1 ? 'drop' : undefined);
    let crashed = false;
    const drop = router.beforeSend;
    router.beforeSend = async (sent) => {
      // Everything on A; once AddNOC is done there, A goes away without a word (its timers with it).
      if (!crashed && nodeA.fabrics.records().some((r) => r.pending)) {
        crashed = true;
        await inst.a.server.close();
        return 'drop';
      }
      return crashed ? 'drop' : drop(sent);
    };
    await assert.rejects(c.commission({ address, passcode: PASSCODE, nodeId: 6n, failSafeSeconds: 4, caseRetryMs: 1 }));
    assert.equal(crashed, true);
    // B learns of the pending fabric through the generation (within a second) and holds the fail-safe's timer.
    assert.equal(await until(() => nodeB.fabrics.size === fabricsBefore + 1 && nodeB.failSafe.armed, 2000), true, 'B took the context up');
    assert.equal(await until(() => nodeB.fabrics.size === fabricsBefore && !nodeB.failSafe.armed, 8000), true, 'B rolled it back at expiry');
    const pending = [];
    for (const key of await raw.list(`${keyPrefix}realm/home/device/fabrics/`)) {
      if (JSON.parse(new TextDecoder().decode(new ValueSealer(FLEET_KEY).open(key.slice(keyPrefix.length), (await raw.get(key))!))).pending) pending.push(key);
    }
    assert.deepEqual(pending, [], 'no pending fabric left in the store');
    assert.equal(await raw.get(keyPrefix + FAIL_SAFE_KEY), undefined);
  });
});
