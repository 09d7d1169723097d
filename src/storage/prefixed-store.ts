// A view of a store under a key prefix, so several realms (or deployments) share one store without colliding.
import type { KeyValueStore } from './key-value-store.js';

export function prefixedStore(store: KeyValueStore, prefix: string): KeyValueStore {
  return {
    get: (key) => store.get(prefix + key),
    set: (key, value) => store.set(prefix + key, value),
    delete: (key) => store.delete(prefix + key),
    list: async (p) => (await store.list(prefix + p)).map((key) => key.slice(prefix.length)),
    setIfAbsent: (key, value) => store.setIfAbsent(prefix + key, value),
    increment: (key, by) => store.increment(prefix + key, by),
    // The underlying store is shared; its owner closes it.
    close: () => Promise.resolve(),
  };
}
