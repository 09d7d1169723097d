// RedisStore against a real redis-server started for this file (test/support/redis-server.ts): the storage
// conformance suite, what Redis changes (binary values, byte order vs string order, key prefixes), the fleet
// operations under concurrency from several connections, the shared reception window against the in-memory one, and
// what happens when Redis becomes unreachable and comes back.
//
// Making Redis unreachable without losing data (persistence is off, so a plain restart would empty it):
// - a TCP proxy between store and server whose link is cut (connections destroyed, new ones refused) then restored:
//   a dead link or crashed host; the server and its data are untouched;
// - SIGSTOP / SIGCONT of redis-server itself: a frozen server, the connection stays up and replies stop, so only
//   the client's timeouts can notice;
// - a real stop and start of redis-server on the same port, with SHUTDOWN SAVE writing a snapshot the new process
//   loads: the server's script cache is empty afterwards, which the store must handle (EVALSHA falls back to EVAL).
// In each case operations reject with StoreUnavailableError within 2 s, then succeed again with every record there.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SecureUnicastReceptionWindow } from '../src/session/reception-window.js';
import { CounterExhaustedError, RedisStore, StoreUnavailableError, type CounterBlock } from '../src/storage/redis-store.js';
import { FleetEpochError, type FleetSessionKeys } from '../src/storage/fleet-store.js';
import { storeChecks } from './conformance/store-suite.js';
import { findRedisServer, redisCommand, startRedisServer, startTcpProxy, type RedisServer } from './support/redis-server.js';

// A missing redis-server fails the suite rather than skipping it: a skipped suite must never pass for a tested one.
if (!findRedisServer()) throw new Error('redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)');
const run = randomUUID().slice(0, 8);
let prefixes = 0;
/** A fresh namespace, with glob characters in it, so list() must escape its MATCH pattern. */
const newPrefix = (): string => `test:${run}:[*?]\\:${++prefixes}:`;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => value && new TextDecoder().decode(value);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small seeded PRNG (mulberry32), so a failing sequence can be replayed from the seed in the message. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Resolves the time `call` took to reject with StoreUnavailableError, and the error. */
async function unavailable(call: () => Promise<unknown>): Promise<{ ms: number; error: StoreUnavailableError }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(error)}`);
    assert.equal(error.name, 'StoreUnavailableError');
    return { ms: performance.now() - started, error };
  }
  assert.fail('the call did not reject while Redis was unreachable');
}

/** Retries `get` until it succeeds and resolves how long Redis took to be usable again. */
async function recovery(store: RedisStore, limitMs = 5000): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await store.get('probe');
      return performance.now() - started;
    } catch (error) {
      assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError while recovering, got ${String(error)}`);
      if (performance.now() - started > limitMs) assert.fail(`not usable ${limitMs} ms after Redis came back`);
      await sleep(25);
    }
  }
}

/** Writes `count` records of three kinds and resolves a check that they are all still there. */
async function writeRecords(store: RedisStore, count: number): Promise<() => Promise<void>> {
  await Promise.all(Array.from({ length: count }, (_, i) => store.set(`record/${i}`, bytes(`value ${i}`))));
  await Promise.all(Array.from({ length: count }, () => store.increment('record-counter', 1)));
  assert.equal(await store.claimSessionId('realm', 4242, 'instance-a'), true);
  return async () => {
    assert.deepEqual(await store.list('record/'), Array.from({ length: count }, (_, i) => `record/${i}`).sort());
    const values = await Promise.all(Array.from({ length: count }, (_, i) => store.get(`record/${i}`)));
    values.forEach((value, i) => assert.equal(text(value), `value ${i}`));
    assert.equal(text(await store.get('record-counter')), String(count));
    assert.equal(await store.sessionIdOwner('realm', 4242), 'instance-a');
  };
}

/**
 * Workers that keep writing (a record, then an increment) until stopped, recording every outcome: whatever happens
 * to Redis, each operation must settle within 2 s, either done or with StoreUnavailableError.
 */
function startLoad(store: RedisStore, workers = 4) {
  const stats = { done: 0, notApplied: 0, maybeApplied: 0, incremented: 0, incrementsMaybeApplied: 0, slowestMs: 0 };
  const acknowledged: number[] = [];
  let running = true;
  let next = 0;
  const attempt = async (operation: () => Promise<unknown>): Promise<boolean> => {
    const started = performance.now();
    try {
      await operation();
      stats.done++;
      return true;
    } catch (error) {
      assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(error)}`);
      if (error.maybeApplied) stats.maybeApplied++;
      else stats.notApplied++;
      return false;
    } finally {
      stats.slowestMs = Math.max(stats.slowestMs, performance.now() - started);
    }
  };
  const worker = async () => {
    while (running) {
      const i = next++;
      if (await attempt(() => store.set(`load/${i}`, bytes(`load ${i}`)))) acknowledged.push(i);
      const before = stats.maybeApplied;
      if (await attempt(() => store.increment('load-counter', 1))) stats.incremented++;
      else if (stats.maybeApplied > before) stats.incrementsMaybeApplied++;
      await sleep(2);
    }
  };
  const running$ = Promise.all(Array.from({ length: workers }, worker));
  return {
    stats,
    /** Stops the workers, then checks that every acknowledged write is there and the counter adds up. */
    async stop(): Promise<typeof stats> {
      running = false;
      await running$;
      assert.ok(stats.slowestMs < 2100, `an operation took ${stats.slowestMs.toFixed(0)} ms to settle`);
      assert.ok(stats.notApplied + stats.maybeApplied > 0, 'no operation failed: the outage went unnoticed');
      const values = await Promise.all(acknowledged.map((i) => store.get(`load/${i}`)));
      values.forEach((value, n) => assert.equal(text(value), `load ${acknowledged[n]}`, 'an acknowledged write is lost'));
      const counter = Number(text(await store.get('load-counter')) ?? 0);
      assert.ok(counter >= stats.incremented, `counter ${counter} lost acknowledged increments (${stats.incremented})`);
      assert.ok(counter <= stats.incremented + stats.incrementsMaybeApplied, `counter ${counter}: a refused increment was applied`);
      return stats;
    },
  };
}

describe('RedisStore', () => {
  let server: RedisServer;
  const open: RedisStore[] = [];
  const connect = async (keyPrefix = newPrefix(), url = server.url, timeoutMs?: number): Promise<RedisStore> => {
    const store = await RedisStore.connect({ url, keyPrefix, ...(timeoutMs ? { timeoutMs } : {}) });
    open.push(store);
    return store;
  };

  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await Promise.all(open.map((store) => store.close()));
    await server?.stop();
  });

  describe('conformance', () => {
    for (const check of storeChecks(() => connect())) it(check.name, () => check.run());
  });

  describe('keys and values', () => {
    it('values are binary-safe: every byte, CR LF and NUL runs, random bytes; a Buffer in, a plain Uint8Array out', async () => {
      const store = await connect();
      const next = random(7);
      const values = [
        Uint8Array.of(0x0d, 0x0a, 0x00, 0x24, 0x2a, 0x0d, 0x0a),
        Uint8Array.from({ length: 512 }, (_, i) => i & 0xff),
        ...Array.from({ length: 20 }, (_, n) => Uint8Array.from({ length: n * 97 }, () => Math.floor(next() * 256))),
        Buffer.from([0xff, 0xfe, 0x00, 0x80]),
      ];
      await Promise.all(values.map((value, i) => store.set(`v/${i}`, value)));
      for (const [i, value] of values.entries()) {
        const stored = await store.get(`v/${i}`);
        assert.equal(Object.getPrototypeOf(stored), Uint8Array.prototype, 'get returns a plain Uint8Array, not a Buffer');
        assert.deepEqual([...stored!], [...value]);
      }
    });

    it('list sorts in JavaScript string order, not the UTF-8 byte order Redis compares by', async () => {
      const store = await connect();
      const keys = ['\uFFFD', '\u{1F600}', '\uFF5A', '\u{10000}', 'é', 'z', 'Z', '\u00FF', '\u0100', 'a', 'a\u{1F600}', 'a\uE000'];
      for (const key of keys) await store.set(key, bytes(key));
      const listed = await store.list('');
      assert.deepEqual(listed, [...keys].sort());
      const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      assert.notDeepEqual(listed, byBytes, 'the keys were chosen so the two orders differ');
      assert.deepEqual(await store.list('a'), ['a', 'a\u{1F600}', 'a\uE000']);
    });

    it('a key prefix namespaces a deployment: same keys, separate values, lists and counters', async () => {
      const base = newPrefix();
      const blue = await connect(`${base}blue:`);
      const green = await connect(`${base}green:`);
      await blue.set('k', bytes('blue'));
      await green.set('k', bytes('green'));
      assert.equal(await blue.increment('n', 2), 2);
      assert.equal(await green.increment('n', 5), 5);
      assert.equal(text(await blue.get('k')), 'blue');
      assert.deepEqual(await green.list(''), ['k', 'n']);
      assert.equal(await blue.delete('k'), true);
      assert.equal(text(await green.get('k')), 'green');
      assert.equal((await redisCommand(server.port, ['EXISTS', `${base}green:k`])), ':1', 'stored under the prefix');
    });

    it('connect refuses invalid options with StorageArgumentError, and an address nobody listens on within timeoutMs', async () => {
      const invalid: [string, unknown][] = [
        ['url', { url: 'http://localhost' }],
        ['url', { url: 42 }],
        ['keyPrefix', { url: server.url, keyPrefix: 'a\uD800' }],
        ['timeoutMs', { url: server.url, timeoutMs: 0 }],
      ];
      for (const [argument, options] of invalid) {
        await assert.rejects(RedisStore.connect(options as never), { name: 'StorageArgumentError', message: new RegExp(`^${argument}:`) });
      }
      const closedPort = await startTcpProxy(server.port);
      await closedPort.cut();
      const { ms, error } = await unavailable(() => RedisStore.connect({ url: closedPort.url, timeoutMs: 300 }));
      assert.ok(ms < 1000, `connect gave up after ${ms} ms`);
      assert.equal(error.maybeApplied, false);
    });
  });

  describe('session ids', () => {
    it('claim, owner, idempotent re-claim, release only by the owner, TTL', async () => {
      const store = await connect();
      assert.equal(await store.claimSessionId('node-1', 17, 'a'), true);
      assert.equal(await store.claimSessionId('node-1', 17, 'b'), false, 'held by a');
      assert.equal(await store.claimSessionId('node-1', 17, 'a'), true, 'a claiming again (a retry) succeeds');
      assert.equal(await store.claimSessionId('node-2', 17, 'b'), true, 'another realm is another id space');
      assert.equal(await store.sessionIdOwner('node-1', 17), 'a');
      assert.equal(await store.releaseSessionId('node-1', 17, 'b'), false, 'b does not hold it');
      assert.equal(await store.sessionIdOwner('node-1', 17), 'a');
      assert.equal(await store.releaseSessionId('node-1', 17, 'a'), true);
      assert.equal(await store.releaseSessionId('node-1', 17, 'a'), false, 'already released');
      assert.equal(await store.sessionIdOwner('node-1', 17), undefined);
      assert.equal(await store.claimSessionId('node-1', 17, 'b'), true, 'free again');

      assert.equal(await store.claimSessionId('node-1', 99, 'a', 60), true);
      assert.equal(await store.claimSessionId('node-1', 99, 'b', 60), false);
      await sleep(120);
      assert.equal(await store.claimSessionId('node-1', 99, 'b'), true, 'a lapsed claim is free');
      assert.deepEqual(await store.list('session-id/node-1/'), ['session-id/node-1/17', 'session-id/node-1/99']);

      await assert.rejects(store.claimSessionId('node-1', 0, 'a'), { name: 'RangeError', message: /^id:/ });
      await assert.rejects(store.claimSessionId('node-1', 65536, 'a'), { name: 'RangeError', message: /^id:/ });
      await assert.rejects(store.claimSessionId('', 1, 'a'), { name: 'StorageArgumentError', message: /^realm:/ });
      await assert.rejects(store.claimSessionId('r', 1, ''), { name: 'StorageArgumentError', message: /^owner:/ });
      await assert.rejects(store.claimSessionId('r', 1, 'a', 0), { name: 'StorageArgumentError', message: /^ttlMs:/ });
      await assert.rejects(store.claimRandomFreeSessionId('r', 'a', 1.5), { name: 'StorageArgumentError', message: /^ttlMs:/ });
    });

    it('claimRandomFreeSessionId never returns an id someone holds, the same owner included', async () => {
      const store = await connect();
      const held = new Set<number>();
      for (let id = 1; id <= 0xffff; id++) if (id % 8 !== 0) held.add(id);
      // Hold 7 of every 8 ids, half for "a" itself, so a claim by "a" must land on a multiple of 8.
      const keys = [...held].flatMap((id) => [`${store.keyPrefix}session-id/dense/${id}`, id % 2 ? 'a' : 'b']);
      for (let i = 0; i < keys.length; i += 20000) await redisCommand(server.port, ['MSET', ...keys.slice(i, i + 20000)]);
      const claimed = await Promise.all(Array.from({ length: 200 }, () => store.claimRandomFreeSessionId('dense', 'a')));
      assert.equal(new Set(claimed).size, 200);
      for (const id of claimed) assert.equal(id % 8, 0, `claimed ${id}, which was held`);
    });

    it('20,000 concurrent claims split over two connections get 20,000 distinct ids', async (t) => {
      const prefix = newPrefix();
      const [a, b] = [await connect(prefix, server.url, 20_000), await connect(prefix, server.url, 20_000)];
      const started = performance.now();
      const owners = Array.from({ length: 20_000 }, (_, i) => (i % 2 ? 'instance-a' : 'instance-b'));
      const ids = await Promise.all(owners.map((owner, i) => (i % 2 ? a : b).claimRandomFreeSessionId('node-1', owner)));
      const ms = performance.now() - started;
      assert.equal(new Set(ids).size, 20_000, 'no id handed out twice');
      for (const id of ids) assert.ok(Number.isInteger(id) && id >= 1 && id <= 0xffff, `id ${id}`);
      const stored = await Promise.all(ids.map((id) => a.sessionIdOwner('node-1', id)));
      stored.forEach((owner, i) => assert.equal(owner, owners[i], `owner of ${ids[i]}`));
      assert.equal((await b.list('session-id/node-1/')).length, 20_000);
      t.diagnostic(`20,000 claims in ${ms.toFixed(0)} ms`);
    });
  });

  describe('counter blocks', () => {
    it('blocks from 3 clients and a restarted client never overlap and leave no gap', async () => {
      const prefix = newPrefix();
      const clients = [await connect(prefix), await connect(prefix), await connect(prefix)];
      assert.equal(await clients[0]!.setIfAbsent('counter/out', bytes('1000')), true, 'a random start, say 1000');
      const blocks: CounterBlock[] = [];
      const reserve = (client: RedisStore, count: number, seed: number) =>
        Promise.all(Array.from({ length: count }, (_, i) => client.reserveCounterBlock('counter/out', 1 + ((i * 7919 + seed) % 64)).then((block) => blocks.push(block))));
      await Promise.all(clients.map((client, n) => reserve(client, 300, n)));
      await clients[0]!.close(); // an instance restarts: its replacement is a new client
      clients[0] = await connect(prefix);
      await Promise.all(clients.map((client, n) => reserve(client, 200, n + 3)));

      blocks.sort((x, y) => x.start - y.start);
      assert.equal(blocks.length, 1500);
      assert.equal(blocks[0]!.start, 1000);
      for (let i = 1; i < blocks.length; i++) {
        assert.equal(blocks[i]!.start, blocks[i - 1]!.end, `block ${i} starts where block ${i - 1} ended`);
      }
      for (const { start, end } of blocks) assert.ok(end > start && end - start <= 64);
      assert.equal(text(await clients[1]!.get('counter/out')), String(blocks.at(-1)!.end));
    });

    it('a block past the limit is refused and reserves nothing; a stored non-integer is a StorageArgumentError', async () => {
      const store = await connect();
      await store.set('c', bytes('95'));
      await assert.rejects(store.reserveCounterBlock('c', 10, { limit: 100 }), CounterExhaustedError);
      assert.equal(text(await store.get('c')), '95');
      assert.deepEqual(await store.reserveCounterBlock('c', 5, { limit: 100 }), { start: 95, end: 100 });
      await assert.rejects(store.reserveCounterBlock('c', 1, { limit: 100 }), { name: 'CounterExhaustedError', message: /^blockSize:/ });

      await store.set('m', bytes(String(0xffffffff - 5)));
      assert.deepEqual(await store.reserveCounterBlock('m', 5), { start: 0xffffffff - 5, end: 0xffffffff }, 'the default limit is 2^32 - 1');
      await assert.rejects(store.reserveCounterBlock('m', 1), CounterExhaustedError);

      await store.set('x', bytes('1.5'));
      await assert.rejects(store.reserveCounterBlock('x', 1), { name: 'StorageArgumentError', message: /^key:/ });
      await assert.rejects(store.reserveCounterBlock('c', 0), { name: 'StorageArgumentError', message: /^blockSize:/ });
      await assert.rejects(store.reserveCounterBlock('c', 1, { limit: 1.5 }), { name: 'StorageArgumentError', message: /^limit:/ });
    });
  });

  describe('shared reception window', () => {
    it('gives the verdicts SecureUnicastReceptionWindow gives, on random sequences spread over two instances', async (t) => {
      const prefix = newPrefix();
      const instances = [await connect(prefix), await connect(prefix)];
      const seed = Date.now() >>> 0;
      const next = random(seed);
      const below = (n: number) => Math.floor(next() * n);
      const verdicts = { new: 0, duplicate: 0 };
      for (let trial = 0; trial < 24; trial++) {
        const key = `window/${trial}`;
        const memory = new SecureUnicastReceptionWindow();
        const pick = () => instances[below(2)]!;
        // A third start absent (activation: 0), a third at a random counter, a third near 2^32 - 1.
        let max = trial % 3 === 0 ? 0 : trial % 3 === 1 ? below(2 ** 32) : 0xffffffff - below(200);
        memory.setCounter(max);
        if (trial % 3 !== 0) await pick().setReceptionCounter(key, max);
        const history: number[] = [];
        for (let step = 0; step < 250; step++) {
          const roll = next();
          if (roll < 0.02) {
            max = Math.max(0, Math.min(0xffffffff, max + below(100) - 50));
            memory.setCounter(max);
            await pick().setReceptionCounter(key, max);
            history.push(-max - 1); // a reset, marked negative in the history
            continue;
          }
          const counter =
            roll < 0.3 ? max + 1 + below(4)
            : roll < 0.4 ? max + [31, 32, 33, 34, 64][below(5)]!
            : roll < 0.5 ? max + below(40)
            : roll < 0.75 ? max - below(36)
            : roll < 0.85 ? history.filter((c) => c >= 0)[below(history.length)] ?? 0
            : roll < 0.9 ? 0
            : roll < 0.95 ? 0xffffffff
            : below(2 ** 32);
          if (counter < 0 || counter > 0xffffffff) continue;
          const expected = memory.verify(counter);
          if (expected === 'new') memory.commit(counter);
          const actual = await pick().checkAndCommitCounter(key, counter);
          history.push(counter);
          assert.equal(actual, expected, `seed ${seed}, trial ${trial}, step ${step}: counter ${counter} after ${JSON.stringify(history.slice(-40))}`);
          verdicts[actual]++;
          if (actual === 'new') max = Math.max(max, counter);
        }
      }
      t.diagnostic(`seed ${seed}: ${verdicts.new} new, ${verdicts.duplicate} duplicate`);
      assert.ok(verdicts.new > 1000 && verdicts.duplicate > 1000, 'both verdicts exercised');
    });

    it('a message accepted by one instance is a duplicate on the other; of 50 concurrent deliveries one is new', async () => {
      const prefix = newPrefix();
      const [a, b] = [await connect(prefix), await connect(prefix)];
      assert.equal(await a.checkAndCommitCounter('w', 0), 'duplicate', 'counter 0 is never accepted');
      assert.equal(await a.checkAndCommitCounter('w', 1), 'new');
      assert.equal(await b.checkAndCommitCounter('w', 1), 'duplicate', 'replayed to the other instance');
      const verdicts = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).checkAndCommitCounter('w', 7)));
      assert.equal(verdicts.filter((v) => v === 'new').length, 1);
      assert.equal(await b.checkAndCommitCounter('w', 5), 'new', 'behind the max, inside the window, not seen');
      assert.equal(await a.checkAndCommitCounter('w', 5), 'duplicate');
    });

    it('refuses what the in-memory window refuses, with the same errors, and a key that is not a window', async () => {
      const store = await connect();
      const memory = new SecureUnicastReceptionWindow();
      memory.setCounter(0);
      for (const counter of [-1, 2 ** 32, 1.5, NaN, '1' as never]) {
        const expected = (() => { try { memory.verify(counter); } catch (e) { return e as Error; } assert.fail('memory accepted'); })();
        await assert.rejects(store.checkAndCommitCounter('w', counter), { name: expected.name, message: expected.message });
      }
      await assert.rejects(store.setReceptionCounter('w', 2 ** 32), { name: 'RangeError', message: /^value:/ });
      await store.set('not-a-window', bytes('hello'));
      await assert.rejects(store.checkAndCommitCounter('not-a-window', 1), { name: 'StorageArgumentError', message: /^windowKey:/ });
      assert.equal(text(await store.get('not-a-window')), 'hello');
    });
  });

  describe('fleet epoch guard', () => {
    const DAY = 86_400_000;
    const keysFor = (token: string, id: number, owner: string): FleetSessionKeys => ({
      realm: `${token}/home`, id, owner, session: `fleet/${token}/home/session/${id}`, window: `fleet/${token}/home/window/${id}`,
      counter: `fleet/${token}/home/counter/${id}`,
    });
    async function openSession(store: RedisStore, token: string, id: number, owner = 'me', start = 1000): Promise<FleetSessionKeys> {
      const keys = keysFor(token, id, owner);
      assert.equal(await store.claimSessionId(keys.realm, id, owner, 60_000), true);
      assert.deepEqual((await store.openFleetSession({ token }, keys, bytes('sealed'), start, 60_000)).result, true);
      return keys;
    }

    it('instances join one epoch; a stale one is replaced once; generations only rise, across connections', async () => {
      const prefix = newPrefix();
      const [a, b] = [await connect(prefix), await connect(prefix)];
      const token = await a.joinFleetEpoch('t1', undefined, DAY);
      assert.equal(token, 't1');
      assert.equal(await b.joinFleetEpoch('t2', undefined, DAY), 't1', 'the second instance joins the first one\'s epoch');
      const keys = await openSession(a, token, 7);
      let last = 0;
      for (let i = 1; i <= 20; i++) {
        const { generation, result } = await (i % 2 ? a : b).commitFleetCounter({ token }, keys, i, 60_000);
        assert.equal(result, 'new');
        assert.ok(generation > last, `generation ${generation} after ${last}`);
        last = generation;
      }
      // One instance saw a rollback: it replaces the epoch; the other, stale too, joins the replacement.
      assert.equal(await a.joinFleetEpoch('t3', 't1', DAY), 't3');
      assert.equal(await b.joinFleetEpoch('t4', 't1', DAY), 't3');
      const window = text(await a.get(keys.window));
      await assert.rejects(b.commitFleetCounter({ token: 't1' }, keys, 30, 60_000), FleetEpochError);
      await assert.rejects(b.reserveFleetCounters({ token: 't1' }, keys, 4), FleetEpochError);
      assert.equal(text(await a.get(keys.window)), window, 'a refused operation wrote nothing');
      assert.equal(text(await a.get(keys.counter)), '1000');
    });

    it('the shared window gives SecureUnicastReceptionWindow\'s verdicts from activation, over two instances', async () => {
      const prefix = newPrefix();
      const [a, b] = [await connect(prefix), await connect(prefix)];
      const token = await a.joinFleetEpoch('w', undefined, DAY);
      const seed = Date.now() >>> 0;
      const next = random(seed);
      const below = (n: number) => Math.floor(next() * n);
      for (let trial = 0; trial < 6; trial++) {
        const keys = await openSession(a, token, 100 + trial);
        const memory = new SecureUnicastReceptionWindow();
        memory.setCounter(0);
        let max = 0;
        for (let step = 0; step < 200; step++) {
          const roll = next();
          const counter = roll < 0.4 ? max + 1 + below(4) : roll < 0.5 ? max + [31, 32, 33, 64][below(4)]! : roll < 0.9 ? max - below(36) : 0;
          if (counter < 0) continue;
          const expected = memory.verify(counter);
          if (expected === 'new') memory.commit(counter);
          const { result } = await (below(2) ? a : b).commitFleetCounter({ token }, keys, counter, 60_000);
          assert.equal(result, expected, `seed ${seed}, trial ${trial}, step ${step}: counter ${counter}`);
          if (result === 'new') max = Math.max(max, counter);
        }
      }
    });

    it('a missing window, counter, session or claim means unknown, never a fresh start; another owner\'s claim too', async () => {
      const store = await connect();
      const token = await store.joinFleetEpoch('u', undefined, DAY);
      for (const part of ['window', 'counter', 'session', 'claim'] as const) {
        const keys = await openSession(store, token, 200 + ['window', 'counter', 'session', 'claim'].indexOf(part));
        if (part === 'claim') assert.equal(await store.releaseSessionId(keys.realm, keys.id, keys.owner), true);
        else assert.equal(await store.delete(keys[part]), true);
        assert.equal((await store.commitFleetCounter({ token }, keys, 5, 60_000)).result, 'unknown', part);
        if (part !== 'window' && part !== 'session') assert.equal((await store.reserveFleetCounters({ token }, keys, 4)).result, 'unknown', part);
      }
      const keys = await openSession(store, token, 300, 'me', 5000);
      assert.deepEqual((await store.reserveFleetCounters({ token }, keys, 4)).result, { start: 5000, end: 5004 });
      const thief = { ...keys, owner: 'other' };
      assert.equal((await store.commitFleetCounter({ token }, thief, 1, 60_000)).result, 'unknown');
      assert.equal((await store.reserveFleetCounters({ token }, thief, 4)).result, 'unknown');
      assert.equal((await store.openFleetSession({ token }, thief, bytes('x'), 1, 60_000)).result, false);
      assert.equal(text(await store.get(keys.session)), 'sealed', 'another owner wrote nothing');
      assert.equal(await store.closeFleetSession(thief), false, 'nor removed anything');
      assert.equal(await store.closeFleetSession(keys), true);
      assert.deepEqual((await store.list(`fleet/${token}/home/`)).filter((k) => k.endsWith('/300')), []);
      assert.equal(await store.sessionIdOwner(keys.realm, 300), undefined);
    });

    it('a replica attaching to the primary passes the guard; the same replica promoted fails it', async () => {
      const prefix = newPrefix();
      const store = await connect(prefix);
      const token = await store.joinFleetEpoch('p1', undefined, DAY);
      const keys = await openSession(store, token, 500);
      const replica = await startRedisServer();
      try {
        await replica.copyOf(server); // attaches (the primary draws a new master_replid), syncs, detaches
        assert.equal((await store.commitFleetCounter({ token }, keys, 1, 60_000)).result, 'new', 'no false alarm on the primary');
        const promoted = await connect(prefix, replica.url);
        assert.equal(text(await promoted.get(keys.session)), 'sealed', 'the replica has the session');
        await assert.rejects(promoted.commitFleetCounter({ token }, keys, 2, 60_000), FleetEpochError);
        await assert.rejects(promoted.reserveFleetCounters({ token }, keys, 4), FleetEpochError);
      } finally {
        await replica.stop();
      }
    });

    it('a restart of Redis with its data intact still fails the guard (new run_id): the epoch is replaced', async (t) => {
      const prefix = newPrefix();
      const store = await connect(prefix, server.url, 3000);
      const token = await store.joinFleetEpoch('r1', undefined, DAY);
      const keys = await openSession(store, token, 400);
      await server.restart({ keepData: true });
      await recovery(store);
      assert.equal(text(await store.get(keys.session)), 'sealed', 'the data survived the restart');
      await assert.rejects(store.commitFleetCounter({ token }, keys, 1, 60_000), FleetEpochError);
      const renewed = await store.joinFleetEpoch('r2', undefined, DAY);
      assert.equal(renewed, 'r2', 'an epoch made on another Redis process is not joined');
      t.diagnostic('restart detected by run_id');
    });
  });

  describe('Redis unreachable', () => {
    it('link cut: StoreUnavailableError at once, nothing applied; link restored: recovers with every record', async (t) => {
      const proxy = await startTcpProxy(server.port);
      const store = await connect(newPrefix(), proxy.url);
      const intact = await writeRecords(store, 200);
      const load = startLoad(store);
      await sleep(100);
      await proxy.cut();
      for (const started = performance.now(); store.connected; await sleep(5)) {
        assert.ok(performance.now() - started < 1000, 'the client did not notice the cut link');
      }
      const outage = await Promise.all([
        unavailable(() => store.get('record/1')),
        unavailable(() => store.set('record/1', bytes('lost'))),
        unavailable(() => store.increment('record-counter', 1)),
        unavailable(() => store.checkAndCommitCounter('w', 1)),
        unavailable(() => store.claimRandomFreeSessionId('realm', 'instance-a')),
        unavailable(() => store.list('')),
      ]);
      const slowest = Math.max(...outage.map(({ ms }) => ms));
      assert.ok(slowest < 2000, `rejected after ${slowest} ms`);
      for (const { error } of outage) assert.equal(error.maybeApplied, false, error.message);
      await proxy.restore();
      const back = await recovery(store);
      await sleep(100);
      const stats = await load.stop();
      await intact();
      assert.equal(await store.checkAndCommitCounter('w', 1), 'new', 'the refused check committed nothing');
      t.diagnostic(`rejected within ${slowest.toFixed(0)} ms, usable ${back.toFixed(0)} ms after the link came back; load: ${JSON.stringify(stats)}`);
      await proxy.close();
    });

    it('server frozen (SIGSTOP): StoreUnavailableError within 2 s, no hang; resumed (SIGCONT): recovers with every record', async (t) => {
      const frozen = await startRedisServer();
      try {
        const store = await connect(newPrefix(), frozen.url);
        const intact = await writeRecords(store, 200);
        const load = startLoad(store);
        await sleep(100);
        frozen.pause();
        // Sent before anyone notices: no reply comes, the silent connection is dropped, the write may have happened.
        const inFlight = await Promise.all([
          unavailable(() => store.get('record/1')),
          unavailable(() => store.set('in-flight', bytes('maybe'))),
        ]);
        // Started once the connection is gone: it waits for a new one (which the frozen server never readies).
        const later = await unavailable(() => store.set('record/1', bytes('lost')));
        const slowest = Math.max(later.ms, ...inFlight.map(({ ms }) => ms));
        assert.ok(slowest < 2000, `rejected after ${slowest} ms`);
        for (const { error } of inFlight) assert.equal(error.maybeApplied, true, error.message);
        assert.equal(later.error.maybeApplied, false, later.error.message);
        frozen.resume();
        const back = await recovery(store);
        await sleep(100);
        const stats = await load.stop();
        await intact();
        t.diagnostic(`in flight rejected after ${inFlight.map(({ ms }) => ms.toFixed(0)).join(', ')} ms, later ones after ${later.ms.toFixed(0)} ms; usable ${back.toFixed(0)} ms after SIGCONT; load: ${JSON.stringify(stats)}`);
      } finally {
        await frozen.stop();
      }
    });

    it('server stopped and started on the same port: StoreUnavailableError, then recovers (scripts reloaded) with the snapshot', async (t) => {
      const restarted = await startRedisServer();
      try {
        const store = await connect(newPrefix(), restarted.url);
        const intact = await writeRecords(store, 200);
        assert.equal(await store.checkAndCommitCounter('w', 10), 'new');
        await restarted.halt({ keepData: true });
        const during = await unavailable(() => store.get('record/1'));
        assert.ok(during.ms < 2000, `rejected after ${during.ms} ms`);
        await restarted.startAgain();
        const back = await recovery(store);
        await intact();
        assert.equal(await store.checkAndCommitCounter('w', 10), 'duplicate', 'the window survived, its script reloaded');
        assert.equal(await store.checkAndCommitCounter('w', 9), 'new');
        t.diagnostic(`rejected after ${during.ms.toFixed(0)} ms while down, usable ${back.toFixed(0)} ms after the restart`);
      } finally {
        await restarted.stop();
      }
    });

    it('close while Redis is frozen still settles, within the timeouts', async () => {
      const frozen = await startRedisServer();
      try {
        const store = await RedisStore.connect({ url: frozen.url, keyPrefix: newPrefix(), timeoutMs: 300 });
        await store.set('k', bytes('v'));
        frozen.pause();
        const pending = store.get('k').catch((error: unknown) => error);
        const started = performance.now();
        await store.close();
        assert.ok(performance.now() - started < 1500, 'close took too long');
        assert.ok((await pending) instanceof StoreUnavailableError);
        await assert.rejects(store.get('k'), { name: 'StoreClosedError' });
      } finally {
        frozen.resume();
        await frozen.stop();
      }
    });
  });
});
