// The storage conformance suite: what every KeyValueStore backend (memory, file, IndexedDB, later Redis and Durable
// Objects) must do. It has no imports at run time, the store comes from the factory, so the compiled file runs
// unchanged in Node, Deno, Bun, workerd and Chromium. Each check makes its own store and closes it.
//
// "Ascending order" for list() means JavaScript's string order (UTF-16 code units), the order IndexedDB keeps and
// Array.prototype.sort gives; a backend whose native order differs (UTF-8 bytes) sorts before returning.
import type { KeyValueStore } from '../../src/storage/key-value-store.js';
import { type Check, equal, equalBytes, fail } from './check.js';
export type { Check } from './check.js';


const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (value: Uint8Array | undefined): string => (value === undefined ? '(absent)' : decoder.decode(value));
const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

function equalList(actual: string[], expected: string[], what: string): void {
  if (!Array.isArray(actual) || show(actual) !== show(expected)) fail(`${what}: got ${show(actual)}, expected ${show(expected)}`);
}

/** The call must return a promise that rejects with `errorName`, its message mentioning `mentions`. */
async function rejects(call: () => Promise<unknown>, errorName: string, mentions: string, what: string): Promise<void> {
  let pending: Promise<unknown>;
  try {
    pending = call();
  } catch (e) {
    fail(`${what}: threw synchronously (${(e as Error).name}) instead of returning a rejected promise`);
  }
  try {
    await pending;
  } catch (e) {
    const error = e as Error;
    if (error.name !== errorName) fail(`${what}: rejected with ${error.name}: ${error.message}, expected ${errorName}`);
    if (!error.message.includes(mentions)) fail(`${what}: message "${error.message}" does not mention "${mentions}"`);
    return;
  }
  fail(`${what}: did not reject`);
}

/** Every key and value in the store, to show that a failed call changed nothing. */
async function snapshot(store: KeyValueStore): Promise<string> {
  const keys = await store.list('');
  const values = await Promise.all(keys.map(async (key) => Array.from((await store.get(key)) ?? [])));
  return show(keys.map((key, i) => [key, values[i]]));
}

export function storeChecks(makeStore: () => Promise<KeyValueStore>): Check[] {
  const check = (name: string, body: (store: KeyValueStore) => Promise<void>): Check => ({
    name,
    async run() {
      const store = await makeStore();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    },
  });

  return [
    check('get of an absent key resolves undefined', async (store) => {
      equal(await store.get('absent'), undefined, 'get');
    }),

    check('set then get round trips every byte value, an empty value and 1 MiB', async (store) => {
      const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const large = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7919) >>> 3);
      await store.set('all', allBytes);
      await store.set('empty', new Uint8Array(0));
      await store.set('large', large);
      equalBytes(await store.get('all'), allBytes, 'all byte values');
      equalBytes(await store.get('empty'), new Uint8Array(0), 'empty value');
      equalBytes(await store.get('large'), large, '1 MiB value');
    }),

    check('set overwrites the previous value, longer or shorter', async (store) => {
      await store.set('k', bytes('first value'));
      await store.set('k', bytes('second, longer value'));
      equal(text(await store.get('k')), 'second, longer value', 'after a longer overwrite');
      await store.set('k', bytes('3'));
      equal(text(await store.get('k')), '3', 'after a shorter overwrite');
    }),

    check('delete removes the key and resolves whether it existed', async (store) => {
      await store.set('k', bytes('v'));
      equal(await store.delete('k'), true, 'delete of a present key');
      equal(await store.get('k'), undefined, 'get after delete');
      equal(await store.delete('k'), false, 'second delete');
      equal(await store.delete('never-set'), false, 'delete of a key never set');
    }),

    check('values are copied in: changing the array after set or setIfAbsent changes nothing', async (store) => {
      const value = bytes('original');
      const writing = store.set('k', value);
      value.fill(0x21);
      await writing;
      equal(text(await store.get('k')), 'original', 'mutated before set settled');
      value.fill(0x22);
      equal(text(await store.get('k')), 'original', 'mutated after set settled');
      const other = bytes('absent before');
      const storing = store.setIfAbsent('other', other);
      other.fill(0x23);
      await storing;
      equal(text(await store.get('other')), 'absent before', 'mutated before setIfAbsent settled');
    }),

    check('values are copied out: changing a returned array changes nothing', async (store) => {
      await store.set('k', bytes('original'));
      const first = await store.get('k');
      first?.fill(0x21);
      equal(text(await store.get('k')), 'original', 'second get');
    }),

    check('a subarray is stored as exactly its own bytes', async (store) => {
      const backing = bytes('0123456789');
      await store.set('k', backing.subarray(3, 6));
      equalBytes(await store.get('k'), bytes('345'), 'get');
    }),

    check('keys with separators, dots, escapes, case and unicode are distinct and round trip', async (store) => {
      const keys = [
        'a/b', 'a%2fb', 'a%2Fb', 'a\\b', 'A', 'a', '.', '..', '../escape', '.tmp-x', 'k-a', 'con', 'NUL', ' ',
        'tab\there', 'nul\0byte', 'é', 'e\u0301', '\u{1F600}', '\uFFFD', '日本語/キー', '*', '?',
      ];
      for (const [i, key] of keys.entries()) await store.set(key, bytes(`value ${i}`));
      for (const [i, key] of keys.entries()) equal(text(await store.get(key)), `value ${i}`, `get ${show(key)}`);
      equalList(await store.list(''), [...keys].sort(), 'list("")');
    }),

    check('list returns the keys with the prefix in ascending order', async (store) => {
      const keys = ['b', 'ab', 'a', 'abc', 'a/2', 'a/10', 'a/1', 'A', 'ac', 'aa\u{1F600}', 'aa\uFFFD', 'aa', 'ba'];
      for (const key of keys) await store.set(key, bytes(key));
      equalList(await store.list(''), [...keys].sort(), 'list("")');
      equalList(await store.list('a'), ['a', 'a/1', 'a/10', 'a/2', 'aa', 'aa\u{1F600}', 'aa\uFFFD', 'ab', 'abc', 'ac'], 'list("a")');
      equalList(await store.list('a/'), ['a/1', 'a/10', 'a/2'], 'list("a/")');
      equalList(await store.list('aa'), ['aa', 'aa\u{1F600}', 'aa\uFFFD'], 'list("aa"): code-unit order');
      equalList(await store.list('abc'), ['abc'], 'list of an exact key');
      equalList(await store.list('abcd'), [], 'list("abcd")');
      equalList(await store.list('z'), [], 'list("z")');
    }),

    check('list treats the prefix literally, not as a pattern', async (store) => {
      for (const key of ['p*x', 'pax', 'p?y', 'pby', 'p[a]z', 'paz', 'p.q', 'p%q', 'p_q']) await store.set(key, bytes(key));
      equalList(await store.list('p*'), ['p*x'], 'list("p*")');
      equalList(await store.list('p?'), ['p?y'], 'list("p?")');
      equalList(await store.list('p[a]'), ['p[a]z'], 'list("p[a]")');
      equalList(await store.list('p.'), ['p.q'], 'list("p.")');
      equalList(await store.list('p%'), ['p%q'], 'list("p%")');
      equalList(await store.list('p_'), ['p_q'], 'list("p_")');
    }),

    check('list leaves out deleted keys', async (store) => {
      for (const key of ['s/1', 's/2', 's/3']) await store.set(key, bytes(key));
      await store.delete('s/2');
      equalList(await store.list('s/'), ['s/1', 's/3'], 'list after delete');
    }),

    check('setIfAbsent stores once, then resolves false and leaves the value untouched', async (store) => {
      equal(await store.setIfAbsent('k', bytes('first')), true, 'first setIfAbsent');
      equal(text(await store.get('k')), 'first', 'value after the first');
      equal(await store.setIfAbsent('k', bytes('second')), false, 'second setIfAbsent');
      equal(text(await store.get('k')), 'first', 'value after the second');
      await store.set('k', bytes('overwritten'));
      equal(await store.setIfAbsent('k', bytes('third')), false, 'setIfAbsent after set');
      equal(text(await store.get('k')), 'overwritten', 'value after the third');
    }),

    check('setIfAbsent stores again once the key is deleted', async (store) => {
      await store.set('k', bytes('old'));
      await store.delete('k');
      equal(await store.setIfAbsent('k', bytes('new')), true, 'setIfAbsent after delete');
      equal(text(await store.get('k')), 'new', 'value');
    }),

    check('increment starts an absent key from zero', async (store) => {
      equal(await store.increment('up', 5), 5, 'increment of an absent key by 5');
      equal(await store.increment('up', 1), 6, 'then by 1');
      equal(await store.increment('zero', 0), 0, 'increment of an absent key by 0');
      equal(text(await store.get('zero')), '0', 'increment by 0 stores "0"');
    }),

    check('increment takes negative amounts and goes below zero', async (store) => {
      equal(await store.increment('n', -3), -3, 'from absent by -3');
      equal(await store.increment('n', 10), 7, 'by 10');
      equal(await store.increment('n', -7), 0, 'back to 0');
      equal(await store.increment('n', -1), -1, 'below 0');
      equal(await store.increment('n', 0), -1, 'by 0');
      equal(text(await store.get('n')), '-1', 'stored');
    }),

    check('increment stores decimal ASCII that get returns, and continues from a decimal set', async (store) => {
      await store.increment('c', 42);
      equalBytes(await store.get('c'), bytes('42'), 'get after increment');
      await store.set('d', bytes('-17'));
      equal(await store.increment('d', 20), 3, 'increment of a value set as "-17"');
      equal(await store.increment('big', 2 ** 53 - 2), 2 ** 53 - 2, 'a large increment');
      equal(text(await store.get('big')), '9007199254740990', 'large value stored in full, not in exponent form');
      equal(await store.increment('big', 1), 2 ** 53 - 1, 'up to the largest safe integer');
    }),

    check('increment rejects a stored value that is not a decimal integer and leaves it as it was', async (store) => {
      const notIntegers = ['abc', '1.5', ' 1', '1 ', '01', '-0', '+1', '', '1e3', '0x10', '99999999999999999999'];
      for (const [i, stored] of notIntegers.entries()) {
        await store.set(`v${i}`, bytes(stored));
        await rejects(() => store.increment(`v${i}`, 1), 'StorageArgumentError', 'key', `increment of ${show(stored)}`);
        equal(text(await store.get(`v${i}`)), stored, `value ${show(stored)} after the failed increment`);
      }
      await store.set('binary', Uint8Array.of(0xff, 0x31));
      await rejects(() => store.increment('binary', 1), 'StorageArgumentError', 'key', 'increment of non-UTF-8 bytes');
      equalBytes(await store.get('binary'), Uint8Array.of(0xff, 0x31), 'binary value after the failed increment');
    }),

    check('increment rejects a result outside the safe integer range and leaves the value', async (store) => {
      await store.set('max', bytes(String(Number.MAX_SAFE_INTEGER)));
      await rejects(() => store.increment('max', 1), 'StorageArgumentError', 'by', 'increment past the maximum');
      equal(text(await store.get('max')), String(Number.MAX_SAFE_INTEGER), 'value after the failed increment');
      await store.set('min', bytes(String(Number.MIN_SAFE_INTEGER)));
      await rejects(() => store.increment('min', -1), 'StorageArgumentError', 'by', 'increment past the minimum');
      equal(text(await store.get('min')), String(Number.MIN_SAFE_INTEGER), 'value after the failed decrement');
    }),

    check('100 concurrent increments each see a distinct value and sum exactly', async (store) => {
      const results = await Promise.all(Array.from({ length: 100 }, () => store.increment('counter', 1)));
      equal(show([...results].sort((a, b) => a - b)), show(Array.from({ length: 100 }, (_, i) => i + 1)), 'results');
      equal(text(await store.get('counter')), '100', 'final value');
      const mixed = await Promise.all(Array.from({ length: 100 }, (_, i) => store.increment('mixed', i % 2 ? 3 : -1)));
      equal(new Set(mixed).size, 100, 'distinct results of mixed increments');
      equal(text(await store.get('mixed')), '100', 'final value of 50 × 3 and 50 × -1');
    }),

    check('50 concurrent setIfAbsent calls on one key have exactly one winner, whose value stays', async (store) => {
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => store.setIfAbsent('once', bytes(`writer ${i}`))));
      const winners = outcomes.flatMap((won, i) => (won ? [i] : []));
      equal(winners.length, 1, 'number of winners');
      equal(text(await store.get('once')), `writer ${winners[0]}`, 'stored value');
    }),

    check('invalid arguments reject with StorageArgumentError naming the argument and change nothing', async (store) => {
      await store.set('keep', Uint8Array.of(1, 2, 3));
      await store.increment('n', 5);
      const before = await snapshot(store);
      const value = Uint8Array.of(9);
      const invalidCalls: [string, string, () => Promise<unknown>][] = [
        ['get("")', 'key', () => store.get('')],
        ['get(42)', 'key', () => store.get(42 as never)],
        ['get(undefined)', 'key', () => store.get(undefined as never)],
        ['get(lone surrogate)', 'key', () => store.get('a\uD800')],
        ['set("", value)', 'key', () => store.set('', value)],
        ['set(null, value)', 'key', () => store.set(null as never, value)],
        ['set(lone surrogate, value)', 'key', () => store.set('\uDC00', value)],
        ['set(key, string)', 'value', () => store.set('keep', 'text' as never)],
        ['set(key, number[])', 'value', () => store.set('keep', [1, 2] as never)],
        ['set(key, ArrayBuffer)', 'value', () => store.set('keep', new ArrayBuffer(2) as never)],
        ['set(key, DataView)', 'value', () => store.set('keep', new DataView(new ArrayBuffer(2)) as never)],
        ['set(key, Uint16Array)', 'value', () => store.set('keep', new Uint16Array(2) as never)],
        ['set(key, undefined)', 'value', () => store.set('keep', undefined as never)],
        ['set(new key, undefined)', 'value', () => store.set('new', undefined as never)],
        ['delete("")', 'key', () => store.delete('')],
        ['delete({})', 'key', () => store.delete({} as never)],
        ['list(5)', 'prefix', () => store.list(5 as never)],
        ['list(undefined)', 'prefix', () => store.list(undefined as never)],
        ['setIfAbsent("", value)', 'key', () => store.setIfAbsent('', value)],
        ['setIfAbsent(new key, string)', 'value', () => store.setIfAbsent('new', 'text' as never)],
        ['increment("", 1)', 'key', () => store.increment('', 1)],
        ['increment(key, 1.5)', 'by', () => store.increment('n', 1.5)],
        ['increment(key, NaN)', 'by', () => store.increment('n', NaN)],
        ['increment(key, Infinity)', 'by', () => store.increment('n', Infinity)],
        ['increment(key, 2^53)', 'by', () => store.increment('n', 2 ** 53)],
        ['increment(key, "1")', 'by', () => store.increment('n', '1' as never)],
        ['increment(key, 1n)', 'by', () => store.increment('n', 1n as never)],
        ['increment(new key, 0.5)', 'by', () => store.increment('new', 0.5)],
      ];
      for (const [what, argument, call] of invalidCalls) {
        await rejects(call, 'StorageArgumentError', argument, what);
      }
      equal(await snapshot(store), before, 'store contents after the invalid calls');
    }),

    check('close lets writes in flight finish, can be repeated, and later calls reject', async (store) => {
      let settled = 0;
      const writing = store.set('k', bytes('v')).then(() => settled++);
      const counting = store.increment('n', 1).finally(() => settled++);
      await store.close();
      equal(settled, 2, 'operations settled before close resolved');
      await writing;
      equal(await counting, 1, 'increment started before close');
      await store.close();
      let rejected = false;
      await store.get('k').catch(() => (rejected = true));
      equal(rejected, true, 'get after close rejected');
    }),
  ];
}
