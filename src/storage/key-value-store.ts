// The one storage interface the session layer uses. Small on purpose: every backend (memory, file, IndexedDB,
// Redis, Durable Objects) implements it, and the two atomic operations are the ones distributed backends provide
// natively (SET NX, INCRBY), so the session layer never builds its own locking on top.

export interface KeyValueStore {
  /** The value stored under `key`, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores `value` under `key`. When the promise rejects, the previous value is intact. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** Removes `key`; resolves true if it existed. */
  delete(key: string): Promise<boolean>;
  /** Every key that starts with `prefix`, in ascending order. */
  list(prefix: string): Promise<string[]>;
  /** Stores `value` only if `key` is absent, atomically; resolves true if it was stored. */
  setIfAbsent(key: string, value: Uint8Array): Promise<boolean>;
  /**
   * Adds `by` to the integer stored under `key` (absent = 0), atomically, and resolves the new value. The value is
   * kept as decimal ASCII, as Redis INCRBY does, so `get` returns those bytes.
   */
  increment(key: string, by: number): Promise<number>;
  /** Releases what the store holds open (files, connections). */
  close(): Promise<void>;
}

/** Thrown by stores for invalid arguments (an empty key, a non-integer increment...). */
export class StorageArgumentError extends TypeError {
  override name = 'StorageArgumentError';
}
