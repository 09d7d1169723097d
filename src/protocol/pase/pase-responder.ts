// The device's side of PASE (spec "Passcode-Authenticated Session Establishment", SDK PASESession). Rules:
// - a device (one slot) serves one handshake at a time and no second PASE session: others are told busy;
// - an endpoint serving many clients (more slots) bounds them in a HandshakeSlots table, where a newcomer takes the
//   slot of the handshake waiting longest for its peer, so stalled handshakes cannot lock anyone out;
// - each step waits for the peer's next message at most `handshakeTimeoutMs` over UDP (MRP may be retrying) and
//   `reliableStepTimeoutMs` over reliable channels (HTTP, WebSocket, BTP), where a message is either there or lost;
// - a failed passcode confirmation counts against the commissioning window (src/protocol/pase/commissioning-window.ts),
//   which closes after 20 of them. A confirmation is owed once Pake2 went out: from then on the peer holds cB and
//   can test one passcode guess offline, so a handshake that ends there without a valid cA (a mismatch, a failure
//   StatusReport, silence) counts. Anything before Pake2 (a PBKDFParamRequest, a StatusReport) costs a stranger
//   nothing and reveals nothing, so it never counts.
import { computePasscodeVerifier, paseContext, Spake2pError, startSpake2pVerifier, type VerifierSecrets } from '../../crypto/index.js';
import type { SecureSession } from '../../session/secure-session.js';
import { UnsecuredSession } from '../../session/unsecured-session.js';
import type { Exchange, ExchangeMessage } from '../exchange.js';
import type { ExchangeManager } from '../exchange-manager.js';
import { isMessageChannel } from '../message-channel.js';
import { ProtocolId, SecureChannelOpcode } from '../protocol-ids.js';
import {
  CommissioningWindow, type CommissioningWindowBackoff, type CommissioningWindowChange, type CommissioningWindowState,
} from './commissioning-window.js';
import { HandshakeSlots, type HandshakeSlot, type HandshakeStage } from './handshake-slots.js';
import { PaseError, type PaseFailure } from './pase-error.js';
import { decodePake1, decodePake3, decodePbkdfParamRequest, encodePake2, encodePbkdfParamResponse } from './pase-messages.js';
import { busy, expectMessage, INVALID_PARAMETER, sendStatus, SUCCESS } from './pase-steps.js';

type Verifier = VerifierSecrets & { salt: Uint8Array; iterations: number };

export interface PaseResponderOptions {
  /** The passcode, from which the verifier is computed with a random salt; or a verifier made elsewhere. */
  passcode?: number;
  verifier?: Verifier;
  /** PBKDF2 iterations when computing from a passcode (1000..100000). Default 1000. */
  iterations?: number;
  /** A whole handshake at most, and each step over UDP. Default 60 s, the SDK's PASE establishment timeout. */
  handshakeTimeoutMs?: number;
  /** Each step over a reliable channel (HTTP, WebSocket, BTP). Default 10 s. */
  reliableStepTimeoutMs?: number;
  /** Failed passcode confirmations before the commissioning window closes. Default 20. */
  maxFailedAttempts?: number;
  /** How long the window stays closed after them; `false`: until openWindow(). Default 10 s doubling to 10 min. */
  windowBackoff?: CommissioningWindowBackoff | false;
  /**
   * Handshakes held at once. Default 1, the spec's rule for a commissionable device, which answers busy while it
   * has a handshake or a PASE session. An endpoint serving many clients raises it (and the SessionManager's
   * maxPaseSessions and maxUnsecuredSessions): then a new handshake takes the slot of one waiting for its peer.
   */
  maxConcurrentHandshakes?: number;
  /** The clock (ms), injectable for tests. Default Date.now. */
  now?: () => number;
  onSession?: (session: SecureSession) => void;
  onWindowClosed?: (state: CommissioningWindowState) => void;
  /** Every change of the commissioning window: a failure counted, closed, reopened, reset. */
  onWindowChange?: (state: CommissioningWindowState, change: CommissioningWindowChange) => void;
  /** A handshake that did not produce a session; `counted`: it counted against the window. */
  onHandshakeFailed?: (failure: HandshakeFailure) => void;
}

export interface HandshakeFailure {
  failure: PaseFailure | 'evicted' | 'refused-busy';
  /** How far it got. */
  stage: HandshakeStage;
  counted: boolean;
  detail: string;
}

/** The minimum wait a busy device asks a commissioner to observe before retrying (ms). */
const BUSY_WAIT_MS = 5000;
/** The busy StatusReport carries the wait in a uint16 of milliseconds (spec "Busy"): longer waits saturate. */
const MAX_BUSY_WAIT_MS = 0xffff;

export class PaseResponder {
  readonly #exchanges: ExchangeManager;
  #verifier: Verifier;
  readonly #timeoutMs: number;
  readonly #reliableStepMs: number;
  readonly #options: PaseResponderOptions;
  readonly #window: CommissioningWindow;
  readonly #slots: HandshakeSlots;
  readonly #deviceRules: boolean;
  readonly #active = new Map<HandshakeSlot, Exchange>();
  /** Handshakes whose slot went to a newcomer: their failure is reported as `evicted`. */
  readonly #evicted = new WeakSet<HandshakeSlot>();

  constructor(exchanges: ExchangeManager, options: PaseResponderOptions) {
    this.#exchanges = exchanges;
    this.#options = options;
    this.#timeoutMs = options.handshakeTimeoutMs ?? 60_000;
    this.#reliableStepMs = Math.min(options.reliableStepTimeoutMs ?? 10_000, this.#timeoutMs);
    const capacity = options.maxConcurrentHandshakes ?? 1;
    this.#deviceRules = capacity === 1;
    this.#verifier = PaseResponder.#verifierFrom(options.passcode, options.verifier, options.iterations);
    const now = options.now ?? Date.now;
    this.#window = new CommissioningWindow({
      ...(options.maxFailedAttempts !== undefined ? { maxFailedAttempts: options.maxFailedAttempts } : {}),
      ...(options.windowBackoff !== undefined ? { backoff: options.windowBackoff } : {}),
      now,
      onChange: (state, change) => {
        options.onWindowChange?.(state, change);
        if (change === 'closed') options.onWindowClosed?.(state);
      },
    });
    this.#slots = new HandshakeSlots(capacity, (victim) => {
      this.#evicted.add(victim);
      this.#active.get(victim)?.abort(new PaseError('timeout', 'evicted: it waited longest for its peer while every slot was taken'));
    }, now);
    exchanges.addProtocolHandler(ProtocolId.secureChannel, (exchange, first) => this.#handle(exchange, first));
  }

  static #verifierFrom(passcode: number | undefined, verifier: Verifier | undefined, iterations: number | undefined): Verifier {
    if (verifier) return verifier;
    if (passcode === undefined) throw new TypeError('options: expected a passcode or a verifier');
    const salt = crypto.getRandomValues(new Uint8Array(32));
    const rounds = iterations ?? 1000;
    const { w0, L } = computePasscodeVerifier(passcode, salt, rounds);
    return { w0, L, salt, iterations: rounds };
  }

  get windowOpen(): boolean {
    return this.#window.open;
  }

  get failedAttempts(): number {
    return this.#window.state.failedAttempts;
  }

  /** The commissioning window: open, failures, closures, when it reopens. */
  get windowState(): CommissioningWindowState {
    return this.#window.state;
  }

  /** Handshakes held now, by stage, and how many were evicted in all. */
  get handshakes(): { pending: number; capacity: number; awaitingPake1: number; awaitingPake3: number; evicted: number } {
    const s = this.#slots;
    return { pending: s.size, capacity: s.capacity, awaitingPake1: s.count('awaiting-pake1'), awaitingPake3: s.count('awaiting-pake3'), evicted: s.evicted };
  }

  /** Reopens the commissioning window now; failures and back-off start over. */
  openWindow(): void {
    this.#window.reopen();
  }

  /**
   * Replaces the passcode (new random salt) and reopens the window. Handshakes in progress finish with the verifier
   * they started with. Throws RangeError for a passcode Matter does not allow, changing nothing.
   */
  setPasscode(passcode: number, iterations = this.#verifier.iterations): void {
    this.#verifier = PaseResponder.#verifierFrom(passcode, undefined, iterations);
    this.#window.reopen();
  }

  /** Ends every handshake and stops the window's timer. */
  close(): void {
    this.#window.dispose();
    for (const exchange of this.#active.values()) exchange.abort(new PaseError('disconnected', 'the responder closed'));
  }

  async #handle(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    if (first.opcode !== SecureChannelOpcode.pbkdfParamRequest) {
      await exchange.close();
      this.#dropUnsecured(exchange);
      return;
    }
    const window = this.#window.state;
    const slot = window.open && !(this.#deviceRules && this.#exchanges.sessions.getPaseSession())
      ? this.#slots.acquire(!this.#deviceRules) : undefined;
    if (!slot) {
      const waitMs = window.open ? BUSY_WAIT_MS : Math.min(MAX_BUSY_WAIT_MS, Math.max(1000, window.retryAfterMs));
      this.#options.onHandshakeFailed?.({
        failure: 'refused-busy', stage: 'working', counted: false,
        detail: window.open ? 'every handshake slot is working' : `commissioning window closed, reopens in ${Math.ceil(window.retryAfterMs / 1000)} s`,
      });
      await sendStatus(exchange, busy(waitMs)).catch(() => {});
      await exchange.close();
      this.#dropUnsecured(exchange);
      return;
    }
    this.#active.set(slot, exchange);
    const timer = setTimeout(() => exchange.abort(new PaseError('timeout', `PASE handshake not done within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    try {
      const session = await this.#respond(exchange, first, slot);
      if (session) {
        this.#window.recordSuccess();
        this.#options.onSession?.(session);
      }
    } catch (error) {
      const owed = slot.stage === 'awaiting-pake3';
      if (owed) this.#window.recordFailure();
      this.#options.onHandshakeFailed?.({
        failure: this.#evicted.has(slot) ? 'evicted' : error instanceof PaseError ? error.failure : 'protocol',
        stage: slot.stage, counted: owed, detail: (error as Error)?.message ?? String(error),
      });
    } finally {
      clearTimeout(timer);
      slot.release();
      this.#active.delete(slot);
      await exchange.close().catch(() => {});
      this.#dropUnsecured(exchange);
    }
  }

  /** The handshake's unsecured session is of no further use: free its place in the pool at once. */
  #dropUnsecured(exchange: Exchange): void {
    if (exchange.session instanceof UnsecuredSession) this.#exchanges.sessions.removeUnsecuredSession(exchange.session);
  }

  #stepTimeout(exchange: Exchange): number {
    const channel = exchange.session.channel;
    return isMessageChannel(channel) && channel.reliable ? this.#reliableStepMs : this.#timeoutMs;
  }

  /** Runs the handshake; a wrong cA is answered and thrown as PaseError wrong-passcode (counted by the caller). */
  async #respond(exchange: Exchange, first: ExchangeMessage, slot: HandshakeSlot): Promise<SecureSession | undefined> {
    const sessions = this.#exchanges.sessions;
    const verifier = this.#verifier; // a passcode rotated meanwhile applies to the next handshake
    const request = decodePbkdfParamRequest(first.payload);
    if (request.passcodeId !== 0) {
      await sendStatus(exchange, INVALID_PARAMETER);
      throw new PaseError('protocol', `passcodeId ${request.passcodeId}: only 0 (the default passcode) exists`);
    }
    const stepMs = this.#stepTimeout(exchange);
    const localSessionId = await sessions.reserveSessionId();
    let session: SecureSession | undefined;
    try {
      const responseBytes = encodePbkdfParamResponse({
        initiatorRandom: request.initiatorRandom, responderRandom: crypto.getRandomValues(new Uint8Array(32)),
        responderSessionId: localSessionId,
        pbkdfParameters: request.hasPbkdfParameters ? undefined : { iterations: verifier.iterations, salt: verifier.salt },
        responderSessionParams: sessions.parameters,
      });
      await exchange.send(SecureChannelOpcode.pbkdfParamResponse, responseBytes);
      slot.enter('awaiting-pake1');
      const pake1 = decodePake1((await expectMessage(exchange, SecureChannelOpcode.pake1, 'Pake1', stepMs)).payload);
      slot.enter('working');
      const spake = startSpake2pVerifier({ context: paseContext(first.payload, responseBytes), w0: verifier.w0, L: verifier.L }, pake1.pA);
      await exchange.send(SecureChannelOpcode.pake2, encodePake2(spake.Y, spake.cB));
      slot.enter('awaiting-pake3');
      const pake3 = decodePake3((await expectMessage(exchange, SecureChannelOpcode.pake3, 'Pake3', stepMs)).payload);
      let Ke: Uint8Array;
      try {
        Ke = spake.finish(pake3.cA);
      } catch (error) {
        if (!(error instanceof Spake2pError)) throw error;
        await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
        throw new PaseError('wrong-passcode', 'the commissioner\'s confirmation cA did not match: wrong passcode', { cause: error });
      }
      slot.enter('working');
      const channel = exchange.session.channel;
      session = await sessions.createSecureSession({
        sessionId: localSessionId, peerSessionId: request.initiatorSessionId, sharedSecret: Ke, salt: new Uint8Array(0),
        isInitiator: false, isResumption: false, peerNodeId: 0n, sessionParameters: request.initiatorSessionParams,
        channel: isMessageChannel(channel) ? channel : undefined,
      });
      Ke.fill(0);
      // The session exists before the success report goes out: the commissioner may use it at once.
      await sendStatus(exchange, SUCCESS);
      return session;
    } finally {
      if (!session) sessions.releaseSessionId(localSessionId);
    }
  }
}
