// The initiator's side of CASE (Matter Core spec §4.14.2): Sigma1 -> Sigma2 -> Sigma3 -> StatusReport, or, when a
// resumption record for the peer exists, Sigma1 with resumption -> Sigma2_Resume -> StatusReport (§4.14.2.2.2).
// A responder that cannot resume answers Sigma2 and the full handshake continues on the same exchange. On Sigma2
// the initiator checks, as the SDK and matter.js do: the TBEData2 MIC, the chain to its own root, the fabric id,
// the node id it meant to reach, then the TBSData2 signature with the NOC key.
import type { SecureSession } from '../../session/secure-session.js';
import type { SessionParameters } from '../../session/session-parameters.js';
import { ecdhP256, ecdsaSignSha256, ecdsaVerifySha256, generateP256KeyPair } from '../../crypto/index.js';
import type { ExchangeManager } from '../exchange-manager.js';
import type { MessageChannel } from '../message-channel.js';
import { SecureChannelOpcode } from '../protocol-ids.js';
import { decodeStatusReport } from '../../codec/status-report.js';
import { CaseError } from './case-error.js';
import { checkCaseFabric, type CaseFabric, type OperationalChainVerifier } from './case-fabric.js';
import {
  caseSessionSalt, deriveS2K, deriveS3K, micMatches, NONCE_SIGMA2, NONCE_SIGMA3, openTbe,
  resumptionSalt, sealTbe, sigma1ResumeMic, sigma2ResumeMic, sigma2Salt, sigma3Salt,
} from './case-key-schedule.js';
import {
  decodeSigma2, decodeSigma2Resume, decodeTbeData2, encodeSigma1, encodeSigma3, encodeTbeData3, encodeTbsData,
} from './case-messages.js';
import {
  asCaseError, expectCaseMessage, failureFromStatus, INVALID_PARAMETER, isStatusSuccess, parse, sendStatus, SUCCESS,
} from './case-steps.js';
import { defaultChainVerifier, verifyPeer } from './case-chain.js';
import { caseDestinationId } from '../../credentials/case-destination-id.js';

export interface CaseInitiatorOptions {
  /** Our fabric: the peer must be on it. */
  fabric: CaseFabric;
  /** The operational node id of the node to reach. */
  peerNodeId: bigint;
  /** Try to resume from a stored record for the peer first (default true). */
  resume?: boolean;
  /** What this side announces; defaults to the SessionManager's parameters. */
  sessionParameters?: Partial<SessionParameters>;
  /** How long to wait for each answer (ms). Default 30 s (the SDK's "high processing time" bound). */
  timeoutMs?: number;
  /** Validates the peer's NOC chain against our root; defaults to the credentials module's validator. */
  verifyChain?: OperationalChainVerifier;
}

export interface CaseResult {
  session: SecureSession;
  /** True when the session came from a resumption (Sigma2_Resume), false after a full handshake. */
  resumed: boolean;
}

/** Opens a CASE session to `peerNodeId` over `channel`; rejects with a CaseError saying why it could not. */
export async function establishCase(exchanges: ExchangeManager, channel: MessageChannel, options: CaseInitiatorOptions):
  Promise<CaseResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { fabric, peerNodeId, ... }');
  const fabric = checkCaseFabric(options.fabric);
  const { peerNodeId } = options;
  if (typeof peerNodeId !== 'bigint' || peerNodeId < 0n || peerNodeId > 0xffffffffffffffffn) {
    throw new TypeError('peerNodeId: expected a bigint from 0 to 2^64-1');
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new RangeError(`timeoutMs: expected a positive integer, got ${String(timeoutMs)}`);
  const verifyChain = options.verifyChain ?? defaultChainVerifier();
  const sessions = exchanges.sessions;
  if (!sessions.getFabric(fabric.fabricIndex)) {
    throw new RangeError(`fabric.fabricIndex: the SessionManager has no fabric ${fabric.fabricIndex}; add it first`);
  }
  const record = options.resume === false ? undefined : sessions.findResumptionRecordByNode(fabric.fabricIndex, peerNodeId);

  const unsecured = sessions.createUnsecuredSession({ isInitiator: true, channel });
  const localSessionId = await sessions.reserveSessionId();
  const exchange = exchanges.initiate(unsecured);
  const detach = channel.onClose((error) => exchange.abort(new CaseError('disconnected',
    `the connection closed during the handshake${error ? `: ${(error as Error).message ?? String(error)}` : ''}`, { cause: error })));
  let session: SecureSession | undefined;
  const ephemeral = generateP256KeyPair();
  let sharedSecret: Uint8Array | undefined;
  try {
    const initiatorRandom = crypto.getRandomValues(new Uint8Array(32));
    const sigma1 = encodeSigma1({
      initiatorRandom, initiatorSessionId: localSessionId,
      destinationId: caseDestinationId({
        operationalIpk: fabric.operationalIpk, initiatorRandom, rootPublicKey: fabric.rootPublicKey,
        fabricId: fabric.fabricId, nodeId: peerNodeId,
      }),
      initiatorEphPubKey: ephemeral.publicKey,
      initiatorSessionParams: options.sessionParameters ?? sessions.parameters,
      ...(record ? {
        resumptionId: record.resumptionId,
        initiatorResumeMic: sigma1ResumeMic(record.sharedSecret, initiatorRandom, record.resumptionId),
      } : {}),
    });
    await exchange.send(SecureChannelOpcode.sigma1, sigma1);
    const answer = await expectCaseMessage(exchange,
      record ? [SecureChannelOpcode.sigma2, SecureChannelOpcode.sigma2Resume] : [SecureChannelOpcode.sigma2],
      record ? 'Sigma2 or Sigma2_Resume' : 'Sigma2', timeoutMs);

    if (answer.opcode === SecureChannelOpcode.sigma2Resume && record) {
      const resume = parse(() => decodeSigma2Resume(answer.payload));
      if (resume.responderSessionId === 0) {
        await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
        throw new CaseError('protocol', 'Sigma2_Resume.responderSessionId: 0 is not a session id');
      }
      const expected = sigma2ResumeMic(record.sharedSecret, initiatorRandom, resume.resumptionId);
      if (!micMatches(resume.sigma2ResumeMic, expected)) {
        await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
        throw new CaseError('bad-mic', 'Sigma2_Resume: sigma2ResumeMIC does not match the stored shared secret');
      }
      session = await sessions.createSecureSession({
        sessionId: localSessionId, peerSessionId: resume.responderSessionId,
        sharedSecret: record.sharedSecret, salt: resumptionSalt(initiatorRandom, record.resumptionId),
        isInitiator: true, isResumption: true, peerNodeId, fabricIndex: fabric.fabricIndex,
        caseAuthenticatedTags: record.caseAuthenticatedTags,
        sessionParameters: resume.responderSessionParams ?? record.peerSessionParameters, channel,
      });
      // The new id replaces the old one (spec §4.14.2.2.2): the next resumption must present it.
      await rejectOnFailure(exchange, () => sessions.saveResumptionRecord({
        fabricIndex: fabric.fabricIndex, peerNodeId, resumptionId: resume.resumptionId, sharedSecret: record.sharedSecret,
        caseAuthenticatedTags: record.caseAuthenticatedTags,
        peerSessionParameters: { ...record.peerSessionParameters, ...resume.responderSessionParams },
      }));
      await sendStatus(exchange, SUCCESS);
      await exchange.close();
      return { session, resumed: true };
    }

    // Full handshake: Sigma2.
    const sigma2 = parse(() => decodeSigma2(answer.payload));
    if (sigma2.responderSessionId === 0) {
      await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
      throw new CaseError('protocol', 'Sigma2.responderSessionId: 0 is not a session id');
    }
    try {
      sharedSecret = ecdhP256(ephemeral.privateKey, sigma2.responderEphPubKey);
    } catch (error) {
      await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
      throw new CaseError('protocol', 'Sigma2.responderEphPubKey: not a point on P-256', { cause: error });
    }
    const s2k = deriveS2K(sharedSecret, sigma2Salt(fabric.operationalIpk, sigma2.responderRandom, sigma2.responderEphPubKey, sigma1));
    const tbe2Plain = openTbe(s2k, NONCE_SIGMA2, sigma2.encrypted2);
    if (!tbe2Plain) {
      await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
      throw new CaseError('bad-mic', 'Sigma2.encrypted2 does not authenticate (a different IPK, or altered in transit)');
    }
    const tbe2 = await rejectOnFailure(exchange, () => parse(() => decodeTbeData2(tbe2Plain)));
    const peer = await rejectOnFailure(exchange, () => verifyPeer(verifyChain, fabric, tbe2, 'Sigma2'));
    if (peer.nodeId !== peerNodeId) {
      await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
      throw new CaseError('wrong-peer', `the responder's NOC is for node 0x${peer.nodeId.toString(16)}, not 0x${peerNodeId.toString(16)}`);
    }
    const tbs2 = encodeTbsData({ noc: tbe2.noc, icac: tbe2.icac, senderEphPubKey: sigma2.responderEphPubKey, receiverEphPubKey: ephemeral.publicKey });
    if (!ecdsaVerifySha256(peer.publicKey, tbs2, tbe2.signature)) {
      await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
      throw new CaseError('bad-signature', 'TBSData2: the signature does not verify with the responder\'s NOC key');
    }

    // Sigma3: our credentials, signed over both ephemeral keys, encrypted with S3K.
    const tbs3 = encodeTbsData({ noc: fabric.noc, icac: fabric.icac, senderEphPubKey: ephemeral.publicKey, receiverEphPubKey: sigma2.responderEphPubKey });
    const tbe3 = encodeTbeData3({ noc: fabric.noc, icac: fabric.icac, signature: ecdsaSignSha256(fabric.operationalPrivateKey, tbs3) });
    const s3k = deriveS3K(sharedSecret, sigma3Salt(fabric.operationalIpk, sigma1, answer.payload));
    const sigma3 = encodeSigma3({ encrypted3: sealTbe(s3k, NONCE_SIGMA3, tbe3) });
    await exchange.send(SecureChannelOpcode.sigma3, sigma3);
    const statusMessage = await expectCaseMessage(exchange, [SecureChannelOpcode.statusReport], 'the StatusReport', timeoutMs);
    const status = parse(() => decodeStatusReport(statusMessage.payload));
    if (!isStatusSuccess(status)) throw failureFromStatus(status, 'Success after Sigma3');

    session = await sessions.createSecureSession({
      sessionId: localSessionId, peerSessionId: sigma2.responderSessionId, sharedSecret,
      salt: caseSessionSalt(fabric.operationalIpk, sigma1, answer.payload, sigma3),
      isInitiator: true, isResumption: false, peerNodeId, fabricIndex: fabric.fabricIndex,
      caseAuthenticatedTags: peer.caseAuthenticatedTags, sessionParameters: sigma2.responderSessionParams, channel,
    });
    await sessions.saveResumptionRecord({
      fabricIndex: fabric.fabricIndex, peerNodeId, resumptionId: tbe2.resumptionId, sharedSecret,
      caseAuthenticatedTags: peer.caseAuthenticatedTags,
      peerSessionParameters: session.peerParameters,
    });
    await exchange.close(); // acknowledges the StatusReport
    return { session, resumed: false };
  } catch (error) {
    // A session made before a later step failed (the record could not be stored) goes too: no half-done state.
    if (session) sessions.removeSession(session.id, 'removed');
    else sessions.releaseSessionId(localSessionId);
    await exchange.close().catch(() => {});
    throw asCaseError(error);
  } finally {
    ephemeral.privateKey.fill(0);
    sharedSecret?.fill(0);
    detach();
    sessions.removeUnsecuredSession(unsecured);
  }
}


/** On failure, tells the peer InvalidParam before rethrowing, so it does not wait for a message that never comes. */
async function rejectOnFailure<T>(exchange: Parameters<typeof sendStatus>[0], step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
    throw error;
  }
}
