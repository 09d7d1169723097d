// The default store: a Map in this process, for tests and for nodes whose sessions need not outlive the process.
import type { KeyValueStore } from './key-value-store.js';
import { checkIncrement, checkKey, checkPrefix, copyOfValue } from './store-arguments.js';
import { counterBytes, incremented } from './decimal-counter.js';
import { StoreLifecycle } from './store-lifecycle.js';

export class MemoryStore implements KeyValueStore {
  readonly #values = new Map<string, Uint8Array>();
  readonly #lifecycle = new StoreLifecycle('MemoryStore');

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    return this.#lifecycle.run(async () => {
      const value = this.#values.get(key);
      return value && new Uint8Array(value);
    });
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    const copy = copyOfValue(value);
    return this.#lifecycle.run(async () => {
      this.#values.set(key, copy);
    });
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.#lifecycle.run(async () => this.#values.delete(key));
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    return this.#lifecycle.run(async () => [...this.#values.keys()].filter((key) => key.startsWith(prefix)).sort());
  }

  // Each operation runs without an await between its read and its write, which is what makes it atomic here.
  async setIfAbsent(key: string, value: Uint8Array): Promise<boolean> {
    checkKey(key);
    const copy = copyOfValue(value);
    return this.#lifecycle.run(async () => {
      if (this.#values.has(key)) return false;
      this.#values.set(key, copy);
      return true;
    });
  }

  async increment(key: string, by: number): Promise<number> {
    checkKey(key);
    checkIncrement(by);
    return this.#lifecycle.run(async () => {
      const next = incremented(key, this.#values.get(key), by);
      this.#values.set(key, counterBytes(next));
      return next;
    });
  }

  close(): Promise<void> {
    return this.#lifecycle.close(() => this.#values.clear());
  }
}
