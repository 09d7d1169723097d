// The client side of a Read interaction over an exchange: ReadRequest, then ReportData chunks, each answered with
// StatusResponse(Success) when the server asks for one; the exchange's last ack is sent when it closes.
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import { ProtocolId } from '../protocol/protocol-ids.js';
import type { SecureSession } from '../session/secure-session.js';
import type { TlvElement } from '../codec/tlv.js';
import type { AttributePath } from './attribute-path.js';
import type { ConcreteAttributePath } from './attribute-path-syntax.js';
import { InteractionOpcode } from './opcodes.js';
import {
  decodeReportData, decodeStatusResponse, encodeReadRequest, encodeStatusResponse, expectsStatusResponse,
  type AttributeReport,
} from './read-interaction.js';
import { InteractionStatusError } from './interaction-status-error.js';
import { InteractionModelStatus } from './status-codes.js';

export { InteractionStatusError } from './interaction-status-error.js';

/** Reads attribute paths on a secure session; returns every attribute report of every chunk. */
export async function readAttributes(exchanges: ExchangeManager, session: SecureSession, paths: AttributePath[],
  options: { timeoutMs?: number; fabricFiltered?: boolean } = {}): Promise<AttributeReport[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const exchange = exchanges.initiate(session);
  try {
    await exchange.send(InteractionOpcode.readRequest, encodeReadRequest({ paths, fabricFiltered: options.fabricFiltered ?? true }),
      { protocolId: ProtocolId.interactionModel });
    const reports: AttributeReport[] = [];
    for (;;) {
      const message = await exchange.next(timeoutMs);
      if (message.protocolId !== ProtocolId.interactionModel) throw new Error(`read: unexpected protocol ${message.protocolId}`);
      if (message.opcode === InteractionOpcode.statusResponse) {
        throw new InteractionStatusError(decodeStatusResponse(message.payload), 'the read was refused');
      }
      if (message.opcode !== InteractionOpcode.reportData) throw new Error(`read: unexpected opcode 0x${message.opcode.toString(16)}`);
      const report = decodeReportData(message.payload);
      reports.push(...report.attributeReports);
      if (expectsStatusResponse(report)) {
        await exchange.send(InteractionOpcode.statusResponse, encodeStatusResponse(InteractionModelStatus.success),
          { protocolId: ProtocolId.interactionModel });
      }
      if (!report.moreChunkedMessages) return reports;
    }
  } finally {
    await exchange.close();
  }
}

/** Reads one concrete attribute; returns its value or throws InteractionStatusError with the server's status. */
export async function readAttribute(exchanges: ExchangeManager, session: SecureSession, path: ConcreteAttributePath,
  options: { timeoutMs?: number } = {}): Promise<TlvElement> {
  const reports = await readAttributes(exchanges, session, [path], options);
  const report = reports.find((r) => r.path.endpoint === path.endpoint && r.path.cluster === path.cluster
    && r.path.attribute === path.attribute);
  if (!report) throw new Error(`read: no report for ${path.endpoint}/${path.cluster}/${path.attribute}`);
  if (report.status) throw new InteractionStatusError(report.status.status, `attribute ${path.endpoint}/0x${path.cluster.toString(16)}/${path.attribute}`,
    { clusterStatus: report.status.clusterStatus, path });
  return report.data!;
}
