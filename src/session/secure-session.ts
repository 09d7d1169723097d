// A secure unicast session (PASE or CASE): its ids, its two keys inside the core, its outgoing counter and the
// reception window for the peer's counters, its state and activity. Kept small: a node may hold thousands.
import type { CcmKeyPair } from '../core/index.js';
import type { SessionState } from './eviction-policy.js';
import type { SessionChannel } from './session-channel.js';
import type { SessionParameters } from './session-parameters.js';
import { localNonceNodeId, nonceNodeId, NONCE_NODE_ID_ZERO, type NonceNodeId } from './message-crypto.js';

export type SecureSessionKind = 'pase' | 'case';

/** The outgoing message counter of a session: next() throws when it would wrap. */
export interface OutgoingMessageCounter {
  next(): number;
}

/** The peer's reception window: verify before decryption, commit only after authentication. */
export interface PeerCounterWindow {
  verify(counter: number): 'new' | 'duplicate' | 'rejected';
  commit(counter: number): void;
}

export interface SecureSessionInit {
  id: number;
  peerSessionId: number;
  kind: SecureSessionKind;
  fabricIndex: number | undefined;
  localNodeId: bigint;
  peerNodeId: bigint;
  caseAuthenticatedTags: readonly number[];
  isInitiator: boolean;
  isResumption: boolean;
  peerParameters: SessionParameters;
  /** Sends with the I2R or R2I key as our role says, receives with the other. */
  keys: CcmKeyPair;
  attestationChallenge: Uint8Array;
  counter: OutgoingMessageCounter;
  peerWindow: PeerCounterWindow;
  channel: SessionChannel | undefined;
  now: number;
}

// Flag bits of SecureSession.#flags: three booleans and the kind in one small integer instead of four fields.
const CASE = 1, INITIATOR = 2, RESUMPTION = 4, CLOSED = 8;

/**
 * Kept small: a node may hold thousands of idle sessions (JS heap per idle session is measured in bench/, with
 * 10,000 open). Hence the flag bits, the challenge in four integers, and the nonce ids as plain numbers.
 */
export class SecureSession {
  readonly id: number;
  readonly peerSessionId: number;
  readonly fabricIndex: number | undefined;
  readonly localNodeId: bigint;
  readonly peerNodeId: bigint;
  readonly caseAuthenticatedTags: readonly number[];
  readonly peerParameters: SessionParameters;
  readonly channel: SessionChannel | undefined;
  readonly createdAt: number;
  state: SessionState = 'active';
  /** Last time a message was sent or received (eviction order). */
  lastActivity: number;
  /** Last time an authenticated message came from the peer (is the peer active?). */
  lastPeerActivity: number;
  subscriptionCount = 0;
  /** @internal */ readonly keys: CcmKeyPair;
  /** @internal */ readonly counter: OutgoingMessageCounter;
  /** @internal */ readonly peerWindow: PeerCounterWindow;
  /** @internal */ detachChannel: (() => void) | undefined;
  /** Our node id as the nonce uses it when sending (0 for PASE), shared by the fabric's sessions. @internal */
  readonly sendNonceId: NonceNodeId;
  /** The peer's node id as the nonce uses it when receiving (0 for PASE), in 32-bit halves. @internal */
  readonly receiveNonceLow: number;
  /** @internal */ readonly receiveNonceHigh: number;
  #flags: number;
  // The 16-byte attestation challenge as four 32-bit fields: a Uint8Array of its own costs an idle session about
  // 180 bytes of JS heap (view, ArrayBuffer, backing store), more than a third of its budget.
  #challenge0: number;
  #challenge1: number;
  #challenge2: number;
  #challenge3: number;

  constructor(init: SecureSessionInit) {
    this.id = init.id;
    this.peerSessionId = init.peerSessionId;
    this.fabricIndex = init.fabricIndex;
    this.localNodeId = init.localNodeId;
    this.peerNodeId = init.peerNodeId;
    this.caseAuthenticatedTags = init.caseAuthenticatedTags;
    this.#flags = (init.kind === 'case' ? CASE : 0) | (init.isInitiator ? INITIATOR : 0) | (init.isResumption ? RESUMPTION : 0);
    this.peerParameters = init.peerParameters;
    this.keys = init.keys;
    const challenge = new DataView(init.attestationChallenge.buffer, init.attestationChallenge.byteOffset, 16);
    this.#challenge0 = challenge.getInt32(0);
    this.#challenge1 = challenge.getInt32(4);
    this.#challenge2 = challenge.getInt32(8);
    this.#challenge3 = challenge.getInt32(12);
    this.counter = init.counter;
    this.peerWindow = init.peerWindow;
    this.channel = init.channel;
    this.createdAt = this.lastActivity = this.lastPeerActivity = init.now;
    const pase = init.kind === 'pase';
    this.sendNonceId = pase || init.localNodeId === 0n ? NONCE_NODE_ID_ZERO : localNonceNodeId(init.localNodeId);
    const receive = pase || init.peerNodeId === 0n ? NONCE_NODE_ID_ZERO : nonceNodeId(init.peerNodeId);
    this.receiveNonceLow = receive.low;
    this.receiveNonceHigh = receive.high;
  }

  /** The session's attestation challenge (Session Keys, 16 bytes), a fresh copy; zeros once the session closed. */
  get attestationChallenge(): Uint8Array {
    const challenge = new Uint8Array(16);
    const view = new DataView(challenge.buffer);
    view.setInt32(0, this.#challenge0);
    view.setInt32(4, this.#challenge1);
    view.setInt32(8, this.#challenge2);
    view.setInt32(12, this.#challenge3);
    return challenge;
  }

  get kind(): SecureSessionKind {
    return this.#flags & CASE ? 'case' : 'pase';
  }

  get isInitiator(): boolean {
    return (this.#flags & INITIATOR) !== 0;
  }

  get isResumption(): boolean {
    return (this.#flags & RESUMPTION) !== 0;
  }

  get closed(): boolean {
    return (this.#flags & CLOSED) !== 0;
  }

  /** Whether the peer was heard from within its announced active threshold. */
  isPeerActive(now: number): boolean {
    return now - this.lastPeerActivity < this.peerParameters.activeThreshold;
  }

  /** Wipes both keys in the core and detaches from the channel. Idempotent. @internal */
  destroy(): void {
    if (this.#flags & CLOSED) return;
    this.#flags |= CLOSED;
    this.keys.dispose();
    this.#challenge0 = this.#challenge1 = this.#challenge2 = this.#challenge3 = 0;
    this.detachChannel?.();
    this.detachChannel = undefined;
  }
}
