// Edge instances sharing one distributed store (Redis): what makes a fleet safe (spec "Message Counters": a counter
// value is used once per session key; "Message Counter Processing": a replayed message is never new).
// - Session ids are claimed in the store before use, one claim token per claim, under a lease: a live instance
//   renews its claims; a crashed one's lapse.
// - A secure session's creation arguments are stored, sealed with the fleet key (AES-128-CCM, the key name as
//   AAD), when it is made, so any instance restores it on first sight and nobody reading Redis learns its secret.
// - Outgoing counters come from blocks reserved by atomic increment from a counter that starts at a random value.
//   Blocks are small: the peer's reception window is 32 counters and never rolls over, so counters two instances
//   use on one session must stay close together.
// - Every incoming secure message passes the shared reception window (one atomic script) before anything commits,
//   so a message replayed to another instance is refused.
// - Store loss: every counter and window operation runs behind the epoch guard (redis-fleet-scripts.ts). When Redis
//   restarted (empty or from an older snapshot), failed over, or rolled back, the guard fails, the instance joins a
//   new epoch and closes every session it holds: its peers re-establish. A missing window or counter key means
//   "unknown session", never "start again".
// - Outgoing counters are held per message in progress (FleetBlockCounter.hold): replies sent at once on one
//   session (parallel HTTP requests, MRP on UDP) never find the block empty.
// - Every key the fleet writes expires unless renewed (leaseMs), or is deleted when its session closes.
// - CASE over HTTP and WebSocket: the responder's state between Sigma2 and Sigma3 (shared secret, IPK, Sigma1 and
//   Sigma2, the session id's claim) is parked in the store, sealed with the fleet key (its key name as AAD), expiring
//   after the handshake step timeout, and taken atomically (GETDEL) by whichever instance Sigma3 reaches: taken
//   once, so a Sigma3 replayed to another instance makes no second session. A resumption record is saved before
//   Sigma2_Resume leaves, and looked up in the store by resumption id (an index next to the records), so any
//   instance resumes any session. Over UDP the peer talks to one instance: its handshakes stay in memory.
// - PASE over HTTP and WebSocket, likewise: parked after PBKDFParamResponse (the request, the response and the
//   verifier the handshake began with: each instance salts its own) and after Pake2 (with the ephemeral scalar y,
//   so the instance Pake3 reaches recomputes the keys). The confirmation owed once Pake2 left is counted against
//   the commissioning window by the instance that checks Pake3, or, when none comes, by the one that sent Pake2
//   when its parked state is still there at expiry. Windows stay per instance (as they were: a client could always
//   pair with each instance directly).
// - Commissioning: the realm node's fail-safe context is shared (fleet-fail-safe.ts), so ArmFailSafe, CSRRequest,
//   AddNOC and CommissioningComplete may each reach another instance.
// - Fabrics and the ACL are written with a generation counter; each instance checks it once a second per realm and
//   reloads when another instance changed them (edge-realm.ts), and at once when a parked handshake or a resumption
//   record names a fabric it does not know yet.
import { DuplicateMessageError, UnknownSessionError } from '../session/session-errors.js';
import type { OutgoingMessageCounter } from '../session/secure-session.js';
import type { SecureSession } from '../session/secure-session.js';
import type {
  DecodedMessage, SessionIdClaims, SessionManager, SessionManagerOptions, SessionStateStore, StoredSessionState,
} from '../session/session-manager.js';
import type { SessionChannel } from '../session/session-channel.js';
import { encryptedStore, SealedValueError, ValueSealer } from '../storage/encrypted-store.js';
import { FleetEpochError, type FleetSessionKeys, type FleetStore, type Generation } from '../storage/fleet-store.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import { prefixedStore } from '../storage/prefixed-store.js';
import type { SharedFailSafeStore } from '../device/shared-fail-safe.js';
import { fleetFailSafe } from './fleet-fail-safe.js';
import {
  packFields, ParkingFullError, readU32Field, u32Field, unpackFields, type ParkedHandshakes,
} from '../protocol/parked-handshakes.js';

export type { FleetStore } from '../storage/fleet-store.js';
export { FleetEpochError } from '../storage/fleet-store.js';

export interface FleetOptions {
  /**
   * 16 random bytes (AES-128), the same on every instance: seals session secrets and resumption records in the
   * store. Required. Generate one with `openssl rand -hex 16`; keep it with the deployment's other secrets.
   */
  fleetKey: Uint8Array;
  /** This instance's name in id claims; default random. */
  instanceId?: string;
  /** Counters reserved per block. Default 4 (see above). */
  counterBlockSize?: number;
  /**
   * How long a claim, and an idle session's keys, outlive the last renewal, in ms. A live instance renews its own
   * every leaseMs / 3; any message renews its session. Default 60,000.
   */
  leaseMs?: number;
  /** How long the epoch outlives the last instance's renewal. Default 24 h. */
  epochTtlMs?: number;
  /** How long a resumption record outlives its last save (each use saves it). Default 30 days. */
  recordTtlMs?: number;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_EPOCH_TTL_MS = 24 * 3600_000;
const DEFAULT_RECORD_TTL_MS = 30 * 24 * 3600_000;
/** CASE handshakes one instance parks per realm within one step timeout (see parkedHandshakes). */
const DEFAULT_MAX_PARKED = 4096;
/** PASE handshakes likewise: a PBKDFParamRequest needs no secret, so its budget is smaller and apart from CASE's. */
const DEFAULT_MAX_PARKED_PASE = 1024;
/** A parked state's id claim outlives the state by this much, so whoever takes the state can still renew it. */
const PARKED_CLAIM_MARGIN_MS = 1000;
/** Sessions renewed per script run: bounds the time one renewal holds Redis (4 keys each). */
const RENEW_BATCH = 250;
/** Spec: the first counter of a session is random in [1, 2^28]; the stored value is the one before it. */
const RANDOM_START_MASK = 0x0fffffff;

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const randomToken = (): string => hex(crypto.getRandomValues(new Uint8Array(12)));

interface StoredFleetSession {
  owner: string;
  state: StoredSessionState;
}

function encodeState(stored: StoredFleetSession): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(stored, (_k, v) => (typeof v === 'bigint' ? { bigint: v.toString() }
    : v instanceof Uint8Array ? { hex: hex(v) } : v)));
}

function decodeState(bytes: Uint8Array): StoredFleetSession {
  return JSON.parse(new TextDecoder().decode(bytes), (_k, v) => (v && typeof v === 'object' && 'bigint' in v ? BigInt(v.bigint)
    : v && typeof v === 'object' && 'hex' in v ? unhex(v.hex) : v)) as StoredFleetSession;
}

/** What this instance knows of one id it uses: the claim, the epoch it belongs to, and who made its session. */
interface HeldId {
  keys: FleetSessionKeys;
  epoch: string;
  /** 'pending': claimed for a handshake; 'own': a session made here; 'restored': another instance's session. */
  kind: 'pending' | 'own' | 'restored';
}

/** The store's state was lost or rolled back: every session that depended on it is closed. */
export class FleetStateLostError extends UnknownSessionError {
  override name = 'FleetStateLostError';
}

/**
 * Counters held for messages in progress on one session, at most: the peer accepts a counter up to 32 behind the
 * highest it saw, so what one instance holds ahead of another's must stay well inside that.
 */
const MAX_HELD_COUNTERS = 16;

/**
 * An outgoing counter fed by blocks reserved in the shared store. Sending is synchronous, reserving is not: each
 * message accepted on the session holds two counters (a reply and an ack) until its handling ends (`hold()`), and
 * two more are kept spare (an acknowledgement sent later by a timer), so messages handled at once on one instance
 * (HTTP requests in parallel, MRP on UDP) do not run the block dry between the reservation and the send.
 */
export class FleetBlockCounter implements OutgoingMessageCounter {
  #next = 0;
  #end = 0;
  #held = 0;
  #reserving: Promise<void> | undefined;

  constructor(private readonly reserve: (size: number) => Promise<{ start: number; end: number }>) {}

  /** Makes sure the counters held, and two spare, are reserved. */
  prepare(): Promise<void> {
    const need = Math.min(this.#held, MAX_HELD_COUNTERS) + 2;
    if (this.#end - this.#next >= need) return Promise.resolve();
    this.#reserving ??= this.reserve(Math.max(need, 2)).then((block) => {
      // A fresh block replaces what is left of the old one: counters on one session must keep rising.
      this.#next = block.start;
      this.#end = block.end;
    }).finally(() => { this.#reserving = undefined; });
    // A reservation already under way may be smaller than what is held now: check again when it lands.
    return this.#reserving.then(() => (this.#end - this.#next >= need ? undefined : this.prepare()));
  }

  /** Holds two counters for one message until `release()` (called once its handling is over), reserved first. */
  async hold(): Promise<() => void> {
    this.#held += 2;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#held -= 2;
    };
    try {
      await this.prepare();
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  next(): number {
    if (this.#next >= this.#end) throw new Error('fleet counter: no reserved counter left; prepare() before sending');
    return ++this.#next;
  }
}

export class EdgeFleet {
  readonly instanceId: string;
  readonly #blockSize: number;
  readonly #leaseMs: number;
  readonly #epochTtlMs: number;
  readonly #recordTtlMs: number;
  readonly #sealer: ValueSealer;
  /** realm -> id -> what this instance holds. */
  readonly #held = new Map<string, Map<number, HeldId>>();
  readonly #managers = new Map<string, SessionManager>();
  #claimSequence = 0;
  #token: string | undefined;
  #joining: Promise<string> | undefined;
  /** The highest store generation seen under #token. */
  #generation = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #renewing: Promise<void> | undefined;
  #closed = false;
  /** Times this instance found the store's state lost or rolled back. */
  storeLosses = 0;
  /** Handshakes this instance parked in the store between two messages, and parked handshakes it took up. */
  handshakesParked = 0;
  handshakesTaken = 0;

  constructor(readonly store: FleetStore, options: Omit<FleetOptions, 'store'>) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object with fleetKey');
    this.#sealer = new ValueSealer(options.fleetKey);
    this.instanceId = options.instanceId ?? crypto.randomUUID();
    if (this.instanceId.includes('/') || this.instanceId === '') throw new TypeError('instanceId: expected a non-empty name without "/"');
    this.#blockSize = positive('counterBlockSize', options.counterBlockSize ?? 4);
    this.#leaseMs = positive('leaseMs', options.leaseMs ?? DEFAULT_LEASE_MS);
    this.#epochTtlMs = positive('epochTtlMs', options.epochTtlMs ?? DEFAULT_EPOCH_TTL_MS);
    if (this.#epochTtlMs < this.#leaseMs) throw new RangeError('epochTtlMs: expected at least leaseMs');
    this.#recordTtlMs = positive('recordTtlMs', options.recordTtlMs ?? DEFAULT_RECORD_TTL_MS);
  }

  // ---- wiring into a realm ----

  /**
   * The realm's records store: sealed with the fleet key, except the group counters (atomic, not secret).
   * Resumption records expire recordTtlMs after their last save; group counters and group reception windows never
   * do (a counter or window that expired would start over: nonce reuse, replays).
   */
  realmStore(realm: string): KeyValueStore {
    const prefix = `realm/${realm}/`;
    const store = this.store, ttl = this.#recordTtlMs;
    const expiring: KeyValueStore = {
      ...bindStore(store),
      // Records and their id index (resumption/, resumption-id/) expire together.
      set: (key, value) => (key.startsWith(`${prefix}resumption`) ? store.setWithExpiry(key, value, ttl) : store.set(key, value)),
    };
    // Plain: the group counters and the fabric table's generation (atomic increments, not secret).
    const plain = (key: string) => key.startsWith(`${prefix}counters/`) || key === `${prefix}device/fabrics-generation`;
    return prefixedStore(encryptedStore(expiring, this.#sealer, plain), prefix);
  }

  /** The SessionManager options that make a realm's sessions fleet sessions. */
  sessionOptions(realm: string): Pick<SessionManagerOptions, 'sessionIds' | 'sessionState' | 'counterFor' | 'sharedResumptionRecords'> {
    return {
      sessionIds: this.sessionIds(realm), sessionState: this.sessionState(realm), counterFor: this.counterFor(realm),
      sharedResumptionRecords: true,
    };
  }

  /**
   * Where the realm's responders park a handshake between two of its messages (src/protocol/parked-handshakes.ts),
   * so its next message may reach any instance. What a stranger can make Redis hold: a CASE state is parked only
   * after a Sigma1 whose destination id matched a fabric (it takes the fabric's IPK, or a captured Sigma1); a PASE
   * state after a PBKDFParamRequest while the commissioning window is open. Each is at most ~1.5 KB, expires after
   * `ttlMs` (the handshake step timeout), and each instance parks at most `maxParked` CASE and `maxParkedPase` PASE
   * states within any `ttlMs` (beyond it the initiator is told Busy; apart, so a PASE flood, which needs no secret,
   * never blocks a fabric's CASE): at most instances x (maxParked + maxParkedPase) states per realm. A parked
   * state's session-id claim lapses with it (ttlMs plus a second) unless taken: a flood holds no id longer.
   */
  parkedHandshakes(realm: string, options: { ttlMs: number; maxParked?: number; maxParkedPase?: number }): ParkedHandshakes {
    const ttlMs = positive('ttlMs', options.ttlMs);
    const budgets = {
      case: { max: positive('maxParked', options.maxParked ?? DEFAULT_MAX_PARKED), recent: [] as number[], head: 0, pending: 0 },
      pase: { max: positive('maxParkedPase', options.maxParkedPase ?? DEFAULT_MAX_PARKED_PASE), recent: [] as number[], head: 0, pending: 0 },
    };
    const keyOf = (epoch: string, key: string) => `fleet/${epoch}/${realm}/handshake/${key}`;
    return {
      ttlMs,
      has: async (key) => (await this.store.get(keyOf(await this.#joined(), key))) !== undefined,
      park: async (key, state, sessionId) => {
        const budget = key.startsWith('pase/') ? budgets.pase : budgets.case;
        const now = Date.now();
        while (budget.head < budget.recent.length && budget.recent[budget.head]! <= now - ttlMs) budget.head++;
        if (budget.head > 1024 && budget.head * 2 > budget.recent.length) budget.recent.splice(0, budget.head), (budget.head = 0);
        // Parks still on their way count too (the slot is taken before the first await): no overshoot.
        if (budget.recent.length - budget.head + budget.pending >= budget.max) {
          throw new ParkingFullError(`realm ${realm}: ${budget.max} ${key.slice(0, 4)} handshakes parked within ${ttlMs} ms, the limit`);
        }
        budget.pending++;
        let parked = false;
        try {
          const epoch = await this.#joined();
          const held = this.#heldIn(realm).get(sessionId);
          if (!held || held.kind !== 'pending' || held.epoch !== epoch) {
            throw new UnknownSessionError(sessionId, 'the fleet holds no claim for the handshake\'s session id');
          }
          // The claim now goes with the parked state and expires with it (whoever takes the state renews it as its
          // own): an untaken state frees its id within ttlMs, not a whole lease. Shortened before the state is
          // stored, so it never cuts short the lease of an instance that already took it; if parking fails, the
          // claim lapses as soon.
          this.#heldIn(realm).delete(sessionId);
          await this.store.claimSessionId(held.keys.realm, sessionId, held.keys.owner, ttlMs + PARKED_CLAIM_MARGIN_MS);
          const storeKey = keyOf(epoch, key);
          const plain = packFields([new TextEncoder().encode(held.keys.owner), u32Field(sessionId), state]);
          try {
            await this.store.setWithExpiry(storeKey, this.#sealer.seal(storeKey, plain), ttlMs);
          } finally {
            plain.fill(0);
          }
          parked = true;
        } finally {
          budget.pending--;
          if (parked) budget.recent.push(now);
        }
        this.handshakesParked++;
      },
      take: async (key, adopt) => {
        const epoch = await this.#joined();
        const storeKey = keyOf(epoch, key);
        const sealed = await this.store.take(storeKey);
        if (!sealed) return undefined;
        const plain = this.#sealer.open(storeKey, sealed);
        try {
          const [owner, id, state] = unpackFields(plain, 3);
          const sessionId = readU32Field(id!);
          const keys = this.#keysFor(realm, epoch, sessionId, new TextDecoder().decode(owner));
          // The claim was left to lapse with the parked state: renewed here for a whole lease, as this instance's.
          if (!(await this.store.claimSessionId(keys.realm, sessionId, keys.owner, this.#leaseMs))) {
            throw new UnknownSessionError(sessionId, 'the parked handshake\'s session id claim lapsed');
          }
          // Adopted before the claim is recorded as held: an id that cannot be adopted here is released at once.
          try {
            adopt(sessionId);
          } catch (error) {
            await this.store.releaseSessionId(keys.realm, sessionId, keys.owner).catch(() => {});
            throw error;
          }
          this.#heldIn(realm).set(sessionId, { keys, epoch, kind: 'pending' });
          this.handshakesTaken++;
          return { state: state!.slice(), sessionId };
        } finally {
          plain.fill(0);
        }
      },
    };
  }

  /**
   * The realm node's fail-safe context in the store (src/edge/fleet-fail-safe.ts), next to its fabric records and
   * sealed like them; a session it ends (the commissioning PASE session) is closed in the store, so every instance
   * drops its copy at the session's next message.
   */
  sharedFailSafe(realm: string): SharedFailSafeStore {
    return fleetFailSafe({
      store: this.store, sealer: this.#sealer, key: `realm/${realm}/device/fail-safe`,
      endSession: async (id) => {
        const epoch = await this.#joined();
        const held = this.#heldIn(realm).get(id);
        if (held && held.kind !== 'restored') return; // made here: its own close removes it from the store
        const owner = held?.keys.owner ?? await this.store.sessionIdOwner(`${epoch}/${realm}`, id);
        if (owner === undefined) return;
        await this.store.closeFleetSession(this.#keysFor(realm, epoch, id, owner));
        this.#managers.get(realm)?.removeSession(id, 'removed');
      },
    });
  }

  /** The realm's manager: closed sessions are forgotten, and a lost store closes every session. Starts the lease. */
  attach(realm: string, sessions: SessionManager): void {
    this.#managers.set(realm, sessions);
    sessions.events.on('sessionClosed', (session) => {
      const held = this.#held.get(realm)?.get(session.id);
      if (held?.kind === 'restored') this.#held.get(realm)!.delete(session.id);
    });
    if (!this.#heartbeat && !this.#closed) {
      this.#heartbeat = setInterval(() => void this.renew().catch(() => {}), Math.max(1, Math.floor(this.#leaseMs / 3)));
      (this.#heartbeat as { unref?: () => void }).unref?.();
    }
  }

  sessionIds(realm: string): SessionIdClaims {
    return {
      claim: async (id) => {
        const epoch = await this.#joined();
        const owner = `${this.instanceId}.${++this.#claimSequence}`;
        const keys = this.#keysFor(realm, epoch, id, owner);
        if (!(await this.store.claimSessionId(keys.realm, id, owner, this.#leaseMs))) return false;
        this.#heldIn(realm).set(id, { keys, epoch, kind: 'pending' });
        return true;
      },
      release: async (id) => {
        const held = this.#heldIn(realm).get(id);
        // A session's claim goes with its keys when its state is removed (one atomic step: see remove).
        if (!held || held.kind !== 'pending') return;
        this.#heldIn(realm).delete(id);
        await this.store.releaseSessionId(held.keys.realm, id, held.keys.owner);
      },
    };
  }

  sessionState(realm: string): SessionStateStore {
    return {
      save: async (id, state) => {
        const held = this.#heldIn(realm).get(id);
        if (!held || held.kind !== 'pending') throw new UnknownSessionError(id, 'the fleet holds no claim for this session id');
        const sealed = this.#sealer.seal(held.keys.session, encodeState({ owner: held.keys.owner, state }));
        const start = crypto.getRandomValues(new Uint32Array(1))[0]! & RANDOM_START_MASK;
        const opened = await this.#guarded(id, held.epoch, (token) => this.store.openFleetSession({ token }, held.keys, sealed, start, this.#leaseMs));
        if (!opened) throw new UnknownSessionError(id, 'the session id claim lapsed before the session was stored');
        held.kind = 'own';
      },
      load: async (id) => {
        const epoch = await this.#joined();
        const probe = this.#keysFor(realm, epoch, id, 'probe');
        const bytes = await this.store.get(probe.session);
        if (!bytes) return undefined;
        let opened: Uint8Array;
        try {
          opened = this.#sealer.open(probe.session, bytes);
        } catch (error) {
          if (!(error instanceof SealedValueError)) throw error;
          // Told apart from a missing session: an instance configured with another fleet key says so.
          throw new UnknownSessionError(id, `its stored state does not open with this instance's fleet key (${error.message})`);
        }
        const { owner, state } = decodeState(opened);
        this.#heldIn(realm).set(id, { keys: { ...probe, owner }, epoch, kind: 'restored' });
        return state;
      },
      remove: async (id) => {
        const held = this.#heldIn(realm).get(id);
        if (!held || held.kind === 'restored') return;
        this.#heldIn(realm).delete(id);
        await this.store.closeFleetSession(held.keys);
      },
    };
  }

  counterFor(realm: string): (sessionId: number) => FleetBlockCounter {
    return (id) => {
      // Bound to the claim held when the session is made: a later session under the same id has another owner.
      const held = this.#heldIn(realm).get(id);
      return new FleetBlockCounter(async (size) => {
        if (!held) throw new UnknownSessionError(id, 'the fleet holds no claim for this session');
        const block = await this.#guarded(id, held.epoch,
          (token) => this.store.reserveFleetCounters({ token }, held.keys, Math.max(this.#blockSize, size)));
        if (block === 'unknown' || block === 'exhausted') {
          this.#drop(realm, id, held);
          throw new UnknownSessionError(id, block === 'unknown' ? 'the session\'s counter is gone from the shared store'
            : 'the session\'s message counter is exhausted: re-establish it');
        }
        return block;
      });
    };
  }

  // ---- the message path ----

  /**
   * Before a secure message is decoded: the session restored when another instance made it, and a local copy that
   * another instance closed (or that belongs to an older epoch) dropped first.
   */
  async admit(realm: string, sessions: SessionManager, id: number, channel?: SessionChannel): Promise<void> {
    const epoch = await this.#joined();
    if (sessions.getSession(id)) {
      const held = this.#heldIn(realm).get(id);
      if (!held || held.epoch !== epoch) {
        sessions.removeSession(id, 'store-lost');
      } else if (held.kind === 'restored' && (await this.store.sessionIdOwner(held.keys.realm, id)) !== held.keys.owner) {
        sessions.removeSession(id, 'peer-closed'); // closed on the instance that made it (or a new one took the id)
      }
    }
    await sessions.restoreSession(id, channel);
  }

  /**
   * After a secure message authenticated, before it commits: the shared window says whether it is new, and a few
   * outgoing counters are reserved for the reply, held until the returned release() (call it once the message's
   * handling is over). Throws DuplicateMessageError for a replay, UnknownSessionError (the session closed here)
   * when the store no longer has the session, FleetStateLostError when it lost state.
   */
  async accept(realm: string, message: DecodedMessage): Promise<() => void> {
    const session = message.session as SecureSession;
    const held = this.#heldIn(realm).get(session.id);
    if (!held) throw new UnknownSessionError(session.id, 'the fleet holds no claim for this session');
    const verdict = await this.#guarded(session.id, held.epoch,
      (token) => this.store.commitFleetCounter({ token }, held.keys, message.header.messageCounter, this.#leaseMs));
    if (verdict === 'unknown') {
      this.#drop(realm, session.id, held);
      throw new UnknownSessionError(session.id, 'the session is gone from the shared store: re-establish it');
    }
    if (verdict === 'duplicate') throw new DuplicateMessageError(session.id, message.header, message.payloadHeader);
    return (session.counter as FleetBlockCounter).hold();
  }

  // ---- the lease ----

  /** Renews the epoch and every claim this instance holds; sessions whose claim lapsed are closed. */
  renew(): Promise<void> {
    this.#renewing ??= this.#renew().finally(() => { this.#renewing = undefined; });
    return this.#renewing;
  }

  async #renew(): Promise<void> {
    const epoch = await this.#joined();
    const entries: Array<[string, number, HeldId]> = [];
    for (const [realm, held] of this.#held) {
      for (const [id, entry] of held) if (entry.kind !== 'restored' && entry.epoch === epoch) entries.push([realm, id, entry]);
    }
    if (entries.length === 0) {
      await this.#guarded(0, epoch, (token) => this.store.renewFleetLease({ token }, [], this.#leaseMs, this.#epochTtlMs));
      return;
    }
    for (let at = 0; at < entries.length; at += RENEW_BATCH) {
      const batch = entries.slice(at, at + RENEW_BATCH);
      const held = await this.#guarded(0, epoch,
        (token) => this.store.renewFleetLease({ token }, batch.map(([, , e]) => e.keys), this.#leaseMs, this.#epochTtlMs));
      batch.forEach(([realm, id, entry], i) => {
        if (held[i] || this.#heldIn(realm).get(id) !== entry) return;
        this.#heldIn(realm).delete(id);
        if (entry.kind === 'own') this.#managers.get(realm)?.removeSession(id, 'store-lost');
      });
    }
  }

  /** Stops the lease (claims then lapse unless sessions close first) and wipes the fleet key. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#sealer.dispose();
  }

  // ---- the epoch ----

  /** The epoch this instance is in, joining one first if needed. */
  #joined(): Promise<string> {
    if (this.#token !== undefined) return Promise.resolve(this.#token);
    return this.#join(undefined);
  }

  /** Joins the store's epoch, replacing `stale` if that is the one stored; a changed epoch closes every session. */
  #join(stale: string | undefined): Promise<string> {
    this.#joining ??= this.store.joinFleetEpoch(randomToken(), stale, this.#epochTtlMs).then((token) => {
      if (this.#token !== undefined && token !== this.#token) this.#storeLost();
      if (token !== this.#token) this.#generation = 0;
      this.#token = token;
      return token;
    }).finally(() => { this.#joining = undefined; });
    return this.#joining;
  }

  /**
   * Runs a guarded store operation for something that belongs to `epoch`. The store's generation must pass the
   * highest one seen before the operation was sent: Redis runs commands in order, so anything it runs later has a
   * higher one, unless its state went back.
   */
  async #guarded<T>(id: number, epoch: string, operation: (token: string) => Promise<Generation<T>>): Promise<T> {
    if (epoch !== this.#token) throw new FleetStateLostError(id, 'the session belongs to a fleet epoch that ended: re-establish it');
    const before = this.#generation;
    let reply: Generation<T>;
    try {
      reply = await operation(epoch);
    } catch (error) {
      if (!(error instanceof FleetEpochError)) throw error;
      if (this.#token === epoch) await this.#join(epoch);
      throw new FleetStateLostError(id, `the shared store lost or rolled back its state (${error.message}); sessions closed: re-establish`);
    }
    if (this.#token !== epoch) throw new FleetStateLostError(id, 'the fleet epoch changed: re-establish the session');
    if (reply.generation <= before) {
      await this.#join(epoch);
      throw new FleetStateLostError(id, `the shared store went back to write generation ${reply.generation} after ${before}; sessions closed: re-establish`);
    }
    if (reply.generation > this.#generation) this.#generation = reply.generation;
    return reply.result;
  }

  /** Every session of every realm depended on the lost state: closed, their peers re-establish. */
  #storeLost(): void {
    this.storeLosses++;
    for (const [realm, sessions] of this.#managers) {
      for (const { sessionId } of sessions.getActiveSessionInformation()) sessions.removeSession(sessionId, 'store-lost');
      this.#held.get(realm)?.clear();
    }
    for (const held of this.#held.values()) held.clear();
  }

  /** Closes the session `held` belongs to, if it is still the one under that id here. */
  #drop(realm: string, id: number, held: HeldId): void {
    if (this.#held.get(realm)?.get(id) === held) this.#managers.get(realm)?.removeSession(id, 'store-lost');
  }

  #heldIn(realm: string): Map<number, HeldId> {
    let held = this.#held.get(realm);
    if (!held) this.#held.set(realm, (held = new Map()));
    return held;
  }

  /** Every key under the epoch: a new epoch never reads an older one's sessions. */
  #keysFor(realm: string, epoch: string, id: number, owner: string): FleetSessionKeys {
    const base = `fleet/${epoch}/${realm}`;
    return { realm: `${epoch}/${realm}`, id, owner, session: `${base}/session/${id}`, window: `${base}/window/${id}`, counter: `${base}/counter/${id}` };
  }
}

/** The KeyValueStore operations of `store`, bound to it. */
function bindStore(store: KeyValueStore): KeyValueStore {
  return {
    get: (key) => store.get(key), set: (key, value) => store.set(key, value), delete: (key) => store.delete(key),
    list: (prefix) => store.list(prefix), setIfAbsent: (key, value) => store.setIfAbsent(key, value),
    increment: (key, by) => store.increment(key, by), close: () => store.close(),
  };
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name}: expected a positive integer, got ${String(value)}`);
  }
  return value;
}
