// The session manager: the table of secure (PASE/CASE), unsecured and group sessions, and the message path that
// encodes, encrypts, decrypts and routes Matter messages through them. It never knows which transport or storage
// it runs on: sessions are bound to a SessionChannel, state lives in a KeyValueStore.
import { AuthenticationError, CcmKeyPair, KeySlotLedger, SessionIdAllocator, ready } from '../core/index.js';
import { hkdfSha256 } from '../crypto/index.js';
import { ByteReader } from '../codec/byte-reader.js';
import { MalformedMessageError } from '../codec/malformed-message-error.js';
import {
  copyMessageHeader, messageHeaderLength, readClearHeaderPrefix, readMessageHeader, readMessageHeaderInto, SessionType,
  writeMessageHeader, type MessageHeader,
} from '../codec/message-header.js';
import { writeU16, writeU32 } from '../codec/byte-reader.js';
import {
  copyPayloadHeader, payloadHeaderLength, readPayloadHeaderInto, writePayloadHeader, type PayloadHeader,
} from '../codec/payload-header.js';
import { resultBytes } from '../core/result-pool.js';
import { deobfuscatedCopy, MIC_LENGTH, obfuscateHeader } from '../codec/privacy-obfuscation.js';
import { MemoryStore } from '../storage/memory-store.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import { rankEvictionCandidates } from './eviction-policy.js';
import { FabricTable, type Fabric, type FabricFactory } from './fabric-table.js';
import { GroupKeysTable, type GroupKeySet, type GroupOperationalKey } from './group-keys-table.js';
import { CounterExhaustedError, PersistedMessageCounter, SessionMessageCounter, UnsecuredMessageCounter } from './message-counters.js';
import {
  localNonceNodeId, MessageScratch, nonceNodeId, openMessage, sealMessage, splitPayload, writePlainMessage,
} from './message-crypto.js';
import { SecureUnicastReceptionWindow } from './reception-window.js';
import { GroupReceptionState } from './group-reception-state.js';
import { ResumptionRecords, type ResumptionRecord } from './resumption-records.js';
import { SecureSession, type OutgoingMessageCounter, type SecureSessionKind } from './secure-session.js';
import type { SessionChannel } from './session-channel.js';
import {
  AuthenticationFailedError, BufferTooSmallError, DuplicateMessageError, SessionClosedError, SessionLimitError,
  UnknownSessionError,
} from './session-errors.js';
import { ReceivedMessage } from './received-message.js';
import { DEFAULT_SESSION_PARAMETERS, resolveSessionParameters, type SessionParameters } from './session-parameters.js';
import { TypedEvents } from './typed-events.js';
import { randomEphemeralNodeId, UnsecuredSession } from './unsecured-session.js';

export type SessionCloseReason =
  | 'removed' | 'evicted' | 'channel-closed' | 'fabric-removed' | 'peer-closed' | 'replaced' | 'manager-closed'
  /** A shared store lost or rolled back the state the session depended on (a fleet's Redis): re-establish. */
  | 'store-lost';

export interface SessionManagerEvents {
  sessionOpened: [session: SecureSession];
  sessionClosed: [session: SecureSession, reason: SessionCloseReason];
  subscriptionsChanged: [session: SecureSession];
  /** The session's outgoing counter is used up: it must be re-established (spec: counters never wrap). */
  counterExhausted: [session: SecureSession];
}

export interface SessionLimits {
  /** Secure sessions in the table; default 3 per fabric + 2 (a CASE responder spare and one PASE). */
  maxSessions?: number;
  /** Secure sessions to one peer (fabric + node); the least recently active one makes room. Default 3. */
  maxSessionsPerPeer?: number;
  /** Unsecured (handshake) sessions; the least recently active is recycled. Default 8. */
  maxUnsecuredSessions?: number;
  /** Stored resumption records; default 3 per fabric (at least 3). */
  maxResumptionRecords?: number;
  /** PASE sessions open at once: 1 for a commissionable device (the spec's rule); more for an edge endpoint. */
  maxPaseSessions?: number;
  /** Group senders whose reception windows are kept, per fabric and kind (data, control). Default 256. */
  maxGroupPeers?: number;
}

/** Session ids shared with other instances (a fleet): an id is used here only once claimed there. */
export interface SessionIdClaims {
  claim(id: number): Promise<boolean>;
  release(id: number): Promise<void>;
}

/** What re-creates a secure session elsewhere: its creation arguments (secret included), never its keys. */
export type StoredSessionState = Omit<CreateSecureSessionArgs, 'channel'>;

/** Secure sessions shared with other instances: saved when created here, loaded by an instance that meets them. */
export interface SessionStateStore {
  save(sessionId: number, state: StoredSessionState): Promise<void>;
  load(sessionId: number): Promise<StoredSessionState | undefined>;
  remove(sessionId: number): Promise<void>;
}

export interface SessionManagerOptions {
  /** Where resumption records and group counters live. Default: a MemoryStore. */
  storage?: KeyValueStore;
  /** Fabrics to start with, and optionally a factory that creates unknown fabrics on first use. */
  fabrics?: { initial?: Fabric[]; create?: FabricFactory };
  limits?: SessionLimits;
  /** The session parameters this node announces. */
  parameters?: Partial<SessionParameters>;
  /** Milliseconds; injectable for tests. Default Date.now. */
  clock?: () => number;
  /**
   * The value before a new secure session's first outgoing counter. Default: random in [0, 2^28) as the spec
   * requires; tests pin it to reproduce reference messages byte for byte.
   */
  counterStart?: () => number;
  /** Makes a secure session's outgoing counter (a fleet reserves blocks in shared storage); default in memory. */
  counterFor?: (sessionId: number) => OutgoingMessageCounter;
  /** Claims session ids with other instances before using them. */
  sessionIds?: SessionIdClaims;
  /** Shares secure sessions with other instances. */
  sessionState?: SessionStateStore;
  /**
   * Resumption records are written by other instances too (a fleet): a lookup by resumption id reads the store (an
   * id index next to the records) instead of trusting this instance's memory, which may miss or be stale.
   */
  sharedResumptionRecords?: boolean;
  /** Receives errors thrown by event listeners (default: reportError or console.error). */
  onListenerError?: (error: unknown) => void;
}

export interface CreateSecureSessionArgs {
  /** Our session id: from getNextAvailableSessionId() (or a free id to claim). */
  sessionId: number;
  peerSessionId: number;
  /** PASE: Ke; CASE: the ECDH shared secret; resumption: the stored shared secret. */
  sharedSecret: Uint8Array;
  /** PASE: empty; CASE: IPK | SHA-256(Sigma1|Sigma2|Sigma3); resumption: initiator random | resumption id. */
  salt: Uint8Array;
  isInitiator: boolean;
  isResumption: boolean;
  /** 0 for PASE. */
  peerNodeId: bigint;
  /** Absent for PASE; CASE sessions need a fabric that exists (or that dynamic creation makes). */
  fabricIndex?: number | undefined;
  caseAuthenticatedTags?: number[] | undefined;
  /** What the peer announced in its handshake. */
  sessionParameters?: Partial<SessionParameters> | undefined;
  channel?: SessionChannel | undefined;
}

export interface GroupDestination {
  kind: 'group';
  fabricIndex: number;
  groupId: number;
}

/** A received group message's sender and key. */
export interface GroupSource {
  kind: 'group';
  fabricIndex: number;
  groupId: number;
  sourceNodeId: bigint;
  keySetId: number;
}

export type AnySession = SecureSession | UnsecuredSession;

export interface DecodedMessage {
  session: SecureSession | UnsecuredSession | GroupSource;
  header: MessageHeader;
  payloadHeader: PayloadHeader;
  payload: Uint8Array;
}

export interface ActiveSessionInformation {
  sessionId: number;
  peerSessionId: number;
  kind: SecureSessionKind;
  fabricIndex: number | undefined;
  peerNodeId: bigint;
  localNodeId: bigint;
  secure: true;
  state: SecureSession['state'];
  isPeerActive: boolean;
  lastActivity: number;
  lastPeerActivity: number;
  subscriptionCount: number;
  channel: string | undefined;
  caseAuthenticatedTags: readonly number[];
}

const SESSION_KEYS_INFO = new TextEncoder().encode('SessionKeys');
const SESSION_RESUMPTION_KEYS_INFO = new TextEncoder().encode('SessionResumptionKeys');
const GROUP_DATA_COUNTER_KEY = 'counters/group-data';
const GROUP_CONTROL_COUNTER_KEY = 'counters/group-control';

const NO_TAGS: readonly number[] = Object.freeze([]);

function stateOf(args: CreateSecureSessionArgs): StoredSessionState {
  const { channel: _channel, ...state } = args;
  return { ...state, sharedSecret: state.sharedSecret.slice(), salt: state.salt.slice() };
}
const noop = (): void => {};

const peerKey = (fabricIndex: number | undefined, nodeId: bigint): string => `${fabricIndex ?? 0}/${nodeId}`;

function bigintArgument(name: string, value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) {
    throw new TypeError(`${name}: expected a bigint from 0 to 2^64-1, got ${typeof value}`);
  }
  return value;
}

function timestampArgument(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`now: expected a finite number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function sessionIdArgument(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0xffff) {
    throw new RangeError(`${name}: expected an integer from 1 to 65535, got ${String(value)}`);
  }
  return value;
}

export class SessionManager {
  readonly events: TypedEvents<SessionManagerEvents>;
  readonly groups: {
    addKeySet(fabricIndex: number, keySet: GroupKeySet): void;
    removeKeySet(fabricIndex: number, keySetId: number): boolean;
    mapGroup(fabricIndex: number, groupId: number, keySetId: number): void;
    unmapGroup(fabricIndex: number, groupId: number): boolean;
  };
  readonly parameters: SessionParameters;

  readonly #store: KeyValueStore;
  readonly #fabrics: FabricTable;
  readonly #limits: SessionLimits;
  readonly #clock: () => number;
  readonly #counterStart: (() => number) | undefined;
  readonly #counterFor: ((sessionId: number) => OutgoingMessageCounter) | undefined;
  readonly #claims: SessionIdClaims | undefined;
  readonly #onBackgroundError: ((error: unknown) => void) | undefined;
  readonly #sessionState: SessionStateStore | undefined;
  readonly #ids: SessionIdAllocator;
  /** Ids handed out by getNextAvailableSessionId() whose handshake has not produced a session yet. */
  readonly #pendingIds = new Set<number>();
  readonly #sessions = new Map<number, SecureSession>();
  /** Sessions another instance created: closing them here leaves the shared state and the id claim alone. */
  readonly #restored = new WeakSet<SecureSession>();
  readonly #unsecured = new Map<bigint, UnsecuredSession>();
  readonly #unsecuredCounter = new UnsecuredMessageCounter();
  readonly #groupKeys = new GroupKeysTable();
  readonly #groupReception: GroupReceptionState;
  readonly #groupDataCounter: PersistedMessageCounter;
  readonly #groupControlCounter: PersistedMessageCounter;
  readonly #records: ResumptionRecords;
  readonly #scratch = new MessageScratch();
  /** Where decode and decodeDeferred open secure messages before copying the parts the caller keeps. */
  readonly #received = new ReceivedMessage();
  /** One garbage-collection backstop for every session's keys (see KeySlotLedger): no weak cell per session. */
  readonly #keySlots = new KeySlotLedger(this);
  #closed = false;

  private constructor(options: SessionManagerOptions, store: KeyValueStore, records: ResumptionRecords, fabrics: FabricTable,
    groupReception: GroupReceptionState) {
    this.#groupReception = groupReception;
    this.events = new TypedEvents(options.onListenerError);
    this.parameters = resolveSessionParameters(options.parameters);
    this.#store = store;
    this.#records = records;
    this.#fabrics = fabrics;
    this.#limits = { ...options.limits };
    this.#clock = options.clock ?? Date.now;
    this.#counterStart = options.counterStart;
    this.#counterFor = options.counterFor;
    this.#claims = options.sessionIds;
    this.#onBackgroundError = options.onListenerError;
    this.#sessionState = options.sessionState;
    this.#ids = new SessionIdAllocator();
    this.#groupDataCounter = new PersistedMessageCounter({ store, key: GROUP_DATA_COUNTER_KEY });
    this.#groupControlCounter = new PersistedMessageCounter({ store, key: GROUP_CONTROL_COUNTER_KEY });
    const groupKeys = this.#groupKeys;
    const fabricsTable = this.#fabrics;
    this.groups = {
      addKeySet: (fabricIndex, keySet) => {
        const fabric = fabricsTable.get(fabricIndex);
        if (!fabric) throw new RangeError(`fabricIndex: fabric ${fabricIndex} does not exist`);
        groupKeys.addKeySet(fabric, keySet);
      },
      removeKeySet: (fabricIndex, keySetId) => groupKeys.removeKeySet(fabricIndex, keySetId),
      mapGroup: (fabricIndex, groupId, keySetId) => {
        if (!fabricsTable.get(fabricIndex)) throw new RangeError(`fabricIndex: fabric ${fabricIndex} does not exist`);
        groupKeys.mapGroup(fabricIndex, groupId, keySetId);
      },
      unmapGroup: (fabricIndex, groupId) => groupKeys.unmapGroup(fabricIndex, groupId),
    };
  }

  /** Loads the core and the stored resumption records. Every option has a default: `create({})` works. */
  static async create(options: SessionManagerOptions = {}): Promise<SessionManager> {
    await ready();
    const store = options.storage ?? new MemoryStore();
    const fabrics = new FabricTable(options.fabrics?.create);
    for (const fabric of options.fabrics?.initial ?? []) fabrics.add(fabric);
    let manager: SessionManager | undefined;
    const records = await ResumptionRecords.load(store, () => (manager ? manager.#maxResumptionRecords() : Infinity),
      (key, error) => (options.onListenerError ?? console.error)(new Error(`resumption record ${key} is unreadable: ${String(error)}`)),
      options.sharedResumptionRecords === true);
    // Group windows survive restarts with the store, so a captured group message stays a duplicate.
    const groupReception = await GroupReceptionState.load(store, {
      ...(options.limits?.maxGroupPeers !== undefined ? { maxPeers: options.limits.maxGroupPeers } : {}),
      onError: (error) => (options.onListenerError ?? console.error)(error),
    });
    manager = new SessionManager(options, store, records, fabrics, groupReception);
    return manager;
  }

  #now(): number {
    return this.#clock();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('SessionManager: closed');
  }

  // ---- fabrics -------------------------------------------------------------------------------------------------

  addFabric(fabric: Fabric): Fabric {
    this.#assertOpen();
    return this.#fabrics.add(fabric);
  }

  getFabric(fabricIndex: number): Fabric | undefined {
    return this.#fabrics.get(fabricIndex);
  }

  /** Replaces a fabric's data (e.g. after a NOC update); its sessions and resumption records stay. */
  updateFabric(fabric: Fabric): void {
    this.#assertOpen();
    this.#fabrics.update(fabric);
  }

  /** Closes the fabric's sessions, removes its resumption records and group keys, then the fabric. */
  async removeFabric(fabricIndex: number): Promise<void> {
    this.#assertOpen();
    for (const session of [...this.#sessions.values()]) {
      if (session.fabricIndex === fabricIndex) this.#close(session, 'fabric-removed');
    }
    await this.#records.removeFabric(fabricIndex);
    this.#groupKeys.removeFabric(fabricIndex);
    await this.#groupReception.removeFabric(fabricIndex);
    this.#fabrics.remove(fabricIndex);
  }

  // ---- limits --------------------------------------------------------------------------------------------------

  #maxSessions(): number {
    return this.#limits.maxSessions ?? 3 * this.#fabrics.size + 2;
  }

  #maxResumptionRecords(): number {
    return this.#limits.maxResumptionRecords ?? Math.max(3, 3 * this.#fabrics.size);
  }

  // ---- session ids ---------------------------------------------------------------------------------------------

  /** A free session id for a handshake, reserved until a session takes it or releaseSessionId() frees it. */
  getNextAvailableSessionId(): number {
    this.#assertOpen();
    const id = this.#ids.allocate();
    this.#pendingIds.add(id);
    return id;
  }

  /**
   * As getNextAvailableSessionId, and also claimed with the other instances when ids are shared: an id another
   * instance holds is skipped (and kept out of this instance's allocator).
   */
  async reserveSessionId(): Promise<number> {
    if (!this.#claims) return this.getNextAvailableSessionId();
    for (let attempt = 0; attempt < 64; attempt++) {
      // After a loss, a random free id rather than the next one: every instance's allocator walks upward, so the
      // ids just past a lost one are likely a contiguous block another instance holds, and walking through it one
      // id per attempt could take longer than the attempts allow. Random ids are lost only with the share of ids
      // other instances hold.
      const id = attempt === 0 ? this.getNextAvailableSessionId() : this.#randomFreeSessionId();
      if (await this.#claims.claim(id)) return id;
      // Held elsewhere: free here again, so ids other instances once held do not pile up in this allocator.
      this.#pendingIds.delete(id);
      this.#ids.release(id);
    }
    throw new SessionLimitError('no session id could be claimed with the other instances');
  }

  /** A random id free here (some tries, then the allocator's next), reserved as pending. */
  #randomFreeSessionId(): number {
    const r = new Uint16Array(1);
    for (let i = 0; i < 16; i++) {
      crypto.getRandomValues(r);
      const id = r[0]!;
      if (id !== 0 && !this.#ids.inUse(id)) {
        this.#ids.reserve(id);
        this.#pendingIds.add(id);
        return id;
      }
    }
    return this.getNextAvailableSessionId();
  }

  /** Frees an id from getNextAvailableSessionId() or reserveSessionId() whose handshake failed. */
  releaseSessionId(id: number): void {
    if (!this.#pendingIds.delete(id)) throw new RangeError(`id: ${id} is not reserved for a handshake`);
    this.#ids.release(id);
    this.#releaseClaim(id);
  }

  /**
   * Reserves here an id another instance claimed for a handshake it parked (src/protocol/parked-handshakes.ts):
   * the claim came with the parked state, so the id is pending here as if reserveSessionId() had returned it.
   */
  adoptSessionId(id: number): void {
    this.#assertOpen();
    sessionIdArgument('id', id);
    if (this.#pendingIds.has(id) || this.#sessions.has(id)) throw new RangeError(`id: ${id} is already in use here`);
    if (!this.#ids.inUse(id)) this.#ids.reserve(id);
    this.#pendingIds.add(id);
  }

  #releaseClaim(id: number): void {
    this.#claims?.release(id).catch((error: unknown) => this.#reportBackground(error));
  }

  #reportBackground(error: unknown): void {
    (this.#onBackgroundError ?? console.error)(error);
  }

  // ---- secure sessions -----------------------------------------------------------------------------------------

  async createSecureSession(args: CreateSecureSessionArgs): Promise<SecureSession> {
    return this.#createSession(args, true);
  }

  /** `shareState`: save it for other instances (false when restoring one they created). */
  async #createSession(args: CreateSecureSessionArgs, shareState: boolean): Promise<SecureSession> {
    this.#assertOpen();
    const sessionId = sessionIdArgument('sessionId', args.sessionId);
    const peerSessionId = sessionIdArgument('peerSessionId', args.peerSessionId);
    const peerNodeId = bigintArgument('peerNodeId', args.peerNodeId);
    if (!(args.sharedSecret instanceof Uint8Array) || args.sharedSecret.length === 0) {
      throw new TypeError('sharedSecret: expected a non-empty Uint8Array');
    }
    if (!(args.salt instanceof Uint8Array)) throw new TypeError('salt: expected a Uint8Array');
    if (!this.#pendingIds.has(sessionId) && this.#ids.inUse(sessionId)) {
      throw new RangeError(`sessionId: ${sessionId} is in use by another session`);
    }
    const kind: SecureSessionKind = args.fabricIndex === undefined ? 'pase' : 'case';
    const fabric = args.fabricIndex === undefined ? undefined : await this.#fabrics.require(args.fabricIndex);
    const peerParameters = args.sessionParameters ? resolveSessionParameters(args.sessionParameters) : DEFAULT_SESSION_PARAMETERS;
    const maxPase = this.#limits.maxPaseSessions ?? 1;
    if (kind === 'pase' && this.#paseCount() >= maxPase) {
      throw new SessionLimitError(maxPase === 1 ? 'a PASE session is already open: only one at a time'
        : `${maxPase} PASE sessions are open: the limit`);
    }
    if (shareState && this.#sessionState) await this.#sessionState.save(sessionId, stateOf(args));
    this.#assertOpen();

    const okm = hkdfSha256(args.sharedSecret, args.salt, args.isResumption ? SESSION_RESUMPTION_KEYS_INFO : SESSION_KEYS_INFO, 48);
    const i2r = okm.subarray(0, 16), r2i = okm.subarray(16, 32);
    const keys = new CcmKeyPair(args.isInitiator ? i2r : r2i, args.isInitiator ? r2i : i2r, this.#keySlots);
    const attestationChallenge = okm.slice(32, 48);
    okm.fill(0);

    this.#makeRoomFor(fabric?.fabricIndex, peerNodeId);
    if (this.#pendingIds.delete(sessionId) === false) this.#ids.reserve(sessionId);
    const peerWindow = new SecureUnicastReceptionWindow();
    peerWindow.setCounter(0); // activation: the peer's first counter is >= 1, and 0 is never accepted
    const session = new SecureSession({
      id: sessionId, peerSessionId, kind, fabricIndex: fabric?.fabricIndex,
      localNodeId: fabric?.nodeId ?? 0n, peerNodeId,
      caseAuthenticatedTags: args.caseAuthenticatedTags?.length ? Object.freeze([...args.caseAuthenticatedTags]) : NO_TAGS,
      isInitiator: args.isInitiator, isResumption: args.isResumption, peerParameters,
      keys, attestationChallenge, counter: this.#counterFor?.(sessionId) ?? new SessionMessageCounter(this.#counterStart?.()), peerWindow,
      channel: args.channel, now: this.#now(),
    });
    attestationChallenge.fill(0); // the session keeps its own copy
    this.#sessions.set(sessionId, session);
    if (!shareState) this.#restored.add(session);
    if (args.channel) session.detachChannel = args.channel.onClose(() => this.#close(session, 'channel-closed'));
    this.events.emit('sessionOpened', session);
    return session;
  }

  /** Evicts per the table limit (the reference eviction policy) and the per-peer duplicate limit. */
  #makeRoomFor(fabricIndex: number | undefined, peerNodeId: bigint): void {
    const perPeer = this.#limits.maxSessionsPerPeer ?? 3;
    const samePeer = [...this.#sessions.values()]
      .filter((s) => s.fabricIndex === fabricIndex && s.peerNodeId === peerNodeId && fabricIndex !== undefined)
      .sort((a, b) => a.lastActivity - b.lastActivity);
    while (samePeer.length >= perPeer) this.#close(samePeer.shift()!, 'evicted');
    while (this.#sessions.size >= this.#maxSessions()) {
      const candidates = [...this.#sessions.values()].filter((s) => s.state !== 'pending-eviction');
      const [victim] = rankEvictionCandidates(candidates, { fabricIndex, nodeId: peerNodeId });
      if (!victim) throw new SessionLimitError('the session table is full and no session can be evicted');
      this.#close(victim, 'evicted');
    }
  }

  getSession(id: number): SecureSession | undefined {
    return this.#sessions.get(id);
  }

  /** The most recently active session to a peer. */
  getSessionForNode(fabricIndex: number, nodeId: bigint): SecureSession | undefined {
    let best: SecureSession | undefined;
    for (const s of this.#sessions.values()) {
      if (s.fabricIndex === fabricIndex && s.peerNodeId === nodeId && s.state !== 'pending-eviction'
        && (!best || s.lastActivity > best.lastActivity)) best = s;
    }
    return best;
  }

  #paseCount(): number {
    let count = 0;
    for (const s of this.#sessions.values()) if (s.kind === 'pase') count++;
    return count;
  }

  /**
   * The session with this id, restored from the shared session state if another instance created it; undefined
   * if nobody did. Its id is then in use here too (another instance claimed it).
   */
  async restoreSession(id: number, channel?: SessionChannel): Promise<SecureSession | undefined> {
    const local = this.#sessions.get(id);
    if (local || !this.#sessionState) return local;
    const state = await this.#sessionState.load(id);
    if (!state || this.#sessions.has(id)) return this.#sessions.get(id);
    if (!this.#ids.inUse(id)) this.#ids.reserve(id);
    this.#pendingIds.add(id);
    return this.#createSession({ ...state, sessionId: id, ...(channel ? { channel } : {}) }, false);
  }

  getPaseSession(): SecureSession | undefined {
    for (const s of this.#sessions.values()) if (s.kind === 'pase') return s;
    return undefined;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  removeSession(id: number, reason: SessionCloseReason = 'removed'): boolean {
    const session = this.#sessions.get(id);
    if (!session) return false;
    this.#close(session, reason);
    return true;
  }

  removeAllSessionsForNode(fabricIndex: number, nodeId: bigint): number {
    const sessions = [...this.#sessions.values()].filter((s) => s.fabricIndex === fabricIndex && s.peerNodeId === nodeId);
    for (const s of sessions) this.#close(s, 'removed');
    return sessions.length;
  }

  /** Retries exhausted (reliable messaging): defunct until any authenticated message arrives. */
  markDefunct(session: SecureSession): void {
    if (!session.closed && session.state === 'active') session.state = 'defunct';
  }

  setSubscriptionCount(session: SecureSession, count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count: expected a non-negative integer, got ${String(count)}`);
    if (session.subscriptionCount === count) return;
    session.subscriptionCount = count;
    this.events.emit('subscriptionsChanged', session);
  }

  /** The session that has been quiet the longest, among those with no traffic within their active threshold. */
  findOldestInactiveSession(): SecureSession | undefined {
    const now = this.#now();
    let oldest: SecureSession | undefined;
    for (const s of this.#sessions.values()) {
      if (now - s.lastActivity < s.peerParameters.activeThreshold) continue;
      if (!oldest || s.lastActivity < oldest.lastActivity) oldest = s;
    }
    return oldest;
  }

  getActiveSessionInformation(): ActiveSessionInformation[] {
    const now = this.#now();
    return [...this.#sessions.values()].map((s) => ({
      sessionId: s.id, peerSessionId: s.peerSessionId, kind: s.kind, fabricIndex: s.fabricIndex,
      peerNodeId: s.peerNodeId, localNodeId: s.localNodeId, secure: true, state: s.state,
      isPeerActive: s.isPeerActive(now), lastActivity: s.lastActivity, lastPeerActivity: s.lastPeerActivity,
      subscriptionCount: s.subscriptionCount, channel: s.channel?.name, caseAuthenticatedTags: s.caseAuthenticatedTags,
    }));
  }

  /** Closes a session: keys wiped in the core, id released, listeners told; resumption records stay. */
  #close(session: SecureSession, reason: SessionCloseReason): void {
    if (session.closed || this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    session.destroy();
    this.#ids.release(session.id);
    if (!this.#restored.has(session)) {
      this.#releaseClaim(session.id);
      this.#sessionState?.remove(session.id).catch((error: unknown) => this.#reportBackground(error));
    }
    this.events.emit('sessionClosed', session, reason);
  }

  // ---- unsecured sessions --------------------------------------------------------------------------------------

  /** An unsecured session for a handshake: as initiator with a fresh ephemeral id, as responder for the peer's. */
  createUnsecuredSession(options: { isInitiator: boolean; initiatorNodeId?: bigint; channel?: SessionChannel }):
    UnsecuredSession {
    this.#assertOpen();
    const ephemeral = options.initiatorNodeId === undefined
      ? (options.isInitiator ? randomEphemeralNodeId() : undefined)
      : bigintArgument('initiatorNodeId', options.initiatorNodeId);
    if (ephemeral === undefined) throw new TypeError('initiatorNodeId: required for a responder\'s unsecured session');
    const existing = this.#unsecured.get(ephemeral);
    if (existing) this.#dropUnsecured(existing);
    const max = this.#limits.maxUnsecuredSessions ?? 8;
    while (this.#unsecured.size >= max) {
      let oldest: UnsecuredSession | undefined;
      for (const u of this.#unsecured.values()) if (!oldest || u.lastActivity < oldest.lastActivity) oldest = u;
      this.#dropUnsecured(oldest!);
    }
    const session = new UnsecuredSession(ephemeral, options.isInitiator, options.channel, this.#now());
    this.#unsecured.set(ephemeral, session);
    if (options.channel) session.detachChannel = options.channel.onClose(() => this.#dropUnsecured(session));
    return session;
  }

  getUnsecuredSession(initiatorNodeId: bigint): UnsecuredSession | undefined {
    return this.#unsecured.get(initiatorNodeId);
  }

  removeUnsecuredSession(session: UnsecuredSession): void {
    this.#dropUnsecured(session);
  }

  #dropUnsecured(session: UnsecuredSession): void {
    if (this.#unsecured.get(session.ephemeralNodeId) !== session) return;
    this.#unsecured.delete(session.ephemeralNodeId);
    session.detachChannel?.();
  }

  // ---- resumption records --------------------------------------------------------------------------------------

  async saveResumptionRecord(record: Omit<ResumptionRecord, 'lastUsed'> & { lastUsed?: number }): Promise<void> {
    this.#assertOpen();
    await this.#records.save({ ...record, lastUsed: record.lastUsed ?? this.#now() });
  }

  findResumptionRecordById(resumptionId: Uint8Array): ResumptionRecord | undefined {
    const record = this.#records.findById(resumptionId);
    if (record) this.#records.touch(record, this.#now());
    return record;
  }

  /**
   * As findResumptionRecordById; with shared records (a fleet), read from the store, where another instance may
   * have written or replaced it since this one started.
   */
  async lookupResumptionRecord(resumptionId: Uint8Array): Promise<ResumptionRecord | undefined> {
    if (!this.#records.shared) return this.findResumptionRecordById(resumptionId);
    const record = await this.#records.loadById(resumptionId);
    if (record) this.#records.touch(record, this.#now());
    return record;
  }

  findResumptionRecordByNode(fabricIndex: number, nodeId: bigint): ResumptionRecord | undefined {
    return this.#records.findByNode(fabricIndex, nodeId);
  }

  removeResumptionRecord(fabricIndex: number, nodeId: bigint): Promise<boolean> {
    return this.#records.remove(fabricIndex, nodeId);
  }

  get resumptionRecordCount(): number {
    return this.#records.size;
  }

  // ---- the message path ----------------------------------------------------------------------------------------

  /**
   * Encodes and, for a secure session, encrypts one message; returns the wire bytes. A session whose counter is
   * used up throws CounterExhaustedError and emits counterExhausted.
   */
  encode(session: AnySession, payloadHeader: PayloadHeader, payload: Uint8Array): Uint8Array {
    this.#assertOpen();
    if (!(payload instanceof Uint8Array)) throw new TypeError('payload: expected a Uint8Array');
    if (session instanceof SecureSession) return this.#encodeSecure(session, payloadHeader, payload);
    if (session instanceof UnsecuredSession) return this.#encodeUnsecured(session, payloadHeader, payload);
    throw new TypeError('session: expected a SecureSession or an UnsecuredSession (group messages: encodeGroup)');
  }

  #encodeSecure(session: SecureSession, payloadHeader: PayloadHeader, payload: Uint8Array): Uint8Array {
    if (session.closed) throw new SessionClosedError(session.id);
    // Pooled (see result-pool.ts): the message is the caller's result.
    const message = resultBytes(secureMessageLength(payloadHeader, payload));
    this.#encodeSecureInto(session, payloadHeader, payload, message, this.#now());
    return message;
  }

  /**
   * As encode, writing the datagram into `out` (from index 0) instead of a new array; returns its length. The
   * secure unicast path allocates nothing per message. `out` too small: BufferTooSmallError, and no counter is used.
   * Unicast only (secure and unsecured sessions); group messages: encodeGroup.
   *
   * `now` (milliseconds, the clock option's scale) stamps the session's activity instead of reading the clock: in
   * V8 every Date.now() returns a new 16-byte heap number, so a loop that reads the time once per batch of
   * datagrams and passes it here allocates nothing per message.
   */
  encodeInto(session: AnySession, payloadHeader: PayloadHeader, payload: Uint8Array, out: Uint8Array, now?: number): number {
    this.#assertOpen();
    if (!(payload instanceof Uint8Array)) throw new TypeError('payload: expected a Uint8Array');
    if (!(out instanceof Uint8Array)) throw new TypeError('out: expected a Uint8Array');
    const stamp = now === undefined ? this.#now() : timestampArgument(now);
    if (session instanceof SecureSession) {
      if (session.closed) throw new SessionClosedError(session.id);
      const length = secureMessageLength(payloadHeader, payload);
      if (out.length < length) throw new BufferTooSmallError('out', length, out.length);
      return this.#encodeSecureInto(session, payloadHeader, payload, out, stamp);
    }
    if (session instanceof UnsecuredSession) {
      const header = this.#unsecuredHeader(session);
      const length = messageHeaderLength(header) + payloadHeaderLength(payloadHeader) + payload.length;
      if (out.length < length) throw new BufferTooSmallError('out', length, out.length);
      header.messageCounter = this.#unsecuredCounter.next();
      session.lastActivity = stamp;
      out.set(payload, writePayloadHeader(out, writeMessageHeader(out, 0, header), payloadHeader));
      return length;
    }
    throw new TypeError('session: expected a SecureSession or an UnsecuredSession (group messages: encodeGroup)');
  }

  /**
   * Writes and seals a secure unicast message into `out[0, secureMessageLength)`, which the caller checked fits:
   * the header (no node ids: the session id names the peer), the payload header and payload, then the MIC. No
   * header object, no view: nothing allocated. The counter is taken last among the checks, so a refusal uses none.
   */
  #encodeSecureInto(session: SecureSession, payloadHeader: PayloadHeader, payload: Uint8Array, out: Uint8Array,
    now: number): number {
    const plainLength = payloadHeaderLength(payloadHeader) + payload.length;
    let counter: number;
    try {
      counter = session.counter.next();
    } catch (error) {
      if (error instanceof CounterExhaustedError) this.events.emit('counterExhausted', session);
      throw error;
    }
    out[0] = 0; // version 0, no source node, no destination
    writeU16(out, 1, session.peerSessionId);
    out[3] = SessionType.unicast; // security flags: no privacy, control or extensions
    writeU32(out, 4, counter);
    out.set(payload, writePayloadHeader(out, UNICAST_HEADER_LENGTH, payloadHeader));
    const sender = session.sendNonceId;
    const nonce = this.#scratch.nonceFor(SessionType.unicast, counter, sender.low, sender.high);
    const length = session.keys.sealPrefix(out, UNICAST_HEADER_LENGTH, plainLength, nonce, MIC_LENGTH);
    session.lastActivity = now;
    return length;
  }

  #unsecuredHeader(session: UnsecuredSession): MessageHeader {
    return {
      sessionId: 0, sessionType: SessionType.unicast, privacy: false, control: false, messageCounter: 0,
      // The initiator names itself as source, the responder names the initiator as destination.
      ...(session.isInitiator ? { sourceNodeId: session.ephemeralNodeId } : { destinationNodeId: session.ephemeralNodeId }),
    };
  }

  #encodeUnsecured(session: UnsecuredSession, payloadHeader: PayloadHeader, payload: Uint8Array): Uint8Array {
    const header = this.#unsecuredHeader(session);
    header.messageCounter = this.#unsecuredCounter.next();
    session.lastActivity = this.#now();
    return writePlainMessage(header, payloadHeader, payload, false).message;
  }

  /**
   * Encodes a group message with the group's current epoch key and the persisted group counter (async only when
   * a new block of counters must be reserved in storage). `privacy` obfuscates the header with the privacy key.
   */
  async encodeGroup(destination: GroupDestination, payloadHeader: PayloadHeader, payload: Uint8Array,
    options: { privacy?: boolean; control?: boolean } = {}): Promise<Uint8Array> {
    this.#assertOpen();
    const fabric = this.#fabrics.get(destination.fabricIndex);
    if (!fabric) throw new RangeError(`destination.fabricIndex: fabric ${destination.fabricIndex} does not exist`);
    const key = this.#groupKeys.currentKey(destination.fabricIndex, destination.groupId, this.#now());
    if (!key) throw new RangeError(`destination.groupId: group ${destination.groupId} has no key set on fabric ${destination.fabricIndex}`);
    const counter = await (options.control ? this.#groupControlCounter : this.#groupDataCounter).next();
    const header: MessageHeader = {
      sessionId: key.groupSessionId, sessionType: SessionType.group, privacy: options.privacy ?? false,
      control: options.control ?? false, messageCounter: counter, sourceNodeId: fabric.nodeId,
      destinationGroupId: destination.groupId,
    };
    const { message, headerLength, plainLength } = writePlainMessage(header, payloadHeader, payload, true);
    const sender = localNonceNodeId(fabric.nodeId);
    sealMessage(this.#scratch, key.encryptionKey, header, sender.low, sender.high, message, headerLength, plainLength);
    if (header.privacy) obfuscateHeader(message, headerLength, key.privacyKey);
    return message;
  }

  /**
   * Decodes one datagram: finds its session, checks the counter, authenticates and decrypts, and commits the
   * counter only then. Throws MalformedMessageError, UnknownSessionError, AuthenticationFailedError or
   * DuplicateMessageError (an authentic replay or retransmission; ack it if it asks). No state changes on error.
   * `channel` binds the unsecured session a new handshake creates.
   */
  decode(datagram: Uint8Array, channel?: SessionChannel): DecodedMessage {
    this.#assertOpen();
    if (!(datagram instanceof Uint8Array)) throw new TypeError('datagram: expected a Uint8Array');
    let sessionId = secureUnicastSessionId(datagram);
    if (sessionId === 0) {
      const prefix = readClearHeaderPrefix(new ByteReader(datagram));
      if ((prefix.security & 0x03) === SessionType.group) return this.#decodeGroup(datagram);
      if (prefix.sessionId === 0) return this.#decodeUnsecured(datagram, channel);
      sessionId = prefix.sessionId;
    }
    // Opened and committed in one go, with no closure per message.
    const message = this.#openSecure(datagram, sessionId);
    this.#commitSecure(message.session as SecureSession, message.header.messageCounter, this.#now());
    return message;
  }

  /**
   * As decode, filling the caller's `target` instead of returning new objects; returns `target`. A secure unicast
   * message allocates nothing per message: its headers are written into target's header objects and its payload
   * into target's buffer (`payloadBytes[payloadOffset, + payloadLength)`), all valid until the next decodeInto with
   * this target. Unsecured and group messages are decoded as decode does and copied in (they allocate). Same
   * errors as decode, nothing committed on error, and after an error target holds no message (session undefined).
   * `now` as for encodeInto (secure messages; the other paths read the clock).
   */
  decodeInto(datagram: Uint8Array, target: ReceivedMessage, channel?: SessionChannel, now?: number): ReceivedMessage {
    this.#assertOpen();
    if (!(datagram instanceof Uint8Array)) throw new TypeError('datagram: expected a Uint8Array');
    if (!(target instanceof ReceivedMessage)) throw new TypeError('target: expected a ReceivedMessage');
    try {
      if (now !== undefined) timestampArgument(now);
      // A well-formed clear prefix of a secure unicast message takes the allocation-free path; anything else
      // (unsecured, group, or a prefix decode refuses) goes through decode, which throws the same errors.
      const sessionId = secureUnicastSessionId(datagram);
      if (sessionId !== 0) {
        const session = this.#openSecureInto(datagram, sessionId, target);
        this.#commitSecure(session, target.header.messageCounter, now === undefined ? this.#now() : now);
        return target;
      }
      return fillReceived(target, this.decode(datagram, channel));
    } catch (error) {
      target.clear();
      throw error;
    }
  }

  /**
   * As decode, but a secure message's counter is committed (and its activity recorded) only when `commit()` is
   * called: a caller with another replay check to pass first, such as a fleet's shared window in Redis, commits
   * after that check and drops the message otherwise. Unsecured and group messages are committed at once.
   */
  decodeDeferred(datagram: Uint8Array, channel?: SessionChannel): { message: DecodedMessage; commit(): void } {
    this.#assertOpen();
    if (!(datagram instanceof Uint8Array)) throw new TypeError('datagram: expected a Uint8Array');
    const reader = new ByteReader(datagram);
    const prefix = readClearHeaderPrefix(reader);
    if ((prefix.security & 0x03) === SessionType.group) return { message: this.#decodeGroup(datagram), commit: noop };
    if (prefix.sessionId === 0) return { message: this.#decodeUnsecured(datagram, channel), commit: noop };
    const message = this.#openSecure(datagram, prefix.sessionId);
    return { message, commit: () => this.#commitSecure(message.session as SecureSession, message.header.messageCounter, this.#now()) };
  }

  /** The session id a datagram names (0 for unsecured, the group session id for groups), from its clear header. */
  static sessionIdOf(datagram: Uint8Array): number {
    if (!(datagram instanceof Uint8Array) || datagram.length < 4) throw new MalformedMessageError('message', 'shorter than a header');
    return datagram[1]! | (datagram[2]! << 8);
  }

  /** #openSecureInto, then copies of what the caller keeps (the received message is reused). */
  #openSecure(datagram: Uint8Array, sessionId: number): DecodedMessage {
    const received = this.#received;
    const session = this.#openSecureInto(datagram, sessionId, received);
    const payload = resultBytes(received.payloadLength);
    const from = received.payloadBytes, at = received.payloadOffset;
    // Short payloads by index (a subarray view would be an allocation); longer ones through a view, which copies faster.
    if (payload.length <= 64) for (let i = 0; i < payload.length; i++) payload[i] = from[at + i]!;
    else payload.set(from.subarray(at, at + payload.length));
    const payloadHeader = copyPayloadHeader(received.payloadHeader);
    // Views into the reused buffer must not escape: copy what the caller keeps.
    if (payloadHeader.securedExtensions) payloadHeader.securedExtensions = payloadHeader.securedExtensions.slice();
    return { session, header: copyMessageHeader(received.header), payloadHeader, payload };
  }

  /**
   * Checks the counter against the window (without committing), authenticates and decrypts into `target`'s
   * buffer, and reads the payload header from there. Errors carry copies of the headers (target is reused).
   */
  #openSecureInto(datagram: Uint8Array, sessionId: number, target: ReceivedMessage): SecureSession {
    const session = this.#sessions.get(sessionId);
    if (!session) throw new UnknownSessionError(sessionId);
    const header = target.header;
    const headerLength = readMessageHeaderInto(datagram, datagram.length, header);
    // The SDK drops secure unicast messages with the privacy flag: privacy is defined for groups only.
    if (header.privacy) throw new MalformedMessageError('security flags', 'privacy flag on a unicast message', 3);
    if (datagram.length < headerLength + MIC_LENGTH) {
      throw new MalformedMessageError('message', `no room for the ${MIC_LENGTH}-byte MIC`, headerLength);
    }
    const counter = header.messageCounter;
    const verdict = session.peerWindow.verify(counter);
    if (verdict === 'rejected') throw new DuplicateMessageError(sessionId, copyMessageHeader(header), undefined);
    const plain = target.reserve(datagram.length - headerLength - MIC_LENGTH);
    // The nonce's security flags are the header's known flags (reserved bits dropped, as securityFlags does).
    const nonce = this.#scratch.nonceFor(datagram[3]! & 0xe3, counter, session.receiveNonceLow, session.receiveNonceHigh);
    let plainLength: number;
    try {
      plainLength = session.keys.openInto(datagram, datagram.length, headerLength, nonce, MIC_LENGTH, plain, 0);
    } catch (error) {
      if (error instanceof AuthenticationError) throw new AuthenticationFailedError(sessionId);
      throw error;
    }
    const payloadAt = readPayloadHeaderInto(plain, 0, plainLength, target.payloadHeader);
    if (verdict === 'duplicate') {
      throw new DuplicateMessageError(sessionId, copyMessageHeader(header), copyPayloadHeader(target.payloadHeader));
    }
    target.payloadOffset = payloadAt;
    target.payloadLength = plainLength - payloadAt;
    target.session = session;
    return session;
  }

  /** An authentic message's counter enters the window; the session was active just now. */
  #commitSecure(session: SecureSession, counter: number, now: number): void {
    session.peerWindow.commit(counter);
    session.lastActivity = session.lastPeerActivity = now;
    if (session.state === 'defunct') session.state = 'active';
  }

  #decodeUnsecured(datagram: Uint8Array, channel: SessionChannel | undefined): DecodedMessage {
    const reader = new ByteReader(datagram);
    const header = readMessageHeader(reader);
    if (header.privacy) throw new MalformedMessageError('security flags', 'privacy flag on an unsecured message', 3);
    const source = header.sourceNodeId, destination = header.destinationNodeId;
    if ((source === undefined) === (destination === undefined)) {
      throw new MalformedMessageError('message flags', 'an unsecured message names exactly one of source and destination node', 0);
    }
    const { payloadHeader, payload } = splitPayload(datagram.subarray(reader.offset));
    // From an initiator (source = its ephemeral id): our responder session for it, created on first contact.
    // To us as initiator (destination = our ephemeral id): the session we created.
    let session = this.#unsecured.get((source ?? destination)!);
    if (!session && destination !== undefined) throw new UnknownSessionError(0, `no handshake from node ${destination.toString(16)}`);
    if (session && session.isInitiator !== (destination !== undefined)) {
      throw new UnknownSessionError(0, 'message direction does not match the unsecured session');
    }
    const verdict = session?.peerWindow.verify(header.messageCounter) ?? 'new';
    if (verdict !== 'new') throw new DuplicateMessageError(0, header, payloadHeader);
    session ??= this.createUnsecuredSession({ isInitiator: false, initiatorNodeId: source!, ...(channel ? { channel } : {}) });
    session.peerWindow.commit(header.messageCounter);
    session.lastActivity = this.#now();
    return { session, header, payloadHeader, payload };
  }

  #decodeGroup(datagram: Uint8Array): DecodedMessage {
    const sessionId = datagram[1]! | (datagram[2]! << 8);
    const candidates = this.#groupKeys.candidates(sessionId);
    if (candidates.length === 0) throw new UnknownSessionError(sessionId, 'no group key with this session id');
    if (datagram.length < 8 + MIC_LENGTH) throw new MalformedMessageError('message', 'too short for a group message');
    let malformed: unknown;
    for (const key of candidates) {
      // Trial decryption: group session ids are 16-bit hashes, so the right key is the one that authenticates.
      let header: MessageHeader, headerLength: number;
      try {
        const clear = (datagram[3]! & 0x80) ? deobfuscatedCopy(datagram, key.privacyKey) : datagram;
        const reader = new ByteReader(clear);
        header = readMessageHeader(reader);
        headerLength = reader.offset;
        if (header.sourceNodeId === undefined || header.destinationGroupId === undefined) {
          throw new MalformedMessageError('message flags', 'a group message names its source node and group', 0);
        }
        if (headerLength + MIC_LENGTH > datagram.length) throw new MalformedMessageError('message', 'no room for the MIC', headerLength);
        // The AAD is the header as sent, before obfuscation: the de-obfuscated bytes.
        const aadAndCipher = clear === datagram ? datagram : concatHeaderAndBody(clear, datagram, headerLength);
        const sender = nonceNodeId(header.sourceNodeId);
        const plainLength = openMessage(this.#scratch, key.encryptionKey, header, sender.low, sender.high, aadAndCipher, headerLength);
        if (!this.#groupKeys.isMapped(key.fabricIndex, header.destinationGroupId, key.keySetId)) continue;
        return this.#acceptGroup(key, header, splitPayload(this.#scratch.opened, headerLength, headerLength + plainLength));
      } catch (error) {
        if (error instanceof AuthenticationError) continue;
        if (error instanceof MalformedMessageError) { malformed = error; continue; }
        throw error;
      }
    }
    if (malformed) throw malformed;
    throw new AuthenticationFailedError(sessionId);
  }

  #acceptGroup(key: GroupOperationalKey, header: MessageHeader, body: { payloadHeader: PayloadHeader; payload: Uint8Array }):
    DecodedMessage {
    const { fabricIndex } = key, sender = header.sourceNodeId!, control = header.control;
    const verdict = this.#groupReception.verify(fabricIndex, sender, control, header.messageCounter);
    if (verdict !== 'new') throw new DuplicateMessageError(header.sessionId, header, body.payloadHeader);
    this.#groupReception.commit(fabricIndex, sender, control, header.messageCounter);
    const source: GroupSource = {
      kind: 'group', fabricIndex: key.fabricIndex, groupId: header.destinationGroupId!, sourceNodeId: header.sourceNodeId!,
      keySetId: key.keySetId,
    };
    return { session: source, header, ...body };
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------------

  /** Closes every session (keys wiped, ids released) and frees the core resources. Stored records stay. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const session of [...this.#sessions.values()]) this.#close(session, 'manager-closed');
    for (const session of [...this.#unsecured.values()]) this.#dropUnsecured(session);
    this.#groupKeys.clear();
    this.#closed = true;
    await this.#groupReception.flush();
    this.#ids.dispose();
  }
}

/** A secure unicast datagram's length: the 8-byte header (no node ids), payload header, payload and MIC. */
const UNICAST_HEADER_LENGTH = 8;
function secureMessageLength(payloadHeader: PayloadHeader, payload: Uint8Array): number {
  const plainLength = payloadHeaderLength(payloadHeader) + payload.length;
  // CCM with Matter's 13-byte nonce encrypts at most 65535 bytes: refused before a counter is used.
  if (plainLength > 0xffff) {
    throw new RangeError(`payload: a secure message holds at most 65535 bytes of payload header and payload, got ${plainLength}`);
  }
  return UNICAST_HEADER_LENGTH + plainLength + MIC_LENGTH;
}

/**
 * The session id of a datagram whose clear prefix is well formed (version 0, a valid destination size, unicast) and
 * names a secure session; 0 for anything else, which the caller parses with readClearHeaderPrefix (and its errors).
 * Reads bytes only: no reader, no prefix object per message.
 */
function secureUnicastSessionId(datagram: Uint8Array): number {
  if (datagram.length < 4) return 0;
  const flags = datagram[0]!;
  if (flags >> 4 !== 0 || (flags & 0x03) === 3 || (datagram[3]! & 0x03) !== SessionType.unicast) return 0;
  return datagram[1]! | (datagram[2]! << 8);
}

/** Copies a decoded message into a ReceivedMessage (the unsecured and group paths of decodeInto). */
function fillReceived(target: ReceivedMessage, message: DecodedMessage): ReceivedMessage {
  const h = target.header, m = message.header;
  h.sessionId = m.sessionId; h.sessionType = m.sessionType; h.privacy = m.privacy; h.control = m.control;
  h.messageCounter = m.messageCounter; h.sourceNodeId = m.sourceNodeId; h.destinationNodeId = m.destinationNodeId;
  h.destinationGroupId = m.destinationGroupId; h.extensions = m.extensions;
  const p = target.payloadHeader, q = message.payloadHeader;
  p.exchangeId = q.exchangeId; p.protocolId = q.protocolId; p.opcode = q.opcode; p.vendorId = q.vendorId;
  p.initiator = q.initiator; p.needsAck = q.needsAck; p.ackedMessageCounter = q.ackedMessageCounter;
  p.securedExtensions = q.securedExtensions;
  target.reserve(message.payload.length).set(message.payload);
  target.payloadOffset = 0;
  target.payloadLength = message.payload.length;
  target.session = message.session;
  return target;
}

/** The de-obfuscated header followed by the original (never obfuscated) ciphertext and MIC. */
function concatHeaderAndBody(clearHeader: Uint8Array, datagram: Uint8Array, headerLength: number): Uint8Array {
  const joined = datagram.slice();
  joined.set(clearHeader.subarray(0, headerLength));
  return joined;
}
