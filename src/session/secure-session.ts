// A secure unicast session (PASE or CASE): its ids, its two keys inside the core, its outgoing counter and the
// reception window for the peer's counters, its state and activity. Kept small: a node may hold thousands.
import type { AesCcmKey } from '../core/index.js';
import type { SessionState } from './eviction-policy.js';
import type { SessionChannel } from './session-channel.js';
import type { SessionParameters } from './session-parameters.js';
import { nonceNodeId, NONCE_NODE_ID_ZERO, type NonceNodeId } from './message-crypto.js';

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
  encryptKey: AesCcmKey;
  decryptKey: AesCcmKey;
  attestationChallenge: Uint8Array;
  counter: OutgoingMessageCounter;
  peerWindow: PeerCounterWindow;
  channel: SessionChannel | undefined;
  now: number;
}

export class SecureSession {
  readonly id: number;
  readonly peerSessionId: number;
  readonly kind: SecureSessionKind;
  readonly fabricIndex: number | undefined;
  readonly localNodeId: bigint;
  readonly peerNodeId: bigint;
  readonly caseAuthenticatedTags: readonly number[];
  readonly isInitiator: boolean;
  readonly isResumption: boolean;
  readonly peerParameters: SessionParameters;
  readonly attestationChallenge: Uint8Array;
  readonly channel: SessionChannel | undefined;
  readonly createdAt: number;
  state: SessionState = 'active';
  /** Last time a message was sent or received (eviction order). */
  lastActivity: number;
  /** Last time an authenticated message came from the peer (is the peer active?). */
  lastPeerActivity: number;
  subscriptionCount = 0;
  /** @internal */ readonly encryptKey: AesCcmKey;
  /** @internal */ readonly decryptKey: AesCcmKey;
  /** @internal */ readonly counter: OutgoingMessageCounter;
  /** @internal */ readonly peerWindow: PeerCounterWindow;
  /** @internal */ detachChannel: (() => void) | undefined;
  /** Node ids as the nonce uses them: ours when sending, the peer's when receiving, 0 for PASE. @internal */
  readonly sendNonceId: NonceNodeId;
  /** @internal */ readonly receiveNonceId: NonceNodeId;
  #closed = false;

  constructor(init: SecureSessionInit) {
    this.id = init.id;
    this.peerSessionId = init.peerSessionId;
    this.kind = init.kind;
    this.fabricIndex = init.fabricIndex;
    this.localNodeId = init.localNodeId;
    this.peerNodeId = init.peerNodeId;
    this.caseAuthenticatedTags = init.caseAuthenticatedTags;
    this.isInitiator = init.isInitiator;
    this.isResumption = init.isResumption;
    this.peerParameters = init.peerParameters;
    this.encryptKey = init.encryptKey;
    this.decryptKey = init.decryptKey;
    this.attestationChallenge = init.attestationChallenge;
    this.counter = init.counter;
    this.peerWindow = init.peerWindow;
    this.channel = init.channel;
    this.createdAt = this.lastActivity = this.lastPeerActivity = init.now;
    const pase = init.kind === 'pase';
    this.sendNonceId = pase || init.localNodeId === 0n ? NONCE_NODE_ID_ZERO : nonceNodeId(init.localNodeId);
    this.receiveNonceId = pase || init.peerNodeId === 0n ? NONCE_NODE_ID_ZERO : nonceNodeId(init.peerNodeId);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the peer was heard from within its announced active threshold. */
  isPeerActive(now: number): boolean {
    return now - this.lastPeerActivity < this.peerParameters.activeThreshold;
  }

  /** Wipes both keys in the core and detaches from the channel. Idempotent. @internal */
  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.encryptKey.dispose();
    this.decryptKey.dispose();
    this.attestationChallenge.fill(0);
    this.detachChannel?.();
    this.detachChannel = undefined;
  }
}
