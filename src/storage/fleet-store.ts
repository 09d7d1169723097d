// What a store shared by an edge fleet provides (RedisStore implements it): session-id claims, and the guarded
// operations behind the fleet's nonce and replay safety (spec "Message Counters", "Message Counter Processing").
// Guarded operations run only while the store holds the epoch the caller joined, on the same server it was made
// on; otherwise they reject with FleetEpochError and change nothing. Each resolves the store's write generation,
// which the caller checks against what it saw before (a rollback shows as a generation that went back).
import type { KeyValueStore } from './key-value-store.js';

/** The keys one fleet session occupies. All of them expire unless renewed, or are removed when it closes. */
export interface FleetSessionKeys {
  /** The claim namespace (a realm, under the epoch) and the session id. */
  realm: string;
  id: number;
  /** The claim's owner: one token per claim, so a later session under the same id is told apart. */
  owner: string;
  session: string;
  window: string;
  counter: string;
}

export interface FleetGuard {
  /** The epoch token this instance joined. */
  token: string;
}

export interface Generation<T> {
  generation: number;
  result: T;
}

export type FleetVerdict = 'new' | 'duplicate' | 'unknown';
export type FleetCounterBlock = { start: number; end: number } | 'unknown' | 'exhausted';

export interface FleetStore extends KeyValueStore {
  claimSessionId(realm: string, id: number, owner: string, ttlMs?: number): Promise<boolean>;
  releaseSessionId(realm: string, id: number, owner: string): Promise<boolean>;
  sessionIdOwner(realm: string, id: number): Promise<string | undefined>;
  /** Joins the current epoch (or starts one, if there is none made on this server, or it is `stale`): its token. */
  joinFleetEpoch(proposal: string, stale: string | undefined, epochTtlMs: number): Promise<string>;
  openFleetSession(guard: FleetGuard, keys: FleetSessionKeys, state: Uint8Array, counterStart: number, ttlMs: number):
    Promise<Generation<boolean>>;
  commitFleetCounter(guard: FleetGuard, keys: FleetSessionKeys, counter: number, ttlMs: number): Promise<Generation<FleetVerdict>>;
  reserveFleetCounters(guard: FleetGuard, keys: FleetSessionKeys, blockSize: number): Promise<Generation<FleetCounterBlock>>;
  renewFleetLease(guard: FleetGuard, held: FleetSessionKeys[], ttlMs: number, epochTtlMs: number): Promise<Generation<boolean[]>>;
  closeFleetSession(keys: FleetSessionKeys): Promise<boolean>;
  /** set, with the key removed by the store `ttlMs` after this write. */
  setWithExpiry(key: string, value: Uint8Array, ttlMs: number): Promise<void>;
  /** get and delete as one atomic step: of callers racing for one key, exactly one gets its value. */
  take(key: string): Promise<Uint8Array | undefined>;
  /**
   * Writes `value` (undefined: deletes the key) only if the stored value is still `expected` (undefined: absent),
   * as one atomic step, with the key removed `ttlMs` after the write when given. Resolves whether it wrote: of
   * callers racing from the same `expected`, exactly one does.
   */
  compareAndSet(key: string, expected: Uint8Array | undefined, value: Uint8Array | undefined, ttlMs?: number): Promise<boolean>;
}

/**
 * The store no longer holds the fleet epoch the caller joined, or is a different server or replication history
 * than the one it was made on: state may have been lost or rolled back. Nothing was changed.
 */
export class FleetEpochError extends Error {
  override name = 'FleetEpochError';
}
