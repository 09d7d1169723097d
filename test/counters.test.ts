// Message counters in Node: the conformance checks (every SDK replay-window scenario), the outgoing counters, the
// persisted group counter across restarts and shared stores, and properties of the reception windows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CounterExhaustedError, PersistedMessageCounter, SessionMessageCounter, UnsecuredMessageCounter,
} from '../src/session/message-counters.js';
import {
  GroupReceptionWindow, SecureUnicastReceptionWindow, UnencryptedReceptionWindow, type CounterVerdict,
} from '../src/session/reception-window.js';
import type { KeyValueStore } from '../src/storage/key-value-store.js';
import { counterChecks, type CounterScenario } from './conformance/counter-suite.js';
import { readVectors } from './conformance/suite-data.js';

const lib = {
  SecureUnicastReceptionWindow, GroupReceptionWindow, UnencryptedReceptionWindow,
  SessionMessageCounter, UnsecuredMessageCounter, CounterExhaustedError,
};
const { vectors: counterScenarios } = readVectors<{ vectors: CounterScenario[] }>('message-counter.json');

describe('message counter conformance (Node)', () => {
  it('the vector file holds all 272 scenarios', () => assert.equal(counterScenarios.length, 272));
  for (const check of counterChecks(lib, { counterScenarios })) it(check.name, () => check.run());
});

describe('SessionMessageCounter', () => {
  it('starts at a random value in [1, 2^28] and increments by one', () => {
    const firsts = new Set<number>();
    for (let i = 0; i < 20000; i++) {
      const counter = new SessionMessageCounter();
      const first = counter.next();
      assert.ok(first >= 1 && first <= 2 ** 28, `first counter ${first}`);
      assert.equal(counter.next(), first + 1);
      firsts.add(first);
    }
    assert.ok(firsts.size > 19900, 'random starts');
    const sorted = [...firsts].sort((a, b) => a - b);
    assert.ok(sorted[0]! < 2 ** 20 && sorted.at(-1)! > 2 ** 28 - 2 ** 20, 'starts spread over the whole range');
  });

  it('an injected start is the value before the first', () => {
    const counter = new SessionMessageCounter(0);
    assert.deepEqual([counter.next(), counter.next(), counter.next()], [1, 2, 3]);
  });

  it('hands out 0xFFFFFFFF, then throws CounterExhaustedError on every call', () => {
    const counter = new SessionMessageCounter(0xfffffff0);
    const values = Array.from({ length: 15 }, () => counter.next());
    assert.deepEqual(values, Array.from({ length: 15 }, (_, i) => 0xfffffff1 + i));
    assert.equal(counter.exhausted, true);
    for (let i = 0; i < 3; i++) {
      assert.throws(() => counter.next(), (e: unknown) => e instanceof CounterExhaustedError && e.name === 'CounterExhaustedError');
    }
    assert.equal(new SessionMessageCounter(0xffffffff).exhausted, true);
    assert.equal(new SessionMessageCounter(0xfffffffe).exhausted, false);
  });

  it('refuses a start that is not a uint32', () => {
    for (const start of [-1, 2 ** 32, 1.5, Number.NaN]) assert.throws(() => new SessionMessageCounter(start), RangeError);
  });
});

describe('UnsecuredMessageCounter', () => {
  it('starts in [1, 2^28] and wraps mod 2^32', () => {
    for (let i = 0; i < 2000; i++) {
      const first = new UnsecuredMessageCounter().next();
      assert.ok(first >= 1 && first <= 2 ** 28, `first counter ${first}`);
    }
    const counter = new UnsecuredMessageCounter(0xfffffffe);
    assert.deepEqual([counter.next(), counter.next(), counter.next()], [0xffffffff, 0, 1]);
  });
});

/** A Map-backed store that yields to the event loop before each operation, so concurrent users interleave. */
class MapStore implements KeyValueStore {
  readonly values = new Map<string, Uint8Array>();
  failIncrements = false;
  increments = 0;
  seeds = 0;

  async #turn(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, Math.random() < 0.5 ? 0 : 1));
  }
  async get(key: string) { await this.#turn(); return this.values.get(key); }
  async set(key: string, value: Uint8Array) { await this.#turn(); this.values.set(key, value); }
  async delete(key: string) { await this.#turn(); return this.values.delete(key); }
  async list(prefix: string) { await this.#turn(); return [...this.values.keys()].filter((k) => k.startsWith(prefix)).sort(); }
  async close() {}
  async setIfAbsent(key: string, value: Uint8Array) {
    await this.#turn();
    this.seeds++;
    if (this.values.has(key)) return false;
    this.values.set(key, value);
    return true;
  }
  async increment(key: string, by: number) {
    await this.#turn();
    if (this.failIncrements) throw new Error('store unavailable');
    const stored = this.values.get(key);
    const value = (stored ? Number(new TextDecoder().decode(stored)) : 0) + by;
    this.values.set(key, new TextEncoder().encode(String(value)));
    this.increments++;
    return value;
  }
}

/** Takes `count` values, awaiting only the calls that return a promise; counts those. */
async function take(counter: PersistedMessageCounter, count: number, into: number[]): Promise<number> {
  let asynchronous = 0;
  for (let i = 0; i < count; i++) {
    const value = counter.next();
    if (typeof value !== 'number') asynchronous++;
    into.push(await value);
  }
  return asynchronous;
}

function assertDistinct(values: number[]): void {
  assert.equal(new Set(values).size, values.length, 'a counter value was handed out twice');
}

describe('PersistedMessageCounter', () => {
  it('first value in [1, 2^28], then consecutive, synchronous while the block lasts', async () => {
    const store = new MapStore();
    const counter = new PersistedMessageCounter({ store, key: 'group-data' });
    const first = counter.next();
    assert.ok(first instanceof Promise, 'the first call reserves a block');
    const value = await first;
    assert.ok(value >= 1 && value <= 2 ** 28, `first value ${value}`);
    const values: number[] = [];
    let asynchronous = 0;
    for (let i = 0; i < 10000; i++) {
      const next = counter.next();
      if (typeof next !== 'number') asynchronous++;
      values.push(await next);
      // A sender does I/O between messages, which gives the background reservation its turn.
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.equal(asynchronous, 0, 'the next block was reserved before it was needed');
    assert.equal(store.seeds, 1, 'the random start is stored once per instance');
    values.forEach((v, i) => assert.equal(v, value + 1 + i));
  });

  it('never repeats a value across restarts (new instances on the same store)', async () => {
    const store = new MapStore();
    const values: number[] = [];
    for (const [count, blockSize] of [[1, 1000], [2500, 1000], [0, 1000], [37, 10], [999, 1000], [1000, 1000], [5, 3]] as const) {
      await take(new PersistedMessageCounter({ store, key: 'group-data', blockSize }), count, values);
    }
    assertDistinct(values);
    for (let i = 1; i < values.length; i++) assert.ok(values[i]! > values[i - 1]!, 'restarts continue upward');
  });

  it('two instances interleaved on one store never hand out the same value', async () => {
    for (const blockSize of [1, 7, 1000]) {
      const store = new MapStore();
      const a = new PersistedMessageCounter({ store, key: 'group-control', blockSize });
      const b = new PersistedMessageCounter({ store, key: 'group-control', blockSize });
      const values: number[] = [];
      for (let round = 0; round < (blockSize === 1 ? 150 : 600); round++) {
        // Calls from both instances in flight at once, in random order.
        const pending = Array.from({ length: 8 }, () => (Math.random() < 0.5 ? a : b).next());
        values.push(...await Promise.all(pending));
      }
      assertDistinct(values);
    }
  });

  it('concurrent calls on one instance share reservations and get distinct values', async () => {
    const store = new MapStore();
    const counter = new PersistedMessageCounter({ store, key: 'group-data', blockSize: 10 });
    const values = await Promise.all(Array.from({ length: 3000 }, () => counter.next()));
    assertDistinct(values);
    assert.ok(store.increments <= 301, `${store.increments} reservations for 300 blocks`);
  });

  it('rolls over mod 2^32 like group counters may', async () => {
    const store = new MapStore();
    await store.setIfAbsent('group-data', new TextEncoder().encode(String(2 ** 32 - 3)));
    const values: number[] = [];
    await take(new PersistedMessageCounter({ store, key: 'group-data', blockSize: 4 }), 5, values);
    assert.deepEqual(values, [0xfffffffe, 0xffffffff, 0, 1, 2]);
  });

  it('a failed reservation rejects that call; later calls continue without reuse', async () => {
    const store = new MapStore();
    const counter = new PersistedMessageCounter({ store, key: 'group-data', blockSize: 4 });
    const values: number[] = [];
    await take(counter, 4, values);
    store.failIncrements = true;
    await assert.rejects(async () => counter.next(), /store unavailable/);
    store.failIncrements = false;
    await take(counter, 20, values);
    assertDistinct(values);
  });

  it('refuses a bad block size or key', () => {
    const store = new MapStore();
    for (const blockSize of [0, -1, 1.5, 2 ** 31]) {
      assert.throws(() => new PersistedMessageCounter({ store, key: 'k', blockSize }), RangeError);
    }
    assert.throws(() => new PersistedMessageCounter({ store, key: '' }), TypeError);
  });
});

type Window = SecureUnicastReceptionWindow | GroupReceptionWindow | UnencryptedReceptionWindow;
type WindowKind = 'unicast' | 'group' | 'unencrypted';
const windowKinds: Record<WindowKind, () => Window> = {
  unicast: () => { const w = new SecureUnicastReceptionWindow(); w.setCounter(0); return w; },
  group: () => new GroupReceptionWindow(),
  unencrypted: () => new UnencryptedReceptionWindow(),
};
const uint32 = fc.integer({ min: 0, max: 0xffffffff });

/**
 * Arriving counters as a walk from a random base: small steps (reordering around the bitmap and its edges), leaps,
 * and replays of a counter that arrived shortly before. Each message's MIC fails with probability 1/2.
 */
const traffic = fc.record({
  base: uint32,
  moves: fc.array(fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -40, max: 40 }).map((step) => ({ step })) },
    { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((step) => ({ step })) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 60 }).map((replay) => ({ replay })) },
  ), { minLength: 1, maxLength: 300, size: 'max' }),
  micFails: fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
});
type Traffic = typeof traffic extends fc.Arbitrary<infer T> ? T : never;

/** The counters of a walk; with `span`, every counter stays within `span` of the base (no wrap of the walk). */
function counters({ base, moves }: Traffic, span = 2 ** 32): number[] {
  const out: number[] = [];
  let offset = 0;
  for (const move of moves) {
    if ('replay' in move) {
      out.push(out[out.length - move.replay] ?? base);
    } else {
      offset = span < 2 ** 32 ? Math.min(span - 1, Math.max(0, offset + move.step)) : offset + move.step;
      out.push((base + offset) >>> 0);
    }
  }
  return out;
}

/** Feeds counters to a window the way the session layer does: verify, and commit what is new unless the MIC failed. */
function receive(window: Window, arriving: number[], micFails: boolean[],
  onVerdict: (counter: number, verdict: CounterVerdict) => void = () => undefined): void {
  arriving.forEach((counter, i) => {
    const verdict = window.verify(counter);
    onVerdict(counter, verdict);
    if (verdict === 'new' && !micFails[i]) window.commit(counter);
  });
}

/** The windows' rules restated over a set of the committed counters the bitmap still covers. */
class WindowModel {
  max: number | undefined;
  readonly behindMax = new Set<number>();
  constructor(readonly kind: WindowKind) {
    if (kind === 'unicast') this.max = 0;
  }
  #isAhead(counter: number, max: number): boolean {
    const ahead = (counter - max) >>> 0;
    return this.kind === 'unicast' ? counter > max : ahead >= 1 && ahead < 2 ** 31;
  }
  verify(counter: number): CounterVerdict {
    if (this.max === undefined || this.#isAhead(counter, this.max)) return 'new';
    const behind = (this.max - counter) >>> 0;
    if (behind === 0) return 'duplicate';
    if (behind > 32) return this.kind === 'unencrypted' ? 'new' : 'duplicate';
    return this.behindMax.has(counter) ? 'duplicate' : 'new';
  }
  /** Only for counters `verify` called new. */
  commit(counter: number): void {
    const max = this.max;
    if (max === undefined || (!this.#isAhead(counter, max) && ((max - counter) >>> 0) > 32)) {
      this.max = counter;
      this.behindMax.clear();
    } else if (this.#isAhead(counter, max)) {
      this.behindMax.add(max);
      this.max = counter;
      for (const c of this.behindMax) if (((counter - c) >>> 0) > 32) this.behindMax.delete(c);
    } else {
      this.behindMax.add(counter);
    }
  }
}

const allKinds: WindowKind[] = ['unicast', 'group', 'unencrypted'];

describe('reception window properties', () => {
  it('every kind gives the verdicts of a set-based model of the rules', () => {
    for (const kind of allKinds) {
      fc.assert(fc.property(traffic, (t) => {
        const window = windowKinds[kind]();
        const model = new WindowModel(kind);
        counters(t).forEach((counter, i) => {
          const verdict = window.verify(counter);
          assert.equal(verdict, model.verify(counter), `verdict for ${counter} at step ${i}`);
          if (verdict === 'new' && !t.micFails[i]) {
            window.commit(counter);
            model.commit(counter);
          }
        });
      }), { numRuns: 1000 });
    }
  });

  it('an encrypted window never accepts a committed counter again', () => {
    // Group counters roll over, so a counter comes round as new again once the max is 2^31 past it: that traffic
    // stays within a 2^31 - 1 span. Unicast counters never roll over, so any walk will do.
    const spans = { unicast: 2 ** 32, group: 2 ** 31 - 1 };
    for (const kind of ['unicast', 'group'] as const) {
      fc.assert(fc.property(traffic, (t) => {
        const window = windowKinds[kind]();
        const committed = new Set<number>();
        counters(t, spans[kind]).forEach((counter, i) => {
          const verdict = window.verify(counter);
          if (committed.has(counter)) assert.notEqual(verdict, 'new', `counter ${counter} accepted twice`);
          if (verdict === 'new' && !t.micFails[i]) {
            window.commit(counter);
            committed.add(counter);
          }
        });
        for (const counter of committed) assert.notEqual(window.verify(counter), 'new', `counter ${counter} after the walk`);
      }), { numRuns: 1500 });
    }
  });

  it('a committed counter is a duplicate right after its commit, for every kind', () => {
    for (const kind of allKinds) {
      fc.assert(fc.property(fc.array(uint32, { maxLength: 100, size: 'max' }), (arriving) => {
        const window = windowKinds[kind]();
        for (const counter of arriving) {
          if (window.verify(counter) !== 'new') continue;
          window.commit(counter);
          assert.equal(window.verify(counter), 'duplicate');
        }
      }), { numRuns: 500 });
    }
  });

  it('verify without commit changes nothing (a forged message leaves no trace)', () => {
    for (const kind of allKinds) {
      fc.assert(fc.property(traffic, fc.array(uint32, { minLength: 300, maxLength: 300 }), (t, forged) => {
        const arriving = counters(t);
        const plain = windowKinds[kind]();
        const attacked = windowKinds[kind]();
        const plainVerdicts: CounterVerdict[] = [];
        const attackedVerdicts: CounterVerdict[] = [];
        receive(plain, arriving, t.micFails, (_, verdict) => plainVerdicts.push(verdict));
        arriving.forEach((counter, i) => {
          attacked.verify(forged[i]!);
          attacked.verify((counter + 1) >>> 0);
          const verdict = attacked.verify(counter);
          attackedVerdicts.push(verdict);
          if (verdict === 'new' && !t.micFails[i]) attacked.commit(counter);
        });
        assert.deepEqual(attackedVerdicts, plainVerdicts);
        for (const probe of [...forged, ...arriving]) assert.equal(attacked.verify(probe), plain.verify(probe));
      }), { numRuns: 500 });
    }
  });

  it('commit of a counter verify did not call new changes nothing on encrypted windows', () => {
    for (const kind of ['unicast', 'group'] as const) {
      fc.assert(fc.property(traffic, (t) => {
        const arriving = counters(t);
        const careful = windowKinds[kind]();
        const careless = windowKinds[kind]();
        receive(careful, arriving, t.micFails);
        arriving.forEach((counter, i) => { if (!t.micFails[i]) careless.commit(counter); });
        for (const probe of arriving) assert.equal(careless.verify(probe), careful.verify(probe));
      }), { numRuns: 500 });
    }
  });
});
