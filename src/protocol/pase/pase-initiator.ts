// The commissioner's side of PASE: PBKDFParamRequest -> PBKDFParamResponse -> Pake1 -> Pake2 -> Pake3 ->
// StatusReport, on one exchange of a fresh unsecured session; the secure session is then handed to the
// SessionManager under the id this side reserved for it.
import { decodeStatusReport } from '../../codec/status-report.js';
import { computePasscodeVerifier, paseContext, Spake2pError, startSpake2pProver } from '../../crypto/index.js';
import type { SecureSession } from '../../session/secure-session.js';
import type { SessionParameters } from '../../session/session-parameters.js';
import type { ExchangeManager } from '../exchange-manager.js';
import type { MessageChannel } from '../message-channel.js';
import { SecureChannelOpcode } from '../protocol-ids.js';
import { PaseError } from './pase-error.js';
import {
  decodePake2, decodePbkdfParamResponse, encodePake1, encodePake3, encodePbkdfParamRequest,
} from './pase-messages.js';
import { describeStatus, expectMessage, INVALID_PARAMETER, isSuccess, sendStatus } from './pase-steps.js';

export interface PaseInitiatorOptions {
  /** The device's setup passcode (from its QR code or manual pairing code). */
  passcode: number;
  /** What this side announces; defaults to the SessionManager's parameters. */
  sessionParameters?: Partial<SessionParameters>;
  /** How long to wait for each answer (ms). Default 30 s. */
  timeoutMs?: number;
}

/** Pairs with a device over `channel` by PASE; resolves with the secure session or rejects with a PaseError. */
export async function establishPase(exchanges: ExchangeManager, channel: MessageChannel, options: PaseInitiatorOptions):
  Promise<SecureSession> {
  const sessions = exchanges.sessions;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const unsecured = sessions.createUnsecuredSession({ isInitiator: true, channel });
  const localSessionId = sessions.getNextAvailableSessionId();
  const exchange = exchanges.initiate(unsecured);
  // A lost connection ends the handshake now, not when the next answer would have timed out.
  const detach = channel.onClose((error) => exchange.abort(new PaseError('disconnected',
    `the connection closed during the handshake${error ? `: ${(error as Error).message ?? String(error)}` : ''}`, { cause: error })));
  let session: SecureSession | undefined;
  try {
    const initiatorRandom = crypto.getRandomValues(new Uint8Array(32));
    const requestBytes = encodePbkdfParamRequest({
      initiatorRandom, initiatorSessionId: localSessionId, passcodeId: 0,
      hasPbkdfParameters: false, initiatorSessionParams: options.sessionParameters ?? sessions.parameters,
    });
    await exchange.send(SecureChannelOpcode.pbkdfParamRequest, requestBytes);
    const responseMessage = await expectMessage(exchange, SecureChannelOpcode.pbkdfParamResponse, 'PBKDFParamResponse', timeoutMs);
    const response = decodePbkdfParamResponse(responseMessage.payload);
    if (!sameBytes(response.initiatorRandom, initiatorRandom)) {
      throw new PaseError('protocol', 'PBKDFParamResponse does not echo our initiator random');
    }
    if (!response.pbkdfParameters) throw new PaseError('protocol', 'PBKDFParamResponse has no PBKDF parameters, though we asked for them');

    const { w0, w1 } = computePasscodeVerifier(options.passcode, response.pbkdfParameters.salt, response.pbkdfParameters.iterations);
    const prover = startSpake2pProver({ context: paseContext(requestBytes, responseMessage.payload), w0, w1 });
    await exchange.send(SecureChannelOpcode.pake1, encodePake1(prover.X));
    const pake2 = decodePake2((await expectMessage(exchange, SecureChannelOpcode.pake2, 'Pake2', timeoutMs)).payload);
    let result: { cA: Uint8Array; Ke: Uint8Array };
    try {
      result = prover.finish(pake2.pB, pake2.cB);
    } catch (error) {
      if (!(error instanceof Spake2pError)) throw error;
      await sendStatus(exchange, INVALID_PARAMETER).catch(() => {});
      throw new PaseError('wrong-passcode', 'the device could not prove the passcode: wrong passcode', { cause: error });
    }
    await exchange.send(SecureChannelOpcode.pake3, encodePake3(result.cA));
    const status = decodeStatusReport((await expectMessage(exchange, SecureChannelOpcode.statusReport, 'StatusReport', timeoutMs)).payload);
    if (!isSuccess(status)) throw new PaseError('refused', `the device refused the handshake: ${describeStatus(status)}`);

    session = await sessions.createSecureSession({
      sessionId: localSessionId, peerSessionId: response.responderSessionId, sharedSecret: result.Ke, salt: new Uint8Array(0),
      isInitiator: true, isResumption: false, peerNodeId: 0n, sessionParameters: response.responderSessionParams, channel,
    });
    result.Ke.fill(0);
    await exchange.close(); // acknowledges the StatusReport
    return session;
  } catch (error) {
    if (!session) sessions.releaseSessionId(localSessionId);
    await exchange.close().catch(() => {});
    throw error instanceof PaseError || error instanceof RangeError || error instanceof TypeError
      ? error : new PaseError('protocol', (error as Error).message, { cause: error });
  } finally {
    detach();
    sessions.removeUnsecuredSession(unsecured);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
