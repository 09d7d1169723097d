// Edge instances sharing one distributed store (Redis): what makes a fleet safe.
// - Session ids are claimed in the store before use, so two instances never hand out the same id.
// - A secure session's creation arguments are stored when it is made, so any instance can restore it on first sight.
// - Outgoing counters come from blocks reserved by atomic increment, so no instance or restart reuses a nonce.
//   Blocks are small: the peer's reception window is 32 counters and never rolls over, so counters two instances
//   use on one session must stay close together.
// - Every incoming secure message passes the shared reception window (one atomic script) before anything commits,
//   so a message replayed to another instance is refused.
// Handshakes (SPAKE2+ state is secret and in memory) finish on the instance that began them.
import type { KeyValueStore } from '../storage/key-value-store.js';
import type { OutgoingMessageCounter } from '../session/secure-session.js';
import type { SessionIdClaims, SessionStateStore, StoredSessionState } from '../session/session-manager.js';

/** The store operations a fleet needs (RedisStore from `matter-sessions/redis` has them). */
export interface FleetStore extends KeyValueStore {
  claimSessionId(realm: string, id: number, owner: string, ttlMs?: number): Promise<boolean>;
  releaseSessionId(realm: string, id: number, owner: string): Promise<boolean>;
  reserveCounterBlock(key: string, blockSize: number): Promise<{ start: number; end: number }>;
  setReceptionCounter(windowKey: string, value: number): Promise<void>;
  checkAndCommitCounter(windowKey: string, counter: number): Promise<'new' | 'duplicate'>;
}

export interface FleetOptions {
  store: FleetStore;
  /** This instance's name in id claims; default random. */
  instanceId?: string;
  /** Counters reserved per block. Default 4 (see above). */
  counterBlockSize?: number;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));

function encodeState(state: StoredSessionState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(state, (_k, v) => (typeof v === 'bigint' ? { bigint: v.toString() }
    : v instanceof Uint8Array ? { hex: hex(v) } : v)));
}

function decodeState(bytes: Uint8Array): StoredSessionState {
  return JSON.parse(new TextDecoder().decode(bytes), (_k, v) => (v && typeof v === 'object' && 'bigint' in v ? BigInt(v.bigint)
    : v && typeof v === 'object' && 'hex' in v ? unhex(v.hex) : v)) as StoredSessionState;
}

/** An outgoing counter fed by blocks reserved in the shared store; `prepare()` before sending. */
export class FleetBlockCounter implements OutgoingMessageCounter {
  #next = 0;
  #end = 0;
  #reserving: Promise<void> | undefined;

  constructor(private readonly store: FleetStore, private readonly key: string, private readonly blockSize: number) {}

  /** Makes sure a few counters are reserved (at least two: a handler may send a reply and an ack). */
  prepare(): Promise<void> {
    if (this.#end - this.#next >= 2) return Promise.resolve();
    this.#reserving ??= this.store.reserveCounterBlock(this.key, this.blockSize).then((block) => {
      // A fresh block replaces what is left of the old one: counters on one session must keep rising.
      this.#next = block.start;
      this.#end = block.end;
    }).finally(() => { this.#reserving = undefined; });
    return this.#reserving;
  }

  next(): number {
    if (this.#next >= this.#end) throw new Error('fleet counter: no reserved counter left; prepare() before sending');
    return ++this.#next;
  }
}

export class EdgeFleet {
  readonly instanceId: string;
  readonly #blockSize: number;

  constructor(readonly store: FleetStore, options: Omit<FleetOptions, 'store'> = {}) {
    this.instanceId = options.instanceId ?? crypto.randomUUID();
    this.#blockSize = options.counterBlockSize ?? 4;
  }

  sessionIds(realm: string): SessionIdClaims {
    return {
      claim: (id) => this.store.claimSessionId(realm, id, this.instanceId),
      release: async (id) => { await this.store.releaseSessionId(realm, id, this.instanceId); },
    };
  }

  sessionState(realm: string): SessionStateStore {
    return {
      save: async (id, state) => {
        await this.store.set(this.#sessionKey(realm, id), encodeState(state));
        await this.store.setReceptionCounter(this.windowKey(realm, id), 0);
      },
      load: async (id) => {
        const bytes = await this.store.get(this.#sessionKey(realm, id));
        return bytes && decodeState(bytes);
      },
      remove: async (id) => { await this.store.delete(this.#sessionKey(realm, id)); },
    };
  }

  /** Whether the session still exists fleet-wide (another instance may have closed it). */
  async sessionExists(realm: string, id: number): Promise<boolean> {
    return (await this.store.get(this.#sessionKey(realm, id))) !== undefined;
  }

  counterFor(realm: string): (sessionId: number) => FleetBlockCounter {
    return (id) => new FleetBlockCounter(this.store, `fleet/${realm}/counter/${id}`, this.#blockSize);
  }

  windowKey(realm: string, id: number): string {
    return `fleet/${realm}/window/${id}`;
  }

  #sessionKey(realm: string, id: number): string {
    return `fleet/${realm}/session/${id}`;
  }
}
