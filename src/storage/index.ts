// Universal stores only; FileStore (Node) is exported from the `matter-sessions/node` entry.
export { type KeyValueStore, StorageArgumentError } from './key-value-store.js';
export { MemoryStore } from './memory-store.js';
export { StoreClosedError, StoreUnavailableError } from './store-lifecycle.js';
export { IndexedDbStore } from './indexeddb-store.js';
