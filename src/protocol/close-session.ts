// CloseSession (spec "CloseSession"): a StatusReport (general success, secure-channel protocol code
// CLOSE_SESSION) sent reliably on the session being closed; both sides then forget the session.
import { decodeStatusReport, encodeStatusReport, GeneralStatusCode, SecureChannelStatusCode } from '../codec/status-report.js';
import { SecureSession } from '../session/secure-session.js';
import type { ExchangeManager } from './exchange-manager.js';
import type { Exchange, ExchangeMessage } from './exchange.js';
import { ProtocolId, SecureChannelOpcode } from './protocol-ids.js';

const CLOSE_SESSION = encodeStatusReport({
  generalCode: GeneralStatusCode.success, protocolId: ProtocolId.secureChannel, protocolCode: SecureChannelStatusCode.closeSession,
});

/** Tells the peer the session is over (waiting for its ack, or not if it is gone), then removes it here. */
export async function closeSession(exchanges: ExchangeManager, session: SecureSession): Promise<void> {
  const exchange = exchanges.initiate(session);
  try {
    await exchange.send(SecureChannelOpcode.statusReport, CLOSE_SESSION);
  } catch {
    // Unacknowledged: the peer may already be gone; the session ends here regardless.
  } finally {
    await exchange.close().catch(() => {});
    exchanges.sessions.removeSession(session.id, 'removed');
  }
}

/** Whether an incoming secure-channel message is the peer's CloseSession. */
export function isCloseSession(exchange: Exchange, message: ExchangeMessage): boolean {
  if (!(exchange.session instanceof SecureSession)) return false;
  if (message.protocolId !== ProtocolId.secureChannel || message.opcode !== SecureChannelOpcode.statusReport) return false;
  const report = decodeStatusReport(message.payload);
  return report.generalCode === GeneralStatusCode.success && report.protocolCode === SecureChannelStatusCode.closeSession;
}
