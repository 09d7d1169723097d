// The device's side of PASE. Rules (spec "Commissioning Window", SDK PASESession): one handshake at a time and
// no second PASE session; a handshake that stalls is dropped after `handshakeTimeoutMs`; a wrong passcode gets a
// StatusReport failure and no session; after `maxFailedAttempts` failures the commissioning window closes.
import { computePasscodeVerifier, paseContext, Spake2pError, startSpake2pVerifier, type VerifierSecrets } from '../../crypto/index.js';
import type { SecureSession } from '../../session/secure-session.js';
import type { Exchange, ExchangeMessage } from '../exchange.js';
import type { ExchangeManager } from '../exchange-manager.js';
import { isMessageChannel } from '../message-channel.js';
import { ProtocolId, SecureChannelOpcode } from '../protocol-ids.js';
import { PaseError } from './pase-error.js';
import { decodePake1, decodePake3, decodePbkdfParamRequest, encodePake2, encodePbkdfParamResponse } from './pase-messages.js';
import { busy, expectMessage, INVALID_PARAMETER, sendStatus, SUCCESS } from './pase-steps.js';

export interface PaseResponderOptions {
  /** The passcode, from which the verifier is computed with a random salt; or a verifier made elsewhere. */
  passcode?: number;
  verifier?: VerifierSecrets & { salt: Uint8Array; iterations: number };
  /** PBKDF2 iterations when computing from a passcode (1000..100000). Default 1000. */
  iterations?: number;
  /** Default 60 s, as the SDK's PASE establishment timeout. */
  handshakeTimeoutMs?: number;
  /** Failed handshakes before the commissioning window closes. Default 20. */
  maxFailedAttempts?: number;
  /**
   * Handshakes served at once. Default 1, the spec's rule for a commissionable device, which also refuses while
   * a PASE session is open; an edge endpoint serving many clients raises it (and the SessionManager's
   * maxPaseSessions).
   */
  maxConcurrentHandshakes?: number;
  onSession?: (session: SecureSession) => void;
  onWindowClosed?: () => void;
}

/** The minimum wait a busy device asks a commissioner to observe before retrying (ms). */
const BUSY_WAIT_MS = 5000;

export class PaseResponder {
  readonly #exchanges: ExchangeManager;
  readonly #verifier: VerifierSecrets & { salt: Uint8Array; iterations: number };
  readonly #timeoutMs: number;
  readonly #maxFailed: number;
  readonly #options: PaseResponderOptions;
  #failedAttempts = 0;
  #windowOpen = true;
  #inProgress = 0;
  readonly #maxConcurrent: number;

  constructor(exchanges: ExchangeManager, options: PaseResponderOptions) {
    this.#exchanges = exchanges;
    this.#options = options;
    this.#timeoutMs = options.handshakeTimeoutMs ?? 60_000;
    this.#maxFailed = options.maxFailedAttempts ?? 20;
    this.#maxConcurrent = options.maxConcurrentHandshakes ?? 1;
    if (options.verifier) {
      this.#verifier = options.verifier;
    } else if (options.passcode !== undefined) {
      const salt = crypto.getRandomValues(new Uint8Array(32));
      const iterations = options.iterations ?? 1000;
      const { w0, L } = computePasscodeVerifier(options.passcode, salt, iterations);
      this.#verifier = { w0, L, salt, iterations };
    } else {
      throw new TypeError('options: expected a passcode or a verifier');
    }
    exchanges.addProtocolHandler(ProtocolId.secureChannel, (exchange, first) => this.#handle(exchange, first));
  }

  get windowOpen(): boolean {
    return this.#windowOpen;
  }

  get failedAttempts(): number {
    return this.#failedAttempts;
  }

  /** Reopens the commissioning window (after it closed on failures) and resets the failure count. */
  openWindow(): void {
    this.#windowOpen = true;
    this.#failedAttempts = 0;
  }

  async #handle(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    if (first.opcode !== SecureChannelOpcode.pbkdfParamRequest) {
      await exchange.close();
      return;
    }
    const deviceRules = this.#maxConcurrent === 1;
    if (!this.#windowOpen || this.#inProgress >= this.#maxConcurrent
      || (deviceRules && this.#exchanges.sessions.getPaseSession())) {
      await sendStatus(exchange, busy(BUSY_WAIT_MS)).catch(() => {});
      await exchange.close();
      return;
    }
    this.#inProgress++;
    const timer = setTimeout(() => exchange.abort(new PaseError('timeout', 'PASE handshake timed out')), this.#timeoutMs);
    try {
      const session = await this.#respond(exchange, first);
      if (session) this.#options.onSession?.(session);
    } finally {
      clearTimeout(timer);
      this.#inProgress--;
      await exchange.close().catch(() => {});
    }
  }

  async #respond(exchange: Exchange, first: ExchangeMessage): Promise<SecureSession | undefined> {
    const sessions = this.#exchanges.sessions;
    const request = decodePbkdfParamRequest(first.payload);
    if (request.passcodeId !== 0) {
      await sendStatus(exchange, INVALID_PARAMETER);
      return undefined;
    }
    const localSessionId = await sessions.reserveSessionId();
    let session: SecureSession | undefined;
    try {
      const responseBytes = encodePbkdfParamResponse({
        initiatorRandom: request.initiatorRandom, responderRandom: crypto.getRandomValues(new Uint8Array(32)),
        responderSessionId: localSessionId,
        pbkdfParameters: request.hasPbkdfParameters ? undefined : { iterations: this.#verifier.iterations, salt: this.#verifier.salt },
        responderSessionParams: sessions.parameters,
      });
      await exchange.send(SecureChannelOpcode.pbkdfParamResponse, responseBytes);
      const pake1 = decodePake1((await expectMessage(exchange, SecureChannelOpcode.pake1, 'Pake1', this.#timeoutMs)).payload);
      const verifier = startSpake2pVerifier({ context: paseContext(first.payload, responseBytes), w0: this.#verifier.w0, L: this.#verifier.L }, pake1.pA);
      await exchange.send(SecureChannelOpcode.pake2, encodePake2(verifier.Y, verifier.cB));
      const pake3 = decodePake3((await expectMessage(exchange, SecureChannelOpcode.pake3, 'Pake3', this.#timeoutMs)).payload);
      let Ke: Uint8Array;
      try {
        Ke = verifier.finish(pake3.cA);
      } catch (error) {
        if (!(error instanceof Spake2pError)) throw error;
        this.#failed();
        await sendStatus(exchange, INVALID_PARAMETER);
        return undefined;
      }
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
    } catch (error) {
      if (error instanceof PaseError && error.failure === 'wrong-passcode') this.#failed();
      throw error;
    } finally {
      if (!session) sessions.releaseSessionId(localSessionId);
    }
  }

  #failed(): void {
    this.#failedAttempts++;
    if (this.#failedAttempts >= this.#maxFailed && this.#windowOpen) {
      this.#windowOpen = false;
      this.#options.onWindowClosed?.();
    }
  }
}
