// CASE handshakes across a two-instance Redis fleet (Matter Core spec §4.14.2): behind round-robin HTTP, Sigma1 and
// Sigma3 reach different instances and the handshake still completes (the state between them parked in Redis,
// sealed, expiring, taken once); a resumption lands on the other instance; a fabric commissioned or removed through
// one instance is known to the other, running one within a bounded time.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';
import { EdgeFleet } from '../src/edge/index.js';
import { establishPase } from '../src/protocol/index.js';
import { RedisStore, StoreUnavailableError, ValueSealer } from '../src/redis.js';
import { contains, Router, unsecuredOpcode, VIRTUAL, type Target } from './support/fleet-router.js';
import { redisCommand, startRedisServer, type RedisServer } from './support/redis-server.js';
import { resultBytes } from '../src/core/result-pool.js';

await lib.ready();
const FLEET_KEY = crypto.getRandomValues(new Uint8Array(16));
const STEP_TIMEOUT_MS = 3000;
const PASSCODE = 20202021;
/** The address the controllers use; the router sends each request to one instance. */
const MESSAGES = '/realms/home/messages';
const OCTETS = { 'content-type': 'application/octet-stream' };
const Op = { pbkdfParamRequest: 0x20, pbkdfParamResponse: 0x21, pake1: 0x22, pake2: 0x23, pake3: 0x24, sigma1: 0x30, sigma2: 0x31, sigma3: 0x32, sigma2Resume: 0x33, statusReport: 0x40 } as const;

describe('CASE handshakes in a two-instance Redis fleet behind round-robin HTTP', { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let dataDir: string;
  let keyPrefix: string;
  let raw: RedisStore;
  const stores: RedisStore[] = [];
  const servers: lib.NodeEdgeServer[] = [];
  const controllers: lib.MatterController[] = [];
  const inst = {} as Record<Target, { server: lib.NodeEdgeServer; fleet: EdgeFleet; light: lib.DefaultLightApp; opened: string[] }>;
  let router: Router;
  const storage = new lib.MemoryStore();
  const address = { transport: 'http' as const, host: `${VIRTUAL}${MESSAGES}`, port: 0 };

  const start = async (name: Target) => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix, timeoutMs: 2000 });
    stores.push(store);
    const light = lib.defaultLightApp();
    const fleet = new EdgeFleet(store, { instanceId: name, fleetKey: FLEET_KEY });
    const server = await lib.startNodeEdgeServer({
      realms: { home: { passcode: PASSCODE, node: light.node, handshakeStepTimeoutMs: STEP_TIMEOUT_MS } },
      port: 0, dataDir: join(dataDir, name), fleet,
    });
    servers.push(server);
    const opened: string[] = [];
    // The realm exists (and checks the fabric table every second) from now on, as a running instance's would.
    (await server.edge.realm('home'))!.sessions.events.on('sessionOpened', (s) => opened.push(`${s.kind}${s.isResumption ? '/resumed' : ''}`));
    inst[name] = { server, fleet, light, opened };
  };

  const controller = async (store: lib.KeyValueStore = storage) => {
    const made = await lib.MatterController.open({ storage: store, transport: lib.edgeControllerTransport({ fetch: router.fetch }) });
    controllers.push(made);
    return made;
  };

  const realmOf = async (name: Target) => (await inst[name].server.edge.realm('home'))!;

  before(async () => {
    redis = await startRedisServer();
    dataDir = await mkdtemp(join(tmpdir(), 'edge-fleet-handshakes-'));
    keyPrefix = `edge-fleet-hs-${Date.now()}:`;
    raw = await RedisStore.connect({ url: redis.url });
    await start('a');
    await start('b');
    router = new Router({ a: inst.a.server.url, b: inst.b.server.url });
    // Commissioning goes through A only: its fail-safe (and the PASE handshake) live in A's memory.
    router.mode = 'a';
    const first = await controller();
    await first.commission({ address, passcode: PASSCODE, nodeId: 9n });
    await first.close();
  });

  after(async () => {
    for (const c of controllers) await c.close().catch(() => {});
    for (const server of servers) await server.close();
    for (const store of stores) await store.close();
    await raw?.close();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a full CASE handshake: Sigma1 to A, Sigma3 to B, the session made on B; invokes and reads alternate; a replayed Sigma3 is refused', async () => {
    const c = await controller();
    // No record: a full handshake, not a resumption.
    assert.equal(await c.sessions.removeResumptionRecord(c.fabric.fabricIndex, 9n), true);
    const since = router.log.length;
    const parked = { a: inst.a.fleet.handshakesParked, b: inst.b.fleet.handshakesParked };
    const taken = { a: inst.a.fleet.handshakesTaken, b: inst.b.fleet.handshakesTaken };
    inst.a.opened.length = inst.b.opened.length = 0;
    router.alternate('a');
    const connection = await c.connect(9n, { address });
    assert.equal(connection.resumed, false);
    assert.deepEqual(router.handshake(since), [[Op.sigma1, 'a'], [Op.sigma3, 'b']]);
    assert.equal(unsecuredOpcode(router.log[since]!.reply!), Op.sigma2, 'A answered Sigma2');
    assert.equal(unsecuredOpcode(router.log[since + 1]!.reply!), Op.statusReport, 'B answered the success report');
    assert.equal(inst.a.fleet.handshakesParked - parked.a, 1, 'A parked the handshake');
    assert.equal(inst.b.fleet.handshakesTaken - taken.b, 1, 'B took it up');
    assert.equal(inst.b.fleet.handshakesParked - parked.b + inst.a.fleet.handshakesTaken - taken.a, 0);
    assert.deepEqual(inst.b.opened, ['case'], 'the session was made on B');
    assert.deepEqual(inst.a.opened, [], 'and not on A');

    // Every message after the handshake alternates too: A restores the session B made.
    const before = { a: inst.a.light.light.on, b: inst.b.light.light.on };
    const afterHandshake = router.log.length;
    await c.invoke(9n, { endpoint: 1, ...lib.onOff.toggle() });
    await c.invoke(9n, { endpoint: 1, ...lib.onOff.toggle() });
    const vendor = await c.read(9n, { endpoint: 0, cluster: 0x28, attribute: 2 });
    const again = await c.read(9n, { endpoint: 0, cluster: 0x28, attribute: 2 });
    assert.deepEqual(router.log.slice(afterHandshake).map((s) => s.to), ['a', 'b', 'a', 'b']);
    assert.equal(inst.a.light.light.on, !before.a, 'A toggled its light');
    assert.equal(inst.b.light.light.on, !before.b, 'B toggled its light');
    assert.deepEqual(vendor, again);

    // The Sigma3 B used, replayed to A: the parked state was taken once, so A has nothing to finish.
    const sigma3 = router.log[since + 1]!.body;
    const sessionsA = (await realmOf('a')).openSessions;
    const replay = await fetch(`${inst.a.server.url}${MESSAGES}`, { method: 'POST', headers: OCTETS, body: sigma3.slice() });
    assert.equal(replay.status, 200);
    const refusal = new Uint8Array(await replay.arrayBuffer());
    assert.equal(unsecuredOpcode(refusal), Op.statusReport, 'A refuses with a failure report');
    assert.equal((await realmOf('a')).openSessions, sessionsA, 'no session made on A');
    assert.equal(inst.a.fleet.handshakesTaken, taken.a, 'A found nothing to take');
    assert.deepEqual(inst.a.opened, ['case'], 'A only restored the session B made');
    // And to B, which already used it: a duplicate there.
    const toB = await fetch(`${inst.b.server.url}${MESSAGES}`, { method: 'POST', headers: OCTETS, body: sigma3.slice() });
    assert.notEqual(toB.status, 200);
    await toB.body?.cancel();
    assert.equal(inst.b.fleet.handshakesTaken - taken.b, 1);
  });

  it('a controller process-alike resumes: its Sigma1 lands on A, not B which made the session', async () => {
    const c = await controller();
    inst.a.opened.length = inst.b.opened.length = 0;
    const since = router.log.length;
    router.alternate('a');
    const connection = await c.connect(9n, { address });
    assert.equal(connection.resumed, true);
    assert.deepEqual(router.handshake(since).map(([, to]) => to)[0], 'a');
    assert.equal(unsecuredOpcode(router.log[since]!.reply!), Op.sigma2Resume, 'A resumed from the record B wrote');
    assert.deepEqual(inst.a.opened, ['case/resumed']);
    assert.deepEqual(inst.b.opened, []);
    const on = inst.b.light.light.on;
    router.plan = ['b'];
    await c.invoke(9n, { endpoint: 1, ...lib.onOff.toggle() });
    assert.equal(inst.b.light.light.on, !on, 'B serves the session A resumed');
    // The rotated record resumes again, on B this time.
    const d = await controller();
    router.plan = ['b'];
    const resumedOnB = router.log.length;
    const resumed = await d.connect(9n, { address });
    assert.equal(resumed.resumed, true);
    assert.equal(unsecuredOpcode(router.log[resumedOnB]!.reply!), Op.sigma2Resume, 'B answered Sigma2_Resume');
    // B restored the session A resumed (on the invoke), then resumed one itself.
    assert.deepEqual(inst.b.opened, ['case/resumed', 'case/resumed']);
  });

  it('reads in parallel on one session, alternating between instances, are all answered (counters held per message)', async () => {
    const c = await controller();
    router.alternate('b');
    await c.connect(9n, { address });
    const since = router.log.length;
    const values = await Promise.all(Array.from({ length: 24 }, () => c.read(9n, { endpoint: 1, cluster: 0x0006, attribute: 0 })));
    assert.equal(values.length, 24);
    const sent = router.log.slice(since);
    assert.equal(sent.length, 24);
    assert.equal(sent.filter((s) => s.to === 'a').length, 12, 'half of them on A');
    assert.ok(sent.every((s) => s.reply !== undefined), 'each request answered with its report');
  });

  it('the parked state in Redis is sealed (no handshake bytes or secrets in clear) and expires after the step timeout', async () => {
    const c = await controller();
    await c.sessions.removeResumptionRecord(c.fabric.fabricIndex, 9n);
    const since = router.log.length;
    let inspected = false;
    router.beforeSend = async (sent) => {
      if (unsecuredOpcode(sent.body) !== Op.sigma3) return undefined;
      const keys = (await raw.list(keyPrefix)).filter((k) => k.includes('/handshake/'));
      assert.equal(keys.length, 1, `one parked handshake: ${keys.join(' ')}`);
      const value = (await raw.get(keys[0]!))!;
      const sigma1 = router.log[since]!.body, sigma2 = router.log[since]!.reply!;
      // The payloads of Sigma1 and Sigma2 are in the state (with the ECDH shared secret and the IPK): sealed, none shows.
      const payload = (m: Uint8Array) => m.subarray(m.length - 60, m.length - 20);
      assert.equal(contains(value, payload(sigma1)), false, 'Sigma1 not in clear');
      assert.equal(contains(value, payload(sigma2)), false, 'Sigma2 not in clear');
      const opened = new ValueSealer(FLEET_KEY).open(keys[0]!.slice(keyPrefix.length), value);
      assert.equal(contains(opened, payload(sigma1)) && contains(opened, payload(sigma2)), true, 'it is the handshake\'s state');
      const ttl = Number((await redisCommand(redis.port, ['PTTL', keys[0]!])).slice(1));
      assert.ok(ttl > 0 && ttl <= STEP_TIMEOUT_MS, `expires within the step timeout: ${ttl} ms`);
      inspected = true;
      return 'drop';
    };
    router.alternate('a');
    try {
      await assert.rejects(c.connect(9n, { address }));
    } finally {
      router.beforeSend = undefined;
    }
    assert.equal(inspected, true);
    const deadline = Date.now() + STEP_TIMEOUT_MS + 2000;
    while ((await raw.list(keyPrefix)).some((k) => k.includes('/handshake/')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual((await raw.list(keyPrefix)).filter((k) => k.includes('/handshake/')), [], 'gone after the step timeout');
  });

  it('the store unreachable while parking (on A) or taking (on B): the handshake fails with Busy, no session anywhere', async () => {
    const c = await controller();
    await c.sessions.removeResumptionRecord(c.fabric.fabricIndex, 9n);
    const down = () => Promise.reject(new StoreUnavailableError('redis: connection lost (test)', { maybeApplied: false }));
    inst.a.opened.length = inst.b.opened.length = 0;
    const storeA = stores[0]!, storeB = stores[1]!;
    const parked = inst.a.fleet.handshakesParked;
    // Parking fails: A answers Sigma1 with Busy instead of Sigma2.
    const setWithExpiry = storeA.setWithExpiry;
    storeA.setWithExpiry = down;
    const since = router.log.length;
    router.alternate('a');
    try {
      await assert.rejects(c.connect(9n, { address }), /retry after \d+ ms/); // Busy, with its minimum wait
    } finally {
      storeA.setWithExpiry = setWithExpiry;
    }
    assert.equal(unsecuredOpcode(router.log[since]!.reply!), Op.statusReport, 'Busy, not Sigma2');
    assert.equal(inst.a.fleet.handshakesParked, parked);
    // Taking fails: B answers Sigma3 with Busy; the state stays parked until it expires, no session is made.
    const take = storeB.take;
    storeB.take = down;
    router.alternate('a');
    try {
      await assert.rejects(c.connect(9n, { address }), /retry after \d+ ms/); // Busy, with its minimum wait
    } finally {
      storeB.take = take;
    }
    assert.equal(inst.a.fleet.handshakesParked, parked + 1);
    assert.deepEqual([inst.a.opened, inst.b.opened], [[], []], 'no session on either instance');
    // The store back, the next handshake completes.
    router.alternate('a');
    assert.equal((await c.connect(9n, { address })).resumed, false);
    assert.deepEqual(inst.b.opened, ['case']);
  });

  it('over a WebSocket (one connection, one instance) the handshake is parked and taken up on that instance', async () => {
    const storage2 = await copyOf(storage);
    const c = await lib.MatterController.open({
      storage: storage2,
      transport: lib.edgeControllerTransport({ webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }),
    });
    controllers.push(c);
    await c.sessions.removeResumptionRecord(c.fabric.fabricIndex, 9n);
    const before = { parked: inst.b.fleet.handshakesParked, taken: inst.b.fleet.handshakesTaken, otherTaken: inst.a.fleet.handshakesTaken };
    inst.a.opened.length = inst.b.opened.length = 0;
    const ws = { transport: 'ws' as const, host: `${inst.b.server.url.replace('http', 'ws')}/realms/home/ws`, port: 0 };
    assert.equal((await c.connect(9n, { address: ws })).resumed, false);
    assert.equal(inst.b.fleet.handshakesParked - before.parked, 1);
    assert.equal(inst.b.fleet.handshakesTaken - before.taken, 1);
    assert.equal(inst.a.fleet.handshakesTaken, before.otherTaken);
    assert.deepEqual([inst.a.opened, inst.b.opened], [[], ['case']]);
    const on = inst.b.light.light.on;
    await c.invoke(9n, { endpoint: 1, ...lib.onOff.toggle() });
    assert.equal(inst.b.light.light.on, !on);
  });

  it('PASE alternating: PBKDFParamRequest to A, Pake1 to B, Pake3 to A; the session made on A serves B too', async () => {
    const c = await controller(new lib.MemoryStore());
    const channel = await c.transport.channelFor(address);
    const parked = { a: inst.a.fleet.handshakesParked, b: inst.b.fleet.handshakesParked };
    const taken = { a: inst.a.fleet.handshakesTaken, b: inst.b.fleet.handshakesTaken };
    inst.a.opened.length = inst.b.opened.length = 0;
    const since = router.log.length;
    router.alternate('a');
    const session = await establishPase(c.exchanges, channel, { passcode: PASSCODE, timeoutMs: 5000 });
    assert.deepEqual(router.handshake(since), [[Op.pbkdfParamRequest, 'a'], [Op.pake1, 'b'], [Op.pake3, 'a']]);
    assert.deepEqual(router.log.slice(since, since + 3).map((s) => unsecuredOpcode(s.reply!)), [Op.pbkdfParamResponse, Op.pake2, Op.statusReport]);
    assert.deepEqual([inst.a.fleet.handshakesParked - parked.a, inst.b.fleet.handshakesParked - parked.b], [1, 1]);
    assert.deepEqual([inst.a.fleet.handshakesTaken - taken.a, inst.b.fleet.handshakesTaken - taken.b], [1, 1]);
    assert.deepEqual([inst.a.opened, inst.b.opened], [['pase'], []]);
    // The PASE session is a fleet session like any: a read on B (which restores it) is answered.
    router.plan = ['b'];
    const value = await lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 2 }, { timeoutMs: 5000 });
    assert.ok(value !== undefined);
    assert.deepEqual(inst.b.opened, ['pase']);
    await lib.closeSession(c.exchanges, session).catch(() => {});
  });

  it('PASE: a bad confirmation is counted where Pake3 lands; a Pake3 that never comes, by the instance that sent Pake2', async () => {
    const c = await controller(new lib.MemoryStore());
    const channel = await c.transport.channelFor(address);
    const realmA = await realmOf('a'), realmB = await realmOf('b');
    const failed = () => [realmA.pase.windowState.failedAttempts, realmB.pase.windowState.failedAttempts];
    const [a0, b0] = failed();
    // Pake3 altered on the way (cA is the last field before the TLV end): A takes the state and finds no match.
    router.alternate('a');
    router.beforeSend = async (sent) => {
      if (unsecuredOpcode(sent.body) !== Op.pake3) return undefined;
      const forged = sent.body.slice();
      forged[forged.length - 2]! ^= 1;
      return forged;
    };
    try {
      await assert.rejects(establishPase(c.exchanges, channel, { passcode: PASSCODE, timeoutMs: 5000 }));
    } finally {
      router.beforeSend = undefined;
    }
    assert.deepEqual(failed(), [a0! + 1, b0], 'A checked Pake3 and counted the mismatch');
    // A wrong passcode: the commissioner finds cB wrong and sends no Pake3; B, which sent Pake2, counts it when its
    // parked state expires untaken (the first handshake's, taken by A, is not counted again).
    router.alternate('a');
    await assert.rejects(establishPase(c.exchanges, channel, { passcode: PASSCODE + 1, timeoutMs: 5000 }));
    const deadline = Date.now() + STEP_TIMEOUT_MS + 2000;
    while (failed()[1] === b0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(failed(), [a0! + 1, b0! + 1], 'B counted the silence after its Pake2, once');
  });

  it('PASE: a wrong guess whose Pake1 is replayed after Pake2 is still counted; a closed window refuses Pake1', async () => {
    const c = await controller(new lib.MemoryStore());
    const channel = await c.transport.channelFor(address);
    const realmA = await realmOf('a'), realmB = await realmOf('b');
    realmA.pase.openWindow();
    realmB.pase.openWindow();
    const total = () => realmA.pase.windowState.totalFailures + realmB.pase.windowState.totalFailures;
    const total0 = total();
    const post = async (to: Target, body: Uint8Array) => {
      const response = await fetch(`${inst[to].server.url}${MESSAGES}`, { method: 'POST', headers: OCTETS, body: body.slice() });
      return new Uint8Array(await response.arrayBuffer());
    };
    let pake2s = 0;
    for (let i = 0; i < 30; i++) {
      const since = router.log.length;
      router.alternate('a');
      await assert.rejects(establishPase(c.exchanges, channel, { passcode: PASSCODE + 1, timeoutMs: 5000 }));
      const sent = router.log.slice(since);
      const pake1 = sent.find((s) => unsecuredOpcode(s.body) === Op.pake1);
      if (sent.some((s) => s.reply && unsecuredOpcode(s.reply) === Op.pake2)) pake2s++;
      if (!pake1) continue;
      // The replay must not take the parked Pake2-stage state (which would make the owed confirmation vanish).
      for (const to of ['a', 'b'] as const) assert.equal(unsecuredOpcode(await post(to, pake1.body)), Op.statusReport, `replayed Pake1 to ${to}`);
    }
    assert.ok(pake2s >= 20, `${pake2s} guesses reached Pake2`);
    // Every Pake2 owes a confirmation: counted when its parked state expires untaken (B closes its window at 20).
    const deadline = Date.now() + STEP_TIMEOUT_MS + 3000;
    while (total() - total0 < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(total() - total0, 20, 'the failures up to the closure are all counted');
    assert.equal(realmB.pase.windowOpen, false, 'B closed its window after 20 failed confirmations');
    // B's window closed: a Pake1 reaching B is refused (Busy), no Pake2 (no further guess) leaves B.
    const since = router.log.length;
    router.alternate('a');
    await assert.rejects(establishPase(c.exchanges, channel, { passcode: PASSCODE + 1, timeoutMs: 5000 }));
    const pake1 = router.log.slice(since).find((s) => unsecuredOpcode(s.body) === Op.pake1);
    assert.ok(pake1 && pake1.to === 'b' && pake1.reply && unsecuredOpcode(pake1.reply) === Op.statusReport, 'Pake1 to closed B is refused');
    realmA.pase.openWindow();
    realmB.pase.openWindow();
  });

  it('parking budgets: PASE and CASE apart; concurrent parks never overshoot the limit', async () => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: `${keyPrefix}budget:`, timeoutMs: 2000 });
    stores.push(store);
    const fleet = new EdgeFleet(store, { instanceId: 'budget', fleetKey: FLEET_KEY });
    try {
      const ids = fleet.sessionIds('unit');
      const parked = fleet.parkedHandshakes('unit', { ttlMs: 60_000, maxParked: 4, maxParkedPase: 8 });
      let next = 100;
      const claimed = async () => {
        const id = next++;
        assert.equal(await ids.claim(id), true);
        return id;
      };
      const claimedIds = await Promise.all(Array.from({ length: 20 }, claimed));
      // 20 PASE parks at once: exactly 8 (the PASE budget) are parked, the rest refused, none past the limit.
      const outcomes = await Promise.allSettled(claimedIds.map((id) => parked.park(`pase/${id}/pbkdf`, new Uint8Array([1]), id)));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 8);
      assert.ok(outcomes.every((o) => o.status === 'fulfilled' || (o.reason as Error).name === 'ParkingFullError'));
      // The PASE budget spent, CASE still parks (up to its own 4).
      const caseIds = await Promise.all(Array.from({ length: 5 }, claimed));
      const caseOutcomes = await Promise.allSettled(caseIds.map((id) => parked.park(`case/${id}`, new Uint8Array([2]), id)));
      assert.equal(caseOutcomes.filter((o) => o.status === 'fulfilled').length, 4);
    } finally {
      fleet.close();
    }
  });

  it('a taken state whose session id cannot be adopted here releases the id\'s claim (not held and renewed forever)', async () => {
    const prefix = `${keyPrefix}adopt:`;
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: prefix, timeoutMs: 2000 });
    stores.push(store);
    const fleet = new EdgeFleet(store, { instanceId: 'adopt', fleetKey: FLEET_KEY });
    const claimKeys = async () => (await raw.list('')).filter((k) => k.startsWith(`${prefix}session-id/`));
    try {
      const parked = fleet.parkedHandshakes('unit', { ttlMs: 60_000 });
      assert.equal(await fleet.sessionIds('unit').claim(321), true);
      await parked.park('case/x/1', new Uint8Array([1, 2, 3]), 321);
      assert.equal((await claimKeys()).length, 1);
      await assert.rejects(parked.take('case/x/1', () => { throw new RangeError('id: 321 is already in use here'); }), /already in use/);
      await fleet.renew(); // the lease renews only what this instance holds
      assert.deepEqual(await claimKeys(), [], 'the claim was released, and the heartbeat did not bring it back');
      // Adopted: the claim is held (renewed for a lease by the taker).
      assert.equal(await fleet.sessionIds('unit').claim(322), true);
      await parked.park('case/x/2', new Uint8Array([4]), 322);
      const adopted: number[] = [];
      const taken = await parked.take('case/x/2', (id) => adopted.push(id));
      assert.deepEqual([taken?.sessionId, adopted], [322, [322]]);
      await fleet.renew();
      assert.equal((await claimKeys()).length, 1);
    } finally {
      fleet.close();
    }
  });

  it('a PBKDFParamRequest flood past the PASE budget: an admin\'s full CASE still works; parked claims lapse with the states', async () => {
    const claims = async () => (await raw.list('')).filter((k) => k.startsWith(`${keyPrefix}session-id/`)).length;
    const claims0 = await claims();
    const flooder = await lib.SessionManager.create({});
    const url = `${inst.a.server.url}${MESSAGES}`;
    const replies: Record<string, number> = {};
    let sent = 0;
    const one = async () => {
      const u = flooder.createUnsecuredSession({ isInitiator: true });
      const payload = lib.encodePbkdfParamRequest({
        initiatorRandom: crypto.getRandomValues(new Uint8Array(32)), initiatorSessionId: 1, passcodeId: 0, hasPbkdfParameters: false,
      });
      const body = flooder.encode(u, { exchangeId: 1, protocolId: 0, opcode: Op.pbkdfParamRequest, initiator: true, needsAck: true }, payload);
      flooder.removeUnsecuredSession(u);
      const response = await fetch(url, { method: 'POST', headers: OCTETS, body: body.slice() });
      const reply = new Uint8Array(await response.arrayBuffer());
      const key = String(unsecuredOpcode(reply));
      replies[key] = (replies[key] ?? 0) + 1;
    };
    const parked0 = inst.a.fleet.handshakesParked;
    const started = Date.now();
    // The claims the flood holds, sampled while it runs (under load it may outlast a step timeout).
    let peak = 0, flooding = true;
    const sampling = (async () => {
      while (flooding) {
        peak = Math.max(peak, (await claims()) - claims0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await Promise.all(Array.from({ length: 32 }, async () => { while (sent++ < 1200) await one(); }));
    flooding = false;
    await sampling;
    peak = Math.max(peak, (await claims()) - claims0);
    const windows = 1 + Math.floor((Date.now() - started) / STEP_TIMEOUT_MS);
    await flooder.close();
    const parked = inst.a.fleet.handshakesParked - parked0;
    assert.ok(parked >= 1000 && parked <= 1024 * windows, `parked ${parked} in ${windows} step timeouts`);
    assert.ok((replies[String(Op.statusReport)] ?? 0) >= 1200 - 1024 * windows, `refused Busy: ${JSON.stringify(replies)}`);
    assert.ok(peak >= 500, `the flood held ${peak} claims at most while its states were parked`);
    // A fabric administrator's full CASE through A (Sigma1 parked on A, Sigma3 to B) is not refused.
    const c = await controller();
    assert.equal(await c.sessions.removeResumptionRecord(c.fabric.fabricIndex, 9n), true);
    router.alternate('a');
    const connection = await c.connect(9n, { address });
    assert.equal(connection.resumed, false);
    // The flood's claims lapse with its parked states (step timeout + 1 s), not after a whole 60 s lease.
    const deadline = Date.now() + STEP_TIMEOUT_MS + 1000 + 3000;
    while ((await claims()) - claims0 > 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok((await claims()) - claims0 <= 5, `claims left: ${(await claims()) - claims0}; replies ${JSON.stringify(replies)}`);
  });

  it('a fabric commissioned through A reaches running B within 2 s; after RemoveFabric through A, B refuses it', async () => {
    const own = new lib.MemoryStore();
    const c = await controller(own);
    router.mode = 'a';
    await c.commission({ address, passcode: PASSCODE, nodeId: 20n });
    const nodeB = (await realmOf('b')).node!;
    const committed = Date.now();
    while (nodeB.fabrics.size < 2 && Date.now() - committed < 2000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(nodeB.fabrics.size, 2, 'B learnt the new fabric');
    const nodeA = (await realmOf('a')).node!;
    assert.equal(nodeA.fabrics.acl().length, 2, 'an administrator entry per fabric');
    assert.deepEqual(nodeB.fabrics.acl(), nodeA.fabrics.acl(), 'and the ACL written through A');
    const other = await controller(await copyOf(own));
    await other.sessions.removeResumptionRecord(other.fabric.fabricIndex, 20n);
    router.mode = 'b';
    const onB = await other.connect(20n, { address });
    assert.equal(onB.resumed, false, 'a full CASE handshake on B, for the fabric A added');
    await other.close();

    const stale = await copyOf(own);
    router.mode = 'a';
    await c.removeNode(20n);
    const removed = Date.now();
    while (nodeB.fabrics.size > 1 && Date.now() - removed < 2000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(nodeB.fabrics.size, 1, 'B forgot the removed fabric');
    assert.deepEqual(nodeB.fabrics.acl(), nodeA.fabrics.acl(), 'and its ACL entries');
    const third = await controller(stale);
    router.mode = 'b';
    await assert.rejects(third.connect(20n, { address }), 'B refuses CASE for the removed fabric');
    assert.equal(inst.b.server.edge !== undefined, true);
  });
});

describe('a parked state opened by the fleet key', () => {
  it('leaves no plaintext in the core\'s shared result pool (only in the copy the caller wipes)', () => {
    const sealer = new ValueSealer(crypto.getRandomValues(new Uint8Array(16)));
    const secret = new TextEncoder().encode('PARKED-SHARED-SECRET-w0-L-y-0123456789');
    const name = 'fleet/e/home/handshake/pase/x/1/pake2';
    const plain = sealer.open(name, sealer.seal(name, secret));
    assert.deepEqual(plain, secret);
    plain.fill(0); // what the fleet does with its copy once the fields are out
    // Any later pooled result shares the pool's buffer: the secret must not be readable through it.
    const probe = resultBytes(1);
    assert.equal(Buffer.from(probe.buffer).includes(Buffer.from('PARKED-SHARED-SECRET')), false);
    sealer.dispose();
  });
});

async function copyOf(store: lib.KeyValueStore): Promise<lib.MemoryStore> {
  const copy = new lib.MemoryStore();
  for (const key of await store.list('')) {
    const value = await store.get(key);
    if (value) await copy.set(key, value);
  }
  return copy;
}
