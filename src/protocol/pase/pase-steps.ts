// What both PASE roles share: waiting for the next expected message, and the StatusReports they exchange.
import {
  decodeStatusReport, encodeStatusReport, GeneralStatusCode, SecureChannelStatusCode, type StatusReport,
} from '../../codec/status-report.js';
import { ExchangeTimeoutError, type Exchange, type ExchangeMessage } from '../exchange.js';
import { ProtocolId, SecureChannelOpcode } from '../protocol-ids.js';
import { PaseError } from './pase-error.js';

export const SUCCESS: StatusReport = {
  generalCode: GeneralStatusCode.success, protocolId: ProtocolId.secureChannel, protocolCode: SecureChannelStatusCode.success,
};

/** The failure both sides send for a wrong confirmation or a bad message (spec: INVALID_PARAMETER). */
export const INVALID_PARAMETER: StatusReport = {
  generalCode: GeneralStatusCode.failure, protocolId: ProtocolId.secureChannel,
  protocolCode: SecureChannelStatusCode.invalidParameter,
};

/** Busy, with the minimum wait before retrying in ms (uint16 LE protocol data). */
export function busy(waitMs: number): StatusReport {
  const data = new Uint8Array([waitMs & 0xff, (waitMs >> 8) & 0xff]);
  return { generalCode: GeneralStatusCode.busy, protocolId: ProtocolId.secureChannel, protocolCode: SecureChannelStatusCode.busy, protocolData: data };
}

/**
 * The minimum wait of a busy StatusReport: its protocol data, a uint16 of milliseconds (spec "Busy"). Absent or
 * short data gets the SDK's default of 5 s rather than "retry now".
 */
export function busyWaitMs(report: StatusReport): number {
  const data = report.protocolData;
  return data && data.length >= 2 ? data[0]! | (data[1]! << 8) : 5000;
}

export function sendStatus(exchange: Exchange, report: StatusReport): Promise<void> {
  return exchange.send(SecureChannelOpcode.statusReport, encodeStatusReport(report));
}

function describeStatus(report: StatusReport): string {
  return `general code ${report.generalCode}, protocol code ${report.protocolCode}`;
}

/**
 * The next message, which must have `opcode`. A StatusReport instead ends the handshake (the peer refused), as
 * does silence for `timeoutMs` or any other message.
 */
export async function expectMessage(exchange: Exchange, opcode: number, what: string, timeoutMs: number): Promise<ExchangeMessage> {
  let message: ExchangeMessage;
  try {
    message = await exchange.next(timeoutMs);
  } catch (error) {
    if (error instanceof PaseError) throw error;
    if (error instanceof ExchangeTimeoutError) throw new PaseError('timeout', `no ${what} within ${timeoutMs} ms`, { cause: error });
    throw new PaseError('protocol', `waiting for ${what}: ${(error as Error).message}`, { cause: error });
  }
  if (message.protocolId === ProtocolId.secureChannel && message.opcode === SecureChannelOpcode.statusReport && opcode !== message.opcode) {
    const report = decodeStatusReport(message.payload);
    if (report.protocolCode === SecureChannelStatusCode.busy) {
      const waitMs = busyWaitMs(report);
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new PaseError('busy', `the device is busy (commissioning window closed, or another pairing in progress), retry in ${seconds} s`,
        { retryAfterSeconds: seconds });
    }
    const failure = report.protocolCode === SecureChannelStatusCode.invalidParameter ? 'wrong-passcode' : 'refused';
    throw new PaseError(failure, `the peer ended the handshake instead of sending ${what}: ${describeStatus(report)}`);
  }
  if (message.protocolId !== ProtocolId.secureChannel || message.opcode !== opcode) {
    throw new PaseError('protocol', `expected ${what}, got protocol ${message.protocolId} opcode 0x${message.opcode.toString(16)}`);
  }
  return message;
}

export function isSuccess(report: StatusReport): boolean {
  return report.generalCode === GeneralStatusCode.success && report.protocolCode === SecureChannelStatusCode.success;
}

export { describeStatus };
