// A KeyValueStore over a Durable Object's storage (ctx.storage), so a realm's resumption records and group counters
// persist with its object.
//
// Atomicity: a Durable Object has one live instance worldwide, and its input gate keeps other events out while a
// storage call is pending, but nothing orders the concurrent promises of one event (a request's read-modify-writes,
// a background counter reservation). So every call on a key joins that key's queue: a read and the write that follows
// it run with no other call on the key in between, and calls take effect in the order they were made. The output gate
// holds a response until the writes before it are durable. Keep the class SQLite-backed (new_sqlite_classes):
// key-value-backed objects cap values at 128 KiB.
import type { KeyValueStore } from '../storage/key-value-store.js';
import { counterBytes, incremented } from '../storage/decimal-counter.js';
import { KeyedQueue } from '../storage/keyed-queue.js';
import { checkIncrement, checkKey, checkPrefix, copyOfValue } from '../storage/store-arguments.js';
import { StoreLifecycle } from '../storage/store-lifecycle.js';
import type { DurableObjectStorageLike } from './workerd-types.js';

export class DurableObjectStore implements KeyValueStore {
  readonly #storage: DurableObjectStorageLike;
  readonly #queue = new KeyedQueue();
  readonly #lifecycle = new StoreLifecycle('DurableObjectStore');

  constructor(storage: DurableObjectStorageLike) {
    this.#storage = storage;
  }

  // Storage keeps values serialized and deserializes on each get, so what it returns is already a copy.
  #read(key: string): Promise<Uint8Array | undefined> {
    return this.#storage.get(key) as Promise<Uint8Array | undefined>;
  }

  #onKey<T>(key: string, operation: () => Promise<T>): Promise<T> {
    return this.#lifecycle.run(() => this.#queue.run(key, operation));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    return this.#onKey(key, () => this.#read(key));
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    const copy = copyOfValue(value);
    return this.#onKey(key, () => this.#storage.put(key, copy));
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.#onKey(key, () => this.#storage.delete(key));
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    // Storage orders keys by their UTF-8 bytes; the interface promises JavaScript's (UTF-16) order.
    return this.#lifecycle.run(async () => [...(await this.#storage.list({ prefix })).keys()].sort());
  }

  async setIfAbsent(key: string, value: Uint8Array): Promise<boolean> {
    checkKey(key);
    const copy = copyOfValue(value);
    return this.#onKey(key, async () => {
      if ((await this.#read(key)) !== undefined) return false;
      await this.#storage.put(key, copy);
      return true;
    });
  }

  async increment(key: string, by: number): Promise<number> {
    checkKey(key);
    checkIncrement(by);
    return this.#onKey(key, async () => {
      const next = incremented(key, await this.#read(key), by);
      await this.#storage.put(key, counterBytes(next));
      return next;
    });
  }

  /** The storage belongs to the object: closing only refuses later calls. */
  close(): Promise<void> {
    return this.#lifecycle.close(() => {});
  }
}
