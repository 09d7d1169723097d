// RedisStore: the KeyValueStore on Redis, shared by every instance of an edge fleet, plus the atomic operations such a
// fleet needs so that instances never hand out the same session id, never reuse an outgoing message counter and
// never accept a message another instance already accepted. Node and the server runtimes that run Node's net
// module (Bun, Deno); the client is ioredis.
//
// Mapping: get GET, set SET, delete DEL, setIfAbsent SET NX, list SCAN MATCH <prefix>* (then sorted in JavaScript
// string order, Redis hands keys out unordered and compares bytes), increment and the fleet operations are Lua
// scripts (redis-scripts.ts), each one atomic server-side step. Keys are UTF-8, `keyPrefix` + key; values are the
// bytes given, binary-safe.
//
// Availability: an operation never waits more than `timeoutMs` (default 1000) for a connection, nor more than
// `timeoutMs` (+ 250 ms of slack) for the reply once sent, so it settles within about 2 × timeoutMs, and within
// timeoutMs when Redis is down or frozen (measured: 1.0 s with the default). Past that it rejects with
// StoreUnavailableError (an edge app answers 503). The client reconnects by itself (backoff up to 500 ms) and a
// connection that receives nothing for `timeoutMs` while a reply is owed is dropped and reopened, so a frozen or
// partitioned server is noticed and the store recovers once Redis answers again. Commands are never queued while
// disconnected, nor resent after a reconnect: a rejected operation is not silently applied later by this client.
// A command that was sent but got no reply may still have been applied by Redis: such errors say maybeApplied.
import { StoreUnavailableError } from './store-lifecycle.js';
import { Buffer } from 'node:buffer';
import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { sessionId, uint32 } from '../core/arguments.js';
import { StorageArgumentError, type KeyValueStore } from './key-value-store.js';
import { checkIncrement, checkKey, checkPrefix, copyOfValue } from './store-arguments.js';
import { incremented } from './decimal-counter.js';
import { StoreLifecycle } from './store-lifecycle.js';
import { CHECK_AND_COMMIT, CLAIM, COMPARE_AND_SET, INCREMENT, RELEASE, type RedisScript } from './redis-scripts.js';
import { CLOSE_SESSION, COMMIT_COUNTER, JOIN_EPOCH, OPEN_SESSION, RENEW_LEASE, RESERVE_COUNTERS } from './redis-fleet-scripts.js';
import {
  FleetEpochError, type FleetCounterBlock, type FleetGuard, type FleetSessionKeys, type FleetStore, type FleetVerdict,
  type Generation,
} from './fleet-store.js';

export interface RedisStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
  url: string;
  /**
   * Prepended to every key, so one Redis can hold several deployments (e.g. `matter:prod:`). Default none. End it
   * with a separator: a prefix that starts another (`a:` and `a:b:`) would list the other's keys.
   */
  keyPrefix?: string;
  /** The longest an operation waits for a connection, and then for its reply, in ms. Default 1000. */
  timeoutMs?: number;
  /** Shown by CLIENT LIST, to tell the instances apart. */
  connectionName?: string;
}

/**
 * The store cannot reach its backend in time (no connection, no reply, or the server refusing work while loading,
 * busy, read-only or out of memory). Temporary by nature: answer 503 and retry later.
 * `maybeApplied` is false when the operation was never executed (it was not sent, or the server refused it before
 * running it): nothing changed. It is true when the command was sent and the reply never came: the write may or may
 * not have taken effect, so retry only what is idempotent (set, delete, claimSessionId by the same owner) or check.
 */
/** reserveCounterBlock: the block would pass the counter's limit. Nothing was reserved. */
export { StoreUnavailableError };

export class CounterExhaustedError extends RangeError {
  override name = 'CounterExhaustedError';
}

/** claimRandomFreeSessionId: every candidate id tried was taken. Nothing was claimed. */
export class NoFreeSessionIdError extends Error {
  override name = 'NoFreeSessionIdError';
}

/** Counters `start + 1` to `end` inclusive belong to the caller alone: `(start, end]`. */
export interface CounterBlock {
  start: number;
  end: number;
}

/** The verdicts of the shared secure unicast window (SecureUnicastReceptionWindow's, without 'rejected'). */
export type SharedCounterVerdict = 'new' | 'duplicate';

const DEFAULT_TIMEOUT_MS = 1000;
/** Matter message counters are 32-bit and secure unicast ones never roll over. */
const DEFAULT_COUNTER_LIMIT = 0xffffffff;
/** claimRandomFreeSessionId: candidates per script run, and runs, before giving up. */
const CANDIDATES_PER_ROUND = 8;
const CLAIM_ROUNDS = 16;
const SCAN_COUNT = 1000;
const MAX_RECONNECT_DELAY_MS = 500;
/** Reply errors meaning the server did not run the command and may later: loading, busy, failing over, full. */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM|NOREPLICAS)\b/;
const OFFLINE_REJECTION = "Stream isn't writeable";

const LONE_SURROGATE = /\p{Surrogate}/u;
const GLOB_SPECIAL = /[*?[\]\\]/g;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value;
}

/** A name that becomes part of a key: a non-empty string UTF-8 can carry. */
function checkName(argument: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || LONE_SURROGATE.test(value)) {
    throw new StorageArgumentError(`${argument}: expected a non-empty string without lone surrogates, got ${describe(value)}`);
  }
  return value;
}

function checkPositive(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new StorageArgumentError(`${argument}: expected a positive safe integer, got ${typeof value === 'number' ? value : describe(value)}`);
  }
  return value;
}

const optionalTtl = (ttlMs: unknown): number => (ttlMs === undefined ? 0 : checkPositive('ttlMs', ttlMs));

const asBuffer = (value: Uint8Array): Buffer => Buffer.from(value.buffer, value.byteOffset, value.byteLength);

export class RedisStore implements KeyValueStore, FleetStore {
  /** The prefix every key of this store carries in Redis. */
  readonly keyPrefix: string;
  readonly #client: Redis;
  readonly #timeoutMs: number;
  readonly #endpoint: string;
  readonly #lifecycle = new StoreLifecycle('RedisStore');
  /** Waiting for the connection to be ready: called with nothing when it is. */
  readonly #readyWaiters = new Set<() => void>();
  /** Sent and not answered: called with the error when the connection drops. */
  readonly #awaitingReply = new Set<(error: StoreUnavailableError) => void>();
  #lastError: Error | undefined;

  private constructor(client: Redis, keyPrefix: string, timeoutMs: number) {
    this.#client = client;
    this.keyPrefix = keyPrefix;
    this.#timeoutMs = timeoutMs;
    const { host, port, path } = client.options as { host?: string; port?: number; path?: string };
    this.#endpoint = path ?? `${host}:${port}`;
    client.on('error', (error: Error) => (this.#lastError = error));
    client.on('ready', () => {
      this.#lastError = undefined;
      for (const ready of [...this.#readyWaiters]) ready();
    });
    client.on('close', () => {
      const lost = new StoreUnavailableError(`RedisStore: the connection to Redis at ${this.#endpoint} was lost before the reply came`, {
        maybeApplied: true,
        cause: this.#lastError,
      });
      for (const abort of [...this.#awaitingReply]) abort(lost);
    });
  }

  /**
   * Connects to Redis and resolves once the connection is ready. Rejects with StoreUnavailableError if that takes
   * longer than `timeoutMs`, and with StorageArgumentError for invalid options.
   */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    if (typeof options !== 'object' || options === null) {
      throw new StorageArgumentError(`options: expected an object, got ${describe(options)}`);
    }
    const { url, keyPrefix = '', timeoutMs = DEFAULT_TIMEOUT_MS, connectionName } = options;
    if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
      throw new StorageArgumentError(`url: expected a redis:// or rediss:// URL, got ${typeof url === 'string' ? 'another string' : describe(url)}`);
    }
    if (typeof keyPrefix !== 'string' || LONE_SURROGATE.test(keyPrefix)) {
      throw new StorageArgumentError(`keyPrefix: expected a string without lone surrogates, got ${describe(keyPrefix)}`);
    }
    checkPositive('timeoutMs', timeoutMs);
    const client = new Redis(url, {
      lazyConnect: true,
      connectionName,
      connectTimeout: timeoutMs,
      // A connection that owes replies and receives nothing for this long is destroyed, then reopened.
      socketTimeout: timeoutMs,
      disconnectTimeout: timeoutMs,
      // Fail fast instead of queueing while disconnected, never resend after a reconnect, and reject commands in
      // flight as soon as their connection closes.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      // Integer replies as decimal strings, converted here with Number(): ioredis 6's integer parser rounds values
      // just below 2^53 (9007199254740991 comes back as ...992: it adds the digit's char code before subtracting
      // '0', passing 2^53 on the way).
      stringNumbers: true,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt - 1, 4), MAX_RECONNECT_DELAY_MS),
      // A primary that became a replica (failover): reconnect, DNS may lead to the new primary.
      reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
    });
    const store = new RedisStore(client, keyPrefix, timeoutMs);
    client.connect().catch(() => {}); // failures are retried by retryStrategy and reported through #whenReady
    try {
      await store.#whenReady();
    } catch (error) {
      client.disconnect();
      throw error;
    }
    return store;
  }

  /** Whether the connection is up right now (operations may still fail). */
  get connected(): boolean {
    return this.#client.status === 'ready';
  }

  // ---- KeyValueStore ----

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    return this.#lifecycle.run(() =>
      this.#call((redis) => redis.getBuffer(this.#key(key))).then((value) => (value === null ? undefined : new Uint8Array(value))),
    );
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    const copy = copyOfValue(value);
    return this.#lifecycle.run(() => this.#call((redis) => redis.set(this.#key(key), asBuffer(copy))).then(() => {}));
  }

  /** set, and Redis removes the key `ttlMs` after this write (SET PX). */
  async setWithExpiry(key: string, value: Uint8Array, ttlMs: number): Promise<void> {
    checkKey(key);
    checkPositive('ttlMs', ttlMs);
    const copy = copyOfValue(value);
    return this.#lifecycle.run(() => this.#call((redis) => redis.set(this.#key(key), asBuffer(copy), 'PX', ttlMs)).then(() => {}));
  }

  /** get and delete in one step (GETDEL): of callers racing for one key, exactly one gets its value. */
  async take(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    return this.#lifecycle.run(() =>
      this.#call((redis) => redis.getdelBuffer(this.#key(key))).then((value) => (value === null ? undefined : new Uint8Array(value))),
    );
  }

  /** Compare-and-set (or delete) in one script (COMPARE_AND_SET): of callers racing from one value, one writes. */
  async compareAndSet(key: string, expected: Uint8Array | undefined, value: Uint8Array | undefined, ttlMs?: number): Promise<boolean> {
    checkKey(key);
    const ttl = optionalTtl(ttlMs);
    for (const [name, bytes] of [['expected', expected], ['value', value]] as const) {
      if (bytes !== undefined && (!(bytes instanceof Uint8Array) || bytes.length === 0)) {
        throw new StorageArgumentError(`${name}: expected non-empty bytes or undefined`);
      }
    }
    const args = [expected ? asBuffer(copyOfValue(expected)) : '', value ? asBuffer(copyOfValue(value)) : '', ttl];
    return this.#lifecycle.run(async () => Number(await this.#script(COMPARE_AND_SET, [this.#key(key)], args)) === 1);
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.#lifecycle.run(() => this.#call((redis) => redis.del(this.#key(key))).then((removed) => Number(removed) > 0));
  }

  /**
   * SCAN walks the keyspace in steps, so a key added or removed while list runs may or may not be in the result;
   * a key present throughout always is.
   */
  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    return this.#lifecycle.run(async () => {
      const fullPrefix = this.#key(prefix);
      const pattern = `${fullPrefix.replace(GLOB_SPECIAL, '\\$&')}*`;
      const found = new Set<string>(); // SCAN may return a key twice
      let cursor = '0';
      do {
        const [next, keys] = await this.#call((redis) => redis.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT));
        cursor = next.toString('latin1');
        for (const raw of keys) {
          let key: string;
          try {
            key = strictUtf8.decode(raw);
          } catch {
            continue; // not UTF-8, so not written by a RedisStore
          }
          if (key.startsWith(fullPrefix)) found.add(key.slice(this.keyPrefix.length));
        }
      } while (cursor !== '0');
      return [...found].sort();
    });
  }

  async setIfAbsent(key: string, value: Uint8Array): Promise<boolean> {
    checkKey(key);
    const copy = copyOfValue(value);
    return this.#lifecycle.run(() => this.#call((redis) => redis.set(this.#key(key), asBuffer(copy), 'NX')).then((reply) => reply === 'OK'));
  }

  async increment(key: string, by: number): Promise<number> {
    checkKey(key);
    checkIncrement(by);
    return this.#lifecycle.run(async () => {
      const [status, value] = await this.#incrementScript(key, by, Number.MAX_SAFE_INTEGER);
      if (status === 1) return Number(value);
      incremented(key, utf8.encode(value), by); // throws the same StorageArgumentError as the other stores
      throw new Error(`RedisStore: the increment script refused ${JSON.stringify(key)} += ${by} without a reason`);
    });
  }

  /** Refuses new operations, lets those in flight settle, then closes the connection (QUIT, bounded by timeoutMs). */
  close(): Promise<void> {
    return this.#lifecycle.close(async () => {
      const client = this.#client;
      if (client.status === 'ready') {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#timeoutMs)));
        await Promise.race([client.quit().catch(() => {}), timeout]);
        clearTimeout(timer);
      }
      client.disconnect();
      for (const ready of [...this.#readyWaiters]) ready();
    });
  }

  // ---- Fleet: session ids ----
  // One Redis key per claimed id, `session-id/<realm>/<id>` under the key prefix, holding the owner. A realm is one
  // session id space: the node identity the fleet answers as (Matter session ids are unique per node, 1 to 65535).

  /**
   * Claims session id `id` in `realm` for `owner` (an instance, or an instance and session). Resolves true if `owner`
   * now holds it: it was free, or `owner` already held it (so a claim retried after a lost reply succeeds). Resolves
   * false if another owner holds it. With `ttlMs` the claim lapses after that long unless claimed again (which
   * renews it); without, it lasts until released. Owners must be unique per instance: an instance that needs its
   * own sessions kept apart either tracks the ids it holds or uses one owner per session.
   */
  async claimSessionId(realm: string, id: number, owner: string, ttlMs?: number): Promise<boolean> {
    const key = this.#sessionIdKey(checkName('realm', realm), sessionId(id));
    checkName('owner', owner);
    const ttl = optionalTtl(ttlMs);
    return this.#lifecycle.run(async () => Number(await this.#script(CLAIM, [key], [owner, ttl, 1])) === 1);
  }

  /** Releases `id` if `owner` still holds it; resolves whether it did. Another owner's claim stays. */
  async releaseSessionId(realm: string, id: number, owner: string): Promise<boolean> {
    const key = this.#sessionIdKey(checkName('realm', realm), sessionId(id));
    checkName('owner', owner);
    return this.#lifecycle.run(async () => Number(await this.#script(RELEASE, [key], [owner])) === 1);
  }

  /** Who holds `id` in `realm`, or undefined: to route a message to the instance that owns its session. */
  async sessionIdOwner(realm: string, id: number): Promise<string | undefined> {
    const key = this.#sessionIdKey(checkName('realm', realm), sessionId(id));
    return this.#lifecycle.run(() => this.#call((redis) => redis.get(key)).then((owner) => owner ?? undefined));
  }

  /**
   * Claims a random free session id in `realm` for `owner` and resolves it. Each round is one script that tries 8
   * distinct random ids in order and claims the first free one (ids `owner` already holds count as taken); after
   * 16 rounds (128 ids) it rejects with NoFreeSessionIdError. With a third of the 65,535 ids taken, one call in
   * 6,500 needs a second round, and 16 rounds all fail with probability 10^-61.
   */
  async claimRandomFreeSessionId(realm: string, owner: string, ttlMs?: number): Promise<number> {
    checkName('realm', realm);
    checkName('owner', owner);
    const ttl = optionalTtl(ttlMs);
    return this.#lifecycle.run(async () => {
      for (let round = 0; round < CLAIM_ROUNDS; round++) {
        const candidates = new Set<number>();
        while (candidates.size < CANDIDATES_PER_ROUND) candidates.add(randomInt(1, 0x10000));
        const ids = [...candidates];
        const claimed = Number(await this.#script(CLAIM, ids.map((id) => this.#sessionIdKey(realm, id)), [owner, ttl, 0]));
        if (claimed > 0) return ids[claimed - 1]!;
      }
      throw new NoFreeSessionIdError(`realm ${JSON.stringify(realm)}: ${CLAIM_ROUNDS * CANDIDATES_PER_ROUND} random session ids tried, all taken`);
    });
  }

  // ---- Fleet: outgoing message counters ----

  /**
   * Reserves the next `blockSize` values of the counter under `key` (a decimal ASCII counter, as increment keeps,
   * absent = 0) in one INCRBY and resolves the block `(start, end]`: counters start + 1 .. end are the caller's and
   * no other reservation, by any instance or after any restart, overlaps them. Rejects with CounterExhaustedError,
   * reserving nothing, if `end` would pass `limit` (default 2^32 - 1, where Matter's message counters stop).
   * To start a counter at a random value, setIfAbsent it first.
   */
  async reserveCounterBlock(key: string, blockSize: number, options?: { limit?: number }): Promise<CounterBlock> {
    checkKey(key);
    checkPositive('blockSize', blockSize);
    const limit = options?.limit ?? DEFAULT_COUNTER_LIMIT;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit)) {
      throw new StorageArgumentError(`limit: expected a safe integer, got ${typeof limit === 'number' ? limit : describe(limit)}`);
    }
    return this.#lifecycle.run(async () => {
      const [status, value] = await this.#incrementScript(key, blockSize, limit);
      if (status === 1) return { start: Number(value) - blockSize, end: Number(value) };
      if (status === 0) incremented(key, utf8.encode(value), blockSize); // not a decimal safe integer: throws
      throw new CounterExhaustedError(
        `blockSize: reserving ${blockSize} after ${value} under key ${JSON.stringify(key)} passes the limit ${limit}`,
      );
    });
  }

  // ---- Fleet: the shared secure unicast reception window ----
  // The window (SecureUnicastReceptionWindow's max and 32-counter bitmap) is kept under `windowKey` as "max:seen"
  // in decimal. Absent means "0:0", the state activation leaves: the peer's first counter (at least 1) is new and 0
  // never is. Delete the key with the session. An edge fleet uses commitFleetCounter instead, where an absent window
  // means an unknown session: a store that lost the key must not accept the session's old counters again.

  /** SecureUnicastReceptionWindow.setCounter: `value` becomes the max and everything up to it a duplicate. */
  async setReceptionCounter(windowKey: string, value: number, ttlMs?: number): Promise<void> {
    checkKey(windowKey);
    uint32('value', value);
    const ttl = optionalTtl(ttlMs);
    const stored = `${value}:0`;
    return this.#lifecycle.run(() =>
      this.#call((redis) => (ttl > 0 ? redis.set(this.#key(windowKey), stored, 'PX', ttl) : redis.set(this.#key(windowKey), stored))).then(() => {}),
    );
  }

  /**
   * SecureUnicastReceptionWindow.verify, and commit when new, as one atomic step shared by every instance: 'new'
   * exactly once per counter, whichever instance receives it, 'duplicate' for a replay. Call it once the message's
   * MIC has checked out (a forged message must not burn a counter: a commit cannot be undone); on 'duplicate' drop
   * the payload but still acknowledge it if it asked for an ack. Rejects with RangeError for a counter outside
   * 0 .. 2^32 - 1, as the in-memory window does.
   */
  async checkAndCommitCounter(windowKey: string, counter: number): Promise<SharedCounterVerdict> {
    checkKey(windowKey);
    uint32('counter', counter);
    return this.#lifecycle.run(async () => {
      try {
        return (await this.#script(CHECK_AND_COMMIT, [this.#key(windowKey)], [counter])) as SharedCounterVerdict;
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('NOTWINDOW')) {
          throw new StorageArgumentError(`windowKey: ${JSON.stringify(windowKey)} holds a value that is not a reception window`);
        }
        throw error;
      }
    });
  }

  // ---- Fleet: the epoch guard (redis-fleet-scripts.ts) ----
  // Keys: `fleet/epoch` and `fleet/generation` under the key prefix, plus the ones each session names. Every
  // guarded call rejects with FleetEpochError, changing nothing, when the epoch is not `guard.token` made on the
  // Redis process and replication history answering now.

  /** Joins the epoch stored in Redis, or stores `proposal` as a new one (none, made elsewhere, or `stale`). */
  async joinFleetEpoch(proposal: string, stale: string | undefined, epochTtlMs: number): Promise<string> {
    checkName('proposal', proposal);
    if (proposal.includes('/')) throw new StorageArgumentError('proposal: expected a token without "/"');
    checkPositive('epochTtlMs', epochTtlMs);
    return this.#lifecycle.run(async () => String(await this.#script(JOIN_EPOCH, this.#epochKeys(), [proposal, stale ?? '', epochTtlMs])));
  }

  async openFleetSession(guard: FleetGuard, keys: FleetSessionKeys, state: Uint8Array, counterStart: number, ttlMs: number):
    Promise<Generation<boolean>> {
    const sessionKeys = this.#fleetKeys(keys);
    uint32('counterStart', counterStart);
    checkPositive('ttlMs', ttlMs);
    const value = asBuffer(copyOfValue(state));
    return this.#lifecycle.run(async () => {
      const [generation, opened] = await this.#guarded(OPEN_SESSION, sessionKeys, [guard.token, keys.owner, ttlMs, value, counterStart]);
      return { generation: Number(generation), result: Number(opened) === 1 };
    });
  }

  async commitFleetCounter(guard: FleetGuard, keys: FleetSessionKeys, counter: number, ttlMs: number): Promise<Generation<FleetVerdict>> {
    const sessionKeys = this.#fleetKeys(keys);
    uint32('counter', counter);
    checkPositive('ttlMs', ttlMs);
    return this.#lifecycle.run(async () => {
      const [generation, verdict] = await this.#guarded(COMMIT_COUNTER, sessionKeys, [guard.token, keys.owner, ttlMs, counter]);
      return { generation: Number(generation), result: String(verdict) as FleetVerdict };
    });
  }

  async reserveFleetCounters(guard: FleetGuard, keys: FleetSessionKeys, blockSize: number): Promise<Generation<FleetCounterBlock>> {
    const [claim, , , counter] = this.#fleetKeys(keys);
    checkPositive('blockSize', blockSize);
    return this.#lifecycle.run(async () => {
      const [generation, status, value] = await this.#guarded(RESERVE_COUNTERS, [claim!, counter!],
        [guard.token, keys.owner, blockSize, DEFAULT_COUNTER_LIMIT]);
      const result: FleetCounterBlock = status === 'ok' ? { start: Number(value) - blockSize, end: Number(value) }
        : status === 'exhausted' ? 'exhausted' : 'unknown';
      return { generation: Number(generation), result };
    });
  }

  async renewFleetLease(guard: FleetGuard, held: FleetSessionKeys[], ttlMs: number, epochTtlMs: number): Promise<Generation<boolean[]>> {
    const keys = held.flatMap((entry) => this.#fleetKeys(entry));
    checkPositive('ttlMs', ttlMs);
    checkPositive('epochTtlMs', epochTtlMs);
    return this.#lifecycle.run(async () => {
      const [generation, ...flags] = await this.#guarded(RENEW_LEASE, keys, [guard.token, ttlMs, epochTtlMs, ...held.map((e) => e.owner)]);
      return { generation: Number(generation), result: flags.map((flag) => Number(flag) === 1) };
    });
  }

  async closeFleetSession(keys: FleetSessionKeys): Promise<boolean> {
    const sessionKeys = this.#fleetKeys(keys);
    return this.#lifecycle.run(async () => Number(await this.#script(CLOSE_SESSION, sessionKeys, [keys.owner])) === 1);
  }

  // ---- Internals ----

  #epochKeys(): string[] {
    return [this.#key('fleet/epoch'), this.#key('fleet/generation')];
  }

  /** claim, session, window, counter: the full Redis key names of one fleet session. */
  #fleetKeys(keys: FleetSessionKeys): string[] {
    const claim = this.#sessionIdKey(checkName('realm', keys.realm), sessionId(keys.id));
    checkName('owner', keys.owner);
    return [claim, this.#key(checkKey(keys.session)), this.#key(checkKey(keys.window)), this.#key(checkKey(keys.counter))];
  }

  /** A guarded script (epoch and generation keys first); FLEETEPOCH becomes FleetEpochError. */
  async #guarded(script: RedisScript, keys: string[], args: (string | number | Buffer)[]): Promise<unknown[]> {
    try {
      return (await this.#script(script, [...this.#epochKeys(), ...keys], args)) as unknown[];
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('FLEETEPOCH')) throw new FleetEpochError(`RedisStore: ${error.message.slice(11)}`);
      throw error;
    }
  }


  #key(key: string): string {
    return this.keyPrefix + key;
  }

  #sessionIdKey(realm: string, id: number): string {
    return `${this.keyPrefix}session-id/${realm}/${id}`;
  }

  /** The INCREMENT script's status (1 done, 0 not an integer, 2 out of range) and the new or current value. */
  async #incrementScript(key: string, by: number, highest: number): Promise<[number, string]> {
    const [status, value] = (await this.#script(INCREMENT, [this.#key(key)], [by, -Number.MAX_SAFE_INTEGER, highest])) as [string, string];
    return [Number(status), value];
  }

  /** EVALSHA, falling back to EVAL when the server does not have the script yet (a new or restarted server). */
  #script(script: RedisScript, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    return this.#call(async (redis) => {
      try {
        return await redis.evalsha(script.sha1, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        return redis.eval(script.source, keys.length, ...keys, ...args);
      }
    });
  }

  /**
   * Runs `send` once the connection is ready (waiting at most timeoutMs for it) and settles with its reply, or with
   * StoreUnavailableError when there is no connection, no reply in time, or the connection drops. When the
   * connection is ready, `send` runs synchronously, so operations started in order reach Redis in order.
   */
  #call<T>(send: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.#client.status === 'ready') return this.#send(send);
    return this.#whenReady().then(() => this.#send(send));
  }

  #whenReady(): Promise<void> {
    if (this.#client.status === 'ready') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const ready = () => {
        clearTimeout(timer);
        this.#readyWaiters.delete(ready);
        if (this.#client.status === 'ready') resolve();
        else reject(new StoreUnavailableError('RedisStore: the connection is closed', { maybeApplied: false }));
      };
      const timer = setTimeout(() => {
        this.#readyWaiters.delete(ready);
        const reason = this.#lastError ? `: ${this.#lastError.message}` : ` (connection ${this.#client.status})`;
        reject(new StoreUnavailableError(`RedisStore: no connection to Redis at ${this.#endpoint} within ${this.#timeoutMs} ms${reason}`, {
          maybeApplied: false,
          cause: this.#lastError,
        }));
      }, this.#timeoutMs);
      this.#readyWaiters.add(ready);
    });
  }

  #send<T>(send: (redis: Redis) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        clearTimeout(timer);
        this.#awaitingReply.delete(abort);
      };
      const abort = (error: StoreUnavailableError) => {
        if (settled) return;
        settle();
        reject(error);
      };
      // socketTimeout drops a silent connection after timeoutMs, which rejects this; the timer is the backstop.
      const timer = setTimeout(
        () => abort(new StoreUnavailableError(`RedisStore: no reply from Redis at ${this.#endpoint} within ${this.#timeoutMs} ms`, { maybeApplied: true })),
        this.#timeoutMs + 250,
      );
      this.#awaitingReply.add(abort);
      let reply: Promise<T>;
      try {
        reply = send(this.#client);
      } catch (error) {
        reply = Promise.reject(error);
      }
      reply.then(
        (value) => {
          if (settled) return;
          settle();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settle();
          reject(this.#translate(error));
        },
      );
    });
  }

  /** Errors that mean "Redis is not there right now" become StoreUnavailableError; the others stay as they are. */
  #translate(error: unknown): unknown {
    if (!(error instanceof Error) || error instanceof StoreUnavailableError) return error;
    if (error.name === 'ReplyError') {
      if (!UNAVAILABLE_REPLY.test(error.message)) return error;
      return new StoreUnavailableError(`RedisStore: Redis at ${this.#endpoint} refused the command: ${error.message}`, { maybeApplied: false, cause: error });
    }
    const sent = !error.message.startsWith(OFFLINE_REJECTION);
    return new StoreUnavailableError(`RedisStore: Redis at ${this.#endpoint} did not answer: ${error.message}`, { maybeApplied: sent, cause: error });
  }
}
