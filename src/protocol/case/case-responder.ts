// The responder's side of CASE (Matter Core spec §4.14.2; SDK CASEServer/CASESession, matter.js CaseServer).
// Sigma1 names its target by destination id: every fabric and every operational IPK it holds is tried, and no
// match is NoSharedTrustRoots. A Sigma1 asking to resume is looked up by resumption id; an unknown id or a MIC that
// does not check out falls back silently to the full handshake (spec §4.14.2.2.2). Sigma3 is checked against the
// fabric matched: chain to its root, its fabric id, then the TBSData3 signature; the session carries the CATs of
// the initiator's NOC. Handshakes run concurrently up to a limit (Busy, with a minimum wait, beyond it); each one
// holds only its own closure (ephemeral key, two messages) and is dropped after `handshakeTimeoutMs`. With a fleet's
// ParkedHandshakes over a reliable channel, the state between Sigma2 and Sigma3 is parked there instead (the
// ephemeral private key is no longer needed by then; the shared secret is, sealed by the store) and a Sigma3 on an
// exchange this instance does not hold takes it up; a resumption saves its new record before Sigma2_Resume leaves.
import { equalBytes } from '@noble/curves/utils.js';
import { decodeStatusReport, encodeStatusReport } from '../../codec/status-report.js';
import { caseDestinationId } from '../../credentials/case-destination-id.js';
import { ecdhP256, ecdsaSignSha256, ecdsaVerifySha256, generateP256KeyPair } from '../../crypto/index.js';
import type { SecureSession } from '../../session/secure-session.js';
import { UnsecuredSession } from '../../session/unsecured-session.js';
import type { CreateSecureSessionArgs } from '../../session/session-manager.js';
import { SessionLimitError } from '../../session/session-errors.js';
import type { SessionParameters } from '../../session/session-parameters.js';
import type { Exchange, ExchangeMessage } from '../exchange.js';
import type { ExchangeManager, ProtocolHandler } from '../exchange-manager.js';
import { isMessageChannel } from '../message-channel.js';
import {
  packFields, parkedHandshakeKey, readU32Field, u32Field, unpackFields, type ParkedHandshakes,
} from '../parked-handshakes.js';
import { ProtocolId, SecureChannelOpcode } from '../protocol-ids.js';
import { defaultChainVerifier, verifyPeer } from './case-chain.js';
import { CaseError } from './case-error.js';
import type { CaseFabric, CaseFabricSource, OperationalChainVerifier } from './case-fabric.js';
import {
  caseSessionSalt, deriveS2K, deriveS3K, micMatches, NONCE_SIGMA2, NONCE_SIGMA3, openTbe, resumptionSalt, sealTbe,
  sigma1ResumeMic, sigma2ResumeMic, sigma2Salt, sigma3Salt,
} from './case-key-schedule.js';
import {
  decodeSigma1, decodeSigma3, decodeTbeData3, encodeSigma2, encodeSigma2Resume, encodeTbeData2, encodeTbsData,
  type Sigma1,
} from './case-messages.js';
import {
  asCaseError, busy, expectCaseMessage, failureFromStatus, INVALID_PARAMETER, isStatusSuccess, NO_SHARED_TRUST_ROOTS, parse, sendStatus,
  SUCCESS,
} from './case-steps.js';

export interface CaseResponderOptions {
  /** Every fabric this node has joined; read at each Sigma1. */
  fabrics: CaseFabricSource;
  /** Validates an initiator's NOC chain against a fabric's root; defaults to the credentials module's validator. */
  verifyChain?: OperationalChainVerifier;
  /**
   * Handshakes served at once; beyond it Sigma1 is answered Busy. Default 4. Keep it below the SessionManager's
   * maxUnsecuredSessions (default 8): each handshake lives on an unsecured session, recycled beyond that limit.
   */
  maxConcurrentHandshakes?: number;
  /** A handshake not finished in this time is dropped (ms). Default 30 s (the SDK's high processing time). */
  handshakeTimeoutMs?: number;
  /** The minimum wait a Busy answer asks for (ms, at most 65535). Default 5000. */
  busyWaitMs?: number;
  /** What this side announces; defaults to the SessionManager's parameters. */
  sessionParameters?: Partial<SessionParameters>;
  onSession?: (session: SecureSession, info: { resumed: boolean }) => void;
  /** Told about each handshake that ended without a session (and why). */
  onFailure?: (error: CaseError) => void;
  /**
   * A fleet's shared handshake store: over reliable channels (HTTP, WebSocket) the state between Sigma2 and Sigma3 is
   * parked there, so Sigma3 may reach any instance. Without it (or over UDP, whose peer is one instance), the
   * handshake waits in memory for Sigma3 on its exchange.
   */
  parked?: ParkedHandshakes;
}

/** Everything Sigma3 is checked against, whether held in memory or parked. */
interface AwaitingSigma3 {
  fabric: CaseFabric;
  ipk: Uint8Array;
  sharedSecret: Uint8Array;
  sigma1Bytes: Uint8Array;
  sigma1: Sigma1;
  sigma2Bytes: Uint8Array;
  responderEphPubKey: Uint8Array;
  resumptionId: Uint8Array;
  localSessionId: number;
}

type Resumption = { session: SecureSession } | 'fall-back';

export class CaseResponder {
  readonly #exchanges: ExchangeManager;
  readonly #options: CaseResponderOptions;
  readonly #verifyChain: OperationalChainVerifier;
  readonly #maxConcurrent: number;
  readonly #timeoutMs: number;
  readonly #busyWaitMs: number;
  /** Whoever handled secure-channel exchanges before (PASE): every opcode but Sigma1 goes there. */
  readonly #previous: ProtocolHandler | undefined;
  #inProgress = 0;

  constructor(exchanges: ExchangeManager, options: CaseResponderOptions) {
    if (typeof options?.fabrics?.all !== 'function' || typeof options.fabrics.get !== 'function') {
      throw new TypeError('options.fabrics: expected a CaseFabricSource (all() and get())');
    }
    const positive = (name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER) => {
      if (value === undefined) return fallback;
      if (!Number.isInteger(value) || value < 1 || value > max) {
        throw new RangeError(`options.${name}: expected an integer from 1 to ${max}, got ${String(value)}`);
      }
      return value;
    };
    this.#exchanges = exchanges;
    this.#options = options;
    this.#verifyChain = options.verifyChain ?? defaultChainVerifier();
    this.#maxConcurrent = positive('maxConcurrentHandshakes', options.maxConcurrentHandshakes, 4);
    this.#timeoutMs = positive('handshakeTimeoutMs', options.handshakeTimeoutMs, 30_000);
    this.#busyWaitMs = positive('busyWaitMs', options.busyWaitMs, 5000, 0xffff);
    this.#previous = exchanges.protocolHandler(ProtocolId.secureChannel);
    exchanges.addProtocolHandler(ProtocolId.secureChannel, (exchange, first) => this.#handle(exchange, first));
  }

  /** Handshakes running now. */
  get handshakesInProgress(): number {
    return this.#inProgress;
  }

  async #handle(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    const parkedSigma3 = first.opcode === SecureChannelOpcode.sigma3 && this.#options.parked !== undefined;
    if (first.opcode !== SecureChannelOpcode.sigma1 && !parkedSigma3) {
      if (this.#previous) return this.#previous(exchange, first);
      await exchange.close();
      return;
    }
    if (this.#inProgress >= this.#maxConcurrent) {
      // Sent once, unreliably: a flood of Sigma1s must not make us hold an exchange and retransmit for each one.
      // The Busy report still acknowledges Sigma1 (piggy-backed), so the initiator stops resending it.
      await exchange.send(SecureChannelOpcode.statusReport, encodeStatusReport(busy(this.#busyWaitMs)), { reliable: false })
        .catch(() => {});
      await exchange.close();
      this.#options.onFailure?.(new CaseError('busy', `${this.#maxConcurrent} CASE handshakes in progress: Sigma1 answered Busy`));
      return;
    }
    this.#inProgress++;
    const timer = setTimeout(() => exchange.abort(new CaseError('timeout',
      `CASE handshake not finished within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    try {
      const result = parkedSigma3 ? await this.#continueParked(exchange, first) : await this.#respond(exchange, first);
      if (result) this.#options.onSession?.(result.session, { resumed: result.resumed });
    } catch (error) {
      const failure = asCaseError(error);
      this.#options.onFailure?.(failure instanceof CaseError ? failure : new CaseError('protocol', failure.message, { cause: failure }));
    } finally {
      clearTimeout(timer);
      this.#inProgress--;
      await exchange.close().catch(() => {});
    }
  }

  /** Ends the handshake with a failure StatusReport and the error that explains it. */
  async #refuse(exchange: Exchange, report: typeof INVALID_PARAMETER, error: CaseError): Promise<never> {
    await sendStatus(exchange, report).catch(() => {});
    throw error;
  }

  async #respond(exchange: Exchange, first: ExchangeMessage): Promise<{ session: SecureSession; resumed: boolean } | undefined> {
    let sigma1: Sigma1;
    try {
      sigma1 = parse(() => decodeSigma1(first.payload));
    } catch (error) {
      return this.#refuse(exchange, INVALID_PARAMETER, error as CaseError);
    }
    if (sigma1.initiatorSessionId === 0) {
      return this.#refuse(exchange, INVALID_PARAMETER, new CaseError('protocol', 'Sigma1.initiatorSessionId: 0 is not a session id'));
    }
    if (sigma1.resumptionId && sigma1.initiatorResumeMic) {
      const resumption = await this.#resume(exchange, sigma1);
      if (resumption !== 'fall-back') return { session: resumption.session, resumed: true };
    }
    const match = this.#findFabric(sigma1);
    if (!match) {
      return this.#refuse(exchange, NO_SHARED_TRUST_ROOTS,
        new CaseError('no-shared-trust-roots', 'Sigma1.destinationId matches none of our fabrics'));
    }
    const session = await this.#fullHandshake(exchange, first.payload, sigma1, match.fabric, match.ipk);
    return session ? { session, resumed: false } : undefined; // undefined: parked for Sigma3
  }

  /** The fabric and IPK whose destination id for this node equals Sigma1's (spec §4.14.2.4.1). */
  #findFabric(sigma1: Sigma1): { fabric: CaseFabric; ipk: Uint8Array } | undefined {
    for (const fabric of this.#options.fabrics.all()) {
      for (const ipk of [fabric.operationalIpk, ...(fabric.otherOperationalIpks ?? [])]) {
        const candidate = caseDestinationId({
          operationalIpk: ipk, initiatorRandom: sigma1.initiatorRandom, rootPublicKey: fabric.rootPublicKey,
          fabricId: fabric.fabricId, nodeId: fabric.nodeId,
        });
        if (equalBytes(candidate, sigma1.destinationId)) return { fabric, ipk };
      }
    }
    return undefined;
  }

  async #resume(exchange: Exchange, sigma1: Sigma1): Promise<Resumption> {
    const sessions = this.#exchanges.sessions;
    const record = await sessions.lookupResumptionRecord(sigma1.resumptionId!);
    if (!record || !(await this.#fabric(record.fabricIndex))) return 'fall-back';
    const expected = sigma1ResumeMic(record.sharedSecret, sigma1.initiatorRandom, sigma1.resumptionId!);
    if (!micMatches(sigma1.initiatorResumeMic!, expected)) return 'fall-back';

    const sharedSecret = record.sharedSecret.slice(); // the record is replaced below
    const newResumptionId = crypto.getRandomValues(new Uint8Array(16));
    const localSessionId = await sessions.reserveSessionId();
    let session: SecureSession | undefined;
    try {
      // The session exists before Sigma2_Resume leaves: the initiator may use it as soon as it has sent its report.
      session = await this.#openSession(exchange, {
        sessionId: localSessionId, peerSessionId: sigma1.initiatorSessionId, sharedSecret,
        salt: resumptionSalt(sigma1.initiatorRandom, sigma1.resumptionId!), isInitiator: false, isResumption: true,
        peerNodeId: record.peerNodeId, fabricIndex: record.fabricIndex, caseAuthenticatedTags: record.caseAuthenticatedTags,
        sessionParameters: sigma1.initiatorSessionParams ?? record.peerSessionParameters, channel: this.#channel(exchange),
      });
      const sigma2Resume = encodeSigma2Resume({
        resumptionId: newResumptionId, sigma2ResumeMic: sigma2ResumeMic(sharedSecret, sigma1.initiatorRandom, newResumptionId),
        responderSessionId: localSessionId, responderSessionParams: this.#options.sessionParameters ?? sessions.parameters,
      });
      // The new id is stored before Sigma2_Resume carries it (spec §4.14.2.2.2: the next Sigma1 names the id the
      // last Sigma2_Resume gave): the initiator may resume again as soon as it has sent its report, before that
      // report is even read here, and must find the record. The old id resumes nothing from now on.
      try {
        await sessions.saveResumptionRecord({
          fabricIndex: record.fabricIndex, peerNodeId: record.peerNodeId, resumptionId: newResumptionId, sharedSecret,
          caseAuthenticatedTags: record.caseAuthenticatedTags, peerSessionParameters: session.peerParameters,
        });
      } catch (error) {
        return await this.#refuse(exchange, INVALID_PARAMETER,
          new CaseError('protocol', `the resumption record could not be stored: ${(error as Error).message}`, { cause: error }));
      }
      await exchange.send(SecureChannelOpcode.sigma2Resume, sigma2Resume);
      // In a fleet over a reliable channel the initiator's report may reach another instance, which has nothing to
      // finish: the record is already saved, so the session stands once Sigma2_Resume has left.
      if (this.#parking(exchange)) return { session };
      const reply = await expectCaseMessage(exchange, [SecureChannelOpcode.statusReport], 'the StatusReport', this.#timeoutMs);
      const status = parse(() => decodeStatusReport(reply.payload));
      if (!isStatusSuccess(status)) throw failureFromStatus(status, 'Success after Sigma2_Resume');
      return { session };
    } catch (error) {
      if (session) sessions.removeSession(session.id, 'removed');
      else sessions.releaseSessionId(localSessionId);
      throw error;
    } finally {
      sharedSecret.fill(0);
    }
  }

  /** Sigma1 to Sigma2, then Sigma3 awaited here, or the handshake parked for Sigma3 (undefined). */
  async #fullHandshake(exchange: Exchange, sigma1Bytes: Uint8Array, sigma1: Sigma1, fabric: CaseFabric, ipk: Uint8Array):
    Promise<SecureSession | undefined> {
    const sessions = this.#exchanges.sessions;
    const ephemeral = generateP256KeyPair();
    let sharedSecret: Uint8Array | undefined;
    let localSessionId: number | undefined;
    try {
      try {
        sharedSecret = ecdhP256(ephemeral.privateKey, sigma1.initiatorEphPubKey);
      } catch (error) {
        return await this.#refuse(exchange, INVALID_PARAMETER,
          new CaseError('protocol', 'Sigma1.initiatorEphPubKey: not a point on P-256', { cause: error }));
      }
      localSessionId = await sessions.reserveSessionId();
      const responderRandom = crypto.getRandomValues(new Uint8Array(32));
      const resumptionId = crypto.getRandomValues(new Uint8Array(16));
      const tbs2 = encodeTbsData({
        noc: fabric.noc, icac: fabric.icac, senderEphPubKey: ephemeral.publicKey, receiverEphPubKey: sigma1.initiatorEphPubKey,
      });
      const tbe2 = encodeTbeData2({
        noc: fabric.noc, icac: fabric.icac, signature: ecdsaSignSha256(fabric.operationalPrivateKey, tbs2), resumptionId,
      });
      const s2k = deriveS2K(sharedSecret, sigma2Salt(ipk, responderRandom, ephemeral.publicKey, sigma1Bytes));
      const sigma2Bytes = encodeSigma2({
        responderRandom, responderSessionId: localSessionId, responderEphPubKey: ephemeral.publicKey,
        encrypted2: sealTbe(s2k, NONCE_SIGMA2, tbe2),
        responderSessionParams: this.#options.sessionParameters ?? sessions.parameters,
      });
      const awaiting: AwaitingSigma3 = {
        fabric, ipk, sharedSecret, sigma1Bytes, sigma1, sigma2Bytes, responderEphPubKey: ephemeral.publicKey, resumptionId,
        localSessionId,
      };
      if (this.#parking(exchange)) {
        await this.#park(exchange, awaiting);
        // The id's claim went with the parked state: only this instance's reservation is let go here.
        sessions.releaseSessionId(localSessionId);
        localSessionId = undefined;
        await exchange.send(SecureChannelOpcode.sigma2, sigma2Bytes);
        return undefined;
      }
      await exchange.send(SecureChannelOpcode.sigma2, sigma2Bytes);
      const reply = await expectCaseMessage(exchange, [SecureChannelOpcode.sigma3], 'Sigma3', this.#timeoutMs);
      localSessionId = undefined; // #finish releases it if the handshake fails from here on
      return await this.#finish(exchange, awaiting, reply.payload);
    } catch (error) {
      if (localSessionId !== undefined) sessions.releaseSessionId(localSessionId);
      throw error;
    } finally {
      ephemeral.privateKey.fill(0);
      sharedSecret?.fill(0);
    }
  }

  /** Over a reliable channel, with a fleet's store: the handshake waits there, not in this instance's memory. */
  #parking(exchange: Exchange): boolean {
    return this.#options.parked !== undefined && exchange.session instanceof UnsecuredSession
      && this.#channel(exchange)?.reliable === true;
  }

  /** Parks the state Sigma3 needs, sealed by the store; a store that cannot take it fails the handshake (Busy). */
  async #park(exchange: Exchange, awaiting: AwaitingSigma3): Promise<void> {
    const state = packFields([
      u32Field(awaiting.fabric.fabricIndex), awaiting.ipk, awaiting.sharedSecret, awaiting.sigma1Bytes, awaiting.sigma2Bytes,
      awaiting.responderEphPubKey, awaiting.resumptionId,
    ]);
    try {
      const key = parkedHandshakeKey('case', (exchange.session as UnsecuredSession).ephemeralNodeId, exchange.id);
      await this.#options.parked!.park(key, state, awaiting.localSessionId);
    } catch (error) {
      await this.#refuse(exchange, busy(this.#busyWaitMs), new CaseError('busy',
        `the handshake could not be parked for Sigma3: ${(error as Error).message}`, { cause: error }));
    } finally {
      state.fill(0);
    }
  }

  /** Sigma3 on an exchange this instance does not hold: the handshake parked (here or elsewhere) is taken up. */
  async #continueParked(exchange: Exchange, sigma3: ExchangeMessage): Promise<{ session: SecureSession; resumed: boolean }> {
    if (!(exchange.session instanceof UnsecuredSession)) {
      return this.#refuse(exchange, INVALID_PARAMETER, new CaseError('protocol', 'Sigma3 on a secure session'));
    }
    const key = parkedHandshakeKey('case', exchange.session.ephemeralNodeId, exchange.id);
    let taken;
    try {
      taken = await this.#options.parked!.take(key, (id) => this.#exchanges.sessions.adoptSessionId(id));
    } catch (error) {
      return this.#refuse(exchange, busy(this.#busyWaitMs), new CaseError('busy',
        `the parked handshake could not be read: ${(error as Error).message}`, { cause: error }));
    }
    if (!taken) {
      return this.#refuse(exchange, INVALID_PARAMETER, new CaseError('protocol',
        'Sigma3 for no handshake this fleet holds (already finished, expired, or never begun)'));
    }
    const sessions = this.#exchanges.sessions;
    let localSessionId: number | undefined;
    try {
      let awaiting: AwaitingSigma3;
      try {
        localSessionId = taken.sessionId; // adopted by take()
        const [fabricIndex, ipk, sharedSecret, sigma1Bytes, sigma2Bytes, responderEphPubKey, resumptionId] =
          unpackFields(taken.state, 7) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
        const fabric = await this.#fabric(readU32Field(fabricIndex));
        if (!fabric) throw new CaseError('no-shared-trust-roots', 'the fabric of the parked handshake is gone');
        const sigma1 = parse(() => decodeSigma1(sigma1Bytes));
        awaiting = { fabric, ipk, sharedSecret, sigma1Bytes, sigma1, sigma2Bytes, responderEphPubKey, resumptionId, localSessionId };
      } catch (error) {
        return await this.#refuse(exchange, INVALID_PARAMETER, error instanceof CaseError ? error
          : new CaseError('protocol', `the parked handshake cannot continue here: ${(error as Error).message}`, { cause: error }));
      }
      localSessionId = undefined; // #finish releases it if the handshake fails from here on
      return { session: await this.#finish(exchange, awaiting, sigma3.payload), resumed: false };
    } catch (error) {
      if (localSessionId !== undefined) sessions.releaseSessionId(localSessionId);
      throw error;
    } finally {
      taken.state.fill(0);
    }
  }

  /**
   * The fabric by index; one another instance added since this one last looked is loaded first (the caller holds
   * something authenticated that names it: a parked handshake, a resumption record).
   */
  async #fabric(fabricIndex: number): Promise<CaseFabric | undefined> {
    const fabrics = this.#options.fabrics;
    const known = fabrics.get(fabricIndex);
    if (known || !fabrics.refresh) return known;
    await fabrics.refresh();
    return fabrics.get(fabricIndex);
  }

  /** Checks Sigma3 (chain, fabric, TBSData3 signature), makes the session and saves its resumption record. */
  async #finish(exchange: Exchange, awaiting: AwaitingSigma3, sigma3Payload: Uint8Array): Promise<SecureSession> {
    const sessions = this.#exchanges.sessions;
    const { fabric, ipk, sharedSecret, sigma1Bytes, sigma1, sigma2Bytes, resumptionId, localSessionId } = awaiting;
    let session: SecureSession | undefined;
    try {
      const invalid = (error: unknown) => this.#refuse(exchange, INVALID_PARAMETER, error instanceof CaseError
        ? error : new CaseError('protocol', (error as Error).message, { cause: error }));
      let sigma3;
      try {
        sigma3 = parse(() => decodeSigma3(sigma3Payload));
      } catch (error) {
        return await invalid(error);
      }
      const s3k = deriveS3K(sharedSecret, sigma3Salt(ipk, sigma1Bytes, sigma2Bytes));
      const tbe3Plain = openTbe(s3k, NONCE_SIGMA3, sigma3.encrypted3);
      if (!tbe3Plain) return await invalid(new CaseError('bad-mic', 'Sigma3.encrypted3 does not authenticate'));
      let peer;
      let tbe3;
      try {
        tbe3 = parse(() => decodeTbeData3(tbe3Plain));
        peer = verifyPeer(this.#verifyChain, fabric, tbe3, 'Sigma3');
      } catch (error) {
        return await invalid(error);
      }
      const tbs3 = encodeTbsData({
        noc: tbe3.noc, icac: tbe3.icac, senderEphPubKey: sigma1.initiatorEphPubKey, receiverEphPubKey: awaiting.responderEphPubKey,
      });
      if (!ecdsaVerifySha256(peer.publicKey, tbs3, tbe3.signature)) {
        return await invalid(new CaseError('bad-signature', 'TBSData3: the signature does not verify with the initiator\'s NOC key'));
      }

      session = await this.#openSession(exchange, {
        sessionId: localSessionId, peerSessionId: sigma1.initiatorSessionId, sharedSecret,
        salt: caseSessionSalt(ipk, sigma1Bytes, sigma2Bytes, sigma3Payload), isInitiator: false, isResumption: false,
        peerNodeId: peer.nodeId, fabricIndex: fabric.fabricIndex, caseAuthenticatedTags: peer.caseAuthenticatedTags,
        sessionParameters: sigma1.initiatorSessionParams, channel: this.#channel(exchange),
      });
      try {
        await sessions.saveResumptionRecord({
          fabricIndex: fabric.fabricIndex, peerNodeId: peer.nodeId, resumptionId, sharedSecret,
          caseAuthenticatedTags: peer.caseAuthenticatedTags, peerSessionParameters: session.peerParameters,
        });
      } catch (error) {
        return await invalid(new CaseError('protocol', `the resumption record could not be stored: ${(error as Error).message}`, { cause: error }));
      }
      // The session exists before the success report goes out: the initiator may use it at once. Sigma3 verified
      // is the end of the handshake (spec "SessionEstablishmentSuccess"): a report whose ack is lost (the
      // initiator may already have closed its unsecured exchange) must not undo a session the initiator holds.
      await sendStatus(exchange, SUCCESS).catch(() => {});
      return session;
    } catch (error) {
      if (session) sessions.removeSession(session.id, 'removed');
      else sessions.releaseSessionId(localSessionId);
      throw error;
    } finally {
      sharedSecret.fill(0);
    }
  }

  /**
   * Creates the session; if the table cannot take it (every session busy, or a storage failure), the initiator is
   * told at once (Busy for a full table, InvalidParam otherwise) instead of waiting for a report that never comes.
   */
  async #openSession(exchange: Exchange, args: CreateSecureSessionArgs): Promise<SecureSession> {
    try {
      return await this.#exchanges.sessions.createSecureSession(args);
    } catch (error) {
      const full = error instanceof SessionLimitError;
      return this.#refuse(exchange, full ? busy(this.#busyWaitMs) : INVALID_PARAMETER,
        new CaseError(full ? 'busy' : 'protocol', `no session could be made: ${(error as Error).message}`, { cause: error }));
    }
  }

  #channel(exchange: Exchange) {
    const channel = exchange.session.channel;
    return isMessageChannel(channel) ? channel : undefined;
  }
}
