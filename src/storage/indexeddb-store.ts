// A store in the browser's IndexedDB, on idb-keyval. Each read-then-write (setIfAbsent, increment, delete) happens in
// one readwrite transaction, and IndexedDB runs readwrite transactions on a store one at a time, so they are atomic
// across tabs and workers of the origin too.
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { StorageArgumentError, type KeyValueStore } from './key-value-store.js';
import { checkIncrement, checkKey, checkPrefix, copyOfValue } from './store-arguments.js';
import { counterBytes, incremented } from './decimal-counter.js';
import { StoreLifecycle } from './store-lifecycle.js';

export class IndexedDbStore implements KeyValueStore {
  readonly #objectStore: UseStore;
  readonly #lifecycle = new StoreLifecycle('IndexedDbStore');

  /**
   * idb-keyval creates the object store only when it creates the database, so give each store a database name of its
   * own: a second object store name in an existing database is never created.
   */
  constructor(databaseName = 'matter-sessions', storeName = 'key-value') {
    for (const [name, value] of [['databaseName', databaseName], ['storeName', storeName]] as const) {
      if (typeof value !== 'string' || value.length === 0) {
        throw new StorageArgumentError(`${name}: expected a non-empty string, got ${typeof value}`);
      }
    }
    this.#objectStore = createStore(databaseName, storeName);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    return this.#lifecycle.run(() =>
      this.#objectStore('readonly', (store) => promisifyRequest<Uint8Array | undefined>(store.get(key))),
    );
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    const copy = copyOfValue(value);
    return this.#lifecycle.run(() =>
      this.#objectStore('readwrite', (store) => {
        store.put(copy, key);
        return promisifyRequest(store.transaction);
      }),
    );
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.#lifecycle.run(() =>
      this.#objectStore('readwrite', async (store) => {
        // Requests in a transaction run in order, so the count sees the key as it was just before the delete.
        const count = store.count(key);
        store.delete(key);
        await promisifyRequest(store.transaction);
        return count.result > 0;
      }),
    );
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    return this.#lifecycle.run(() =>
      this.#objectStore('readonly', (store) => new Promise<string[]>((resolve, reject) => {
        // Strings starting with the prefix sort together from the prefix on, in the order JS sorts strings.
        const keys: string[] = [];
        const cursor = store.openKeyCursor(IDBKeyRange.lowerBound(prefix));
        cursor.onerror = () => reject(cursor.error);
        cursor.onsuccess = () => {
          const position = cursor.result;
          if (position && typeof position.key === 'string' && position.key.startsWith(prefix)) {
            keys.push(position.key);
            position.continue();
          } else {
            resolve(keys);
          }
        };
      })),
    );
  }

  async setIfAbsent(key: string, value: Uint8Array): Promise<boolean> {
    checkKey(key);
    const copy = copyOfValue(value);
    return this.#lifecycle.run(() =>
      this.#readThenWrite(key, (current) => (current === undefined ? { write: copy, result: true } : { result: false })),
    );
  }

  async increment(key: string, by: number): Promise<number> {
    checkKey(key);
    checkIncrement(by);
    return this.#lifecycle.run(() =>
      this.#readThenWrite(key, (current) => {
        const next = incremented(key, current, by);
        return { write: counterBytes(next), result: next };
      }),
    );
  }

  close(): Promise<void> {
    return this.#lifecycle.close(async () => {
      const database = await this.#objectStore('readonly', (store) => store.transaction.db);
      database.close();
    });
  }

  /**
   * Reads `key` and writes what `decide` returns in the same readwrite transaction. Nothing may be awaited between
   * the read and the write: a transaction with no request pending at the end of a task commits.
   */
  #readThenWrite<T>(
    key: string,
    decide: (current: Uint8Array | undefined) => { write?: Uint8Array; result: T },
  ): Promise<T> {
    return this.#objectStore('readwrite', (store) => new Promise<T>((resolve, reject) => {
      const read = store.get(key);
      read.onerror = () => reject(read.error);
      read.onsuccess = () => {
        let outcome: { write?: Uint8Array; result: T };
        try {
          outcome = decide(read.result as Uint8Array | undefined);
        } catch (error) {
          reject(error);
          return;
        }
        if (outcome.write) store.put(outcome.write, key);
        promisifyRequest(store.transaction).then(() => resolve(outcome.result), reject);
      };
    }));
  }
}
