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
import {
  computePasscodeVerifier, generateP256KeyPair, paseContext, Spake2pError, startSpake2pVerifier, type VerifierSecrets,
} from '../../crypto/index.js';
import type { SecureSession } from '../../session/secure-session.js';
import { UnsecuredSession } from '../../session/unsecured-session.js';
import type { Exchange, ExchangeMessage } from '../exchange.js';
import type { ExchangeManager } from '../exchange-manager.js';
import { isMessageChannel } from '../message-channel.js';
import { packFields, parkedHandshakeKey, unpackFields, type ParkedHandshakes } from '../parked-handshakes.js';
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
  /**
   * A fleet's shared handshake store: over reliable channels (HTTP, WebSocket) the state after PBKDFParamResponse
   * and after Pake2 is parked there, so Pake1 and Pake3 may reach any instance. Without it (or over UDP), the
   * handshake waits in memory on its exchange.
   */
  parked?: ParkedHandshakes;
}

export interface HandshakeFailure {
  failure: PaseFailure | 'evicted' | 'refused-busy';
  /** How far it got. */
  stage: HandshakeStage;
  counted: boolean;
  detail: string;
}

/** The stage a parked PASE handshake waits in: for Pake1 (after PBKDFParamResponse) or for Pake3 (after Pake2). */
type ParkedStage = 'pbkdf' | 'pake2';

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
  /** Parked handshakes past Pake2 whose confirmation is owed: checked when their parked state would expire. */
  readonly #silenceChecks = new Set<ReturnType<typeof setTimeout>>();

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
    for (const timer of this.#silenceChecks) clearTimeout(timer);
    this.#silenceChecks.clear();
    this.#window.dispose();
    for (const exchange of this.#active.values()) exchange.abort(new PaseError('disconnected', 'the responder closed'));
  }

  async #handle(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    const parkedStep = this.#options.parked !== undefined
      && (first.opcode === SecureChannelOpcode.pake1 || first.opcode === SecureChannelOpcode.pake3);
    if (parkedStep) return this.#handleParked(exchange, first);
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
    let handedOver = false;
    try {
      const responseBytes = encodePbkdfParamResponse({
        initiatorRandom: request.initiatorRandom, responderRandom: crypto.getRandomValues(new Uint8Array(32)),
        responderSessionId: localSessionId,
        pbkdfParameters: request.hasPbkdfParameters ? undefined : { iterations: verifier.iterations, salt: verifier.salt },
        responderSessionParams: sessions.parameters,
      });
      if (this.#parking(exchange)) {
        // Parked before the response leaves (Pake1 may reach any instance at once); the id's claim goes with it.
        await this.#park(exchange, 'pbkdf', [first.payload, responseBytes, verifier.w0, verifier.L], localSessionId);
        handedOver = true;
        sessions.releaseSessionId(localSessionId);
        await exchange.send(SecureChannelOpcode.pbkdfParamResponse, responseBytes);
        return undefined;
      }
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
      if (!session && !handedOver) sessions.releaseSessionId(localSessionId);
    }
  }

  // ---- parked handshakes (a fleet over HTTP or WebSocket) ------------------------------------------------------

  #parking(exchange: Exchange): boolean {
    const channel = exchange.session.channel;
    return this.#options.parked !== undefined && exchange.session instanceof UnsecuredSession
      && isMessageChannel(channel) && channel.reliable;
  }

  /**
   * The stage is part of the key: Pake1 takes only a state parked after PBKDFParamResponse ('pbkdf'), Pake3 only one
   * parked after Pake2 ('pake2'), so nothing but a Pake3 can consume a handshake whose confirmation is owed.
   */
  #key(exchange: Exchange, stage: ParkedStage): string {
    return parkedHandshakeKey('pase', (exchange.session as UnsecuredSession).ephemeralNodeId, exchange.id, stage);
  }

  /** Parks the fields; a store that cannot take them ends the handshake with Busy (nothing is owed yet). */
  async #park(exchange: Exchange, stage: ParkedStage, fields: Uint8Array[], sessionId: number): Promise<void> {
    const state = packFields(fields);
    try {
      await this.#options.parked!.park(this.#key(exchange, stage), state, sessionId);
    } catch (error) {
      await sendStatus(exchange, busy(BUSY_WAIT_MS)).catch(() => {});
      throw new PaseError('busy', `the handshake could not be parked: ${(error as Error).message}`, { cause: error });
    } finally {
      state.fill(0);
    }
  }

  /** Pake1 or Pake3 on an exchange this instance does not hold: the parked handshake is taken up here. */
  async #handleParked(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    // A closed window refuses Pake1 as it refuses a PBKDFParamRequest (no new passcode guess); Pake3 still answers
    // a guess already made (its confirmation is owed and counted either way).
    const window = this.#window.state;
    const refuseClosed = first.opcode === SecureChannelOpcode.pake1 && !window.open;
    const slot = refuseClosed ? undefined : this.#slots.acquire(!this.#deviceRules);
    if (!slot) {
      const waitMs = refuseClosed ? Math.min(MAX_BUSY_WAIT_MS, Math.max(1000, window.retryAfterMs)) : BUSY_WAIT_MS;
      this.#options.onHandshakeFailed?.({
        failure: 'refused-busy', stage: 'working', counted: false,
        detail: refuseClosed ? `commissioning window closed, reopens in ${Math.ceil(window.retryAfterMs / 1000)} s` : 'every handshake slot is working',
      });
      await sendStatus(exchange, busy(waitMs)).catch(() => {});
      await exchange.close();
      this.#dropUnsecured(exchange);
      return;
    }
    this.#active.set(slot, exchange);
    const step = { owed: false };
    try {
      if (first.opcode === SecureChannelOpcode.pake1) {
        await this.#continuePake1(exchange, first);
      } else {
        const session = await this.#continuePake3(exchange, first, step);
        this.#window.recordSuccess();
        this.#options.onSession?.(session);
      }
    } catch (error) {
      if (step.owed) this.#window.recordFailure();
      this.#options.onHandshakeFailed?.({
        failure: this.#evicted.has(slot) ? 'evicted' : error instanceof PaseError ? error.failure : 'protocol',
        stage: step.owed ? 'awaiting-pake3' : 'working', counted: step.owed, detail: (error as Error)?.message ?? String(error),
      });
    } finally {
      slot.release();
      this.#active.delete(slot);
      await exchange.close().catch(() => {});
      this.#dropUnsecured(exchange);
    }
  }

  /** The parked state under this exchange's key, its session id now reserved here; a miss ends the handshake. */
  async #take(exchange: Exchange, stage: ParkedStage, what: string, step?: { owed: boolean }): Promise<{ state: Uint8Array; sessionId: number }> {
    let taken;
    try {
      taken = await this.#options.parked!.take(this.#key(exchange, stage), (id) => {
        // The state is out of the store from here: a Pake2-stage one owes its confirmation even if adopting fails.
        if (step) step.owed = true;
        this.#exchanges.sessions.adoptSessionId(id);
      });
    } catch (error) {
      await sendStatus(exchange, busy(BUSY_WAIT_MS)).catch(() => {});
      throw new PaseError('busy', `the parked handshake could not be read: ${(error as Error).message}`, { cause: error });
    }
    if (!taken) {
      await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
      throw new PaseError('protocol', `${what} for no handshake this fleet holds (already answered, expired, or never begun)`);
    }
    return taken;
  }

  /**
   * Pake1: SPAKE2+ with the verifier the handshake began with (each instance salts its own), then Pake2 out and
   * the handshake parked again. The ephemeral scalar y is parked (sealed) so whoever receives Pake3 computes the
   * same keys; from here a confirmation is owed, and counted when the parked state expires untaken.
   */
  async #continuePake1(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    const sessions = this.#exchanges.sessions;
    const taken = await this.#take(exchange, 'pbkdf', 'Pake1');
    const y = generateP256KeyPair().privateKey; // a uniformly random scalar in [1, n-1]
    let handedOver = false;
    try {
      const [request, response, w0, L] = unpackFields(taken.state, 4) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
      let pake1;
      try {
        pake1 = decodePake1(first.payload);
      } catch (error) {
        await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
        throw new PaseError('protocol', `Pake1: ${(error as Error).message}`, { cause: error });
      }
      const spake = startSpake2pVerifier({ context: paseContext(request, response), w0, L, y }, pake1.pA);
      await this.#park(exchange, 'pake2', [request, response, w0, L, y, pake1.pA], taken.sessionId);
      handedOver = true;
      sessions.releaseSessionId(taken.sessionId);
      await exchange.send(SecureChannelOpcode.pake2, encodePake2(spake.Y, spake.cB));
      this.#checkSilence(this.#key(exchange, 'pake2'));
    } finally {
      if (!handedOver) sessions.releaseSessionId(taken.sessionId);
      y.fill(0);
      taken.state.fill(0);
    }
  }

  /** Counts the owed confirmation of a handshake whose Pake3 never came: its parked state is still there at expiry. */
  #checkSilence(key: string): void {
    const parked = this.#options.parked!;
    const timer = setTimeout(() => {
      this.#silenceChecks.delete(timer);
      parked.has(key).then((untaken) => {
        if (!untaken) return; // taken: the instance that took it counted a mismatch, if any
        this.#window.recordFailure();
        this.#options.onHandshakeFailed?.({
          failure: 'timeout', stage: 'awaiting-pake3', counted: true, detail: 'no Pake3 reached the fleet after Pake2',
        });
      }).catch(() => {
        // The store cannot say: counted, as silence is (the window errs on the side of closing).
        this.#window.recordFailure();
      });
    }, Math.max(1, parked.ttlMs - Math.min(500, Math.floor(parked.ttlMs / 4))));
    (timer as { unref?: () => void }).unref?.();
    this.#silenceChecks.add(timer);
  }

  /** Pake3: the confirmation checked with the keys recomputed from the parked state; the session made here. */
  async #continuePake3(exchange: Exchange, first: ExchangeMessage, step: { owed: boolean }): Promise<SecureSession> {
    const sessions = this.#exchanges.sessions;
    // From the take on, the confirmation is owed: whatever ends this handshake short of a session counts.
    const taken = await this.#take(exchange, 'pake2', 'Pake3', step);
    step.owed = true;
    let session: SecureSession | undefined;
    try {
      const [requestBytes, response, w0, L, y, X] = unpackFields(taken.state, 6) as
        [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
      const request = decodePbkdfParamRequest(requestBytes);
      const spake = startSpake2pVerifier({ context: paseContext(requestBytes, response), w0, L, y }, X);
      let Ke: Uint8Array;
      try {
        Ke = spake.finish(decodePake3(first.payload).cA);
      } catch (error) {
        await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
        if (!(error instanceof Spake2pError)) throw new PaseError('protocol', `Pake3: ${(error as Error).message}`, { cause: error });
        throw new PaseError('wrong-passcode', 'the commissioner\'s confirmation cA did not match: wrong passcode', { cause: error });
      }
      const channel = exchange.session.channel;
      try {
        session = await sessions.createSecureSession({
          sessionId: taken.sessionId, peerSessionId: request.initiatorSessionId, sharedSecret: Ke, salt: new Uint8Array(0),
          isInitiator: false, isResumption: false, peerNodeId: 0n, sessionParameters: request.initiatorSessionParams,
          channel: isMessageChannel(channel) ? channel : undefined,
        });
      } finally {
        Ke.fill(0);
      }
      await sendStatus(exchange, SUCCESS);
      return session;
    } finally {
      if (!session) sessions.releaseSessionId(taken.sessionId);
      taken.state.fill(0);
    }
  }
}
