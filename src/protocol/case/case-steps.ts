// What both CASE roles share (Matter Core spec §4.14.2, §4.11.1 "Secure Channel Status Report"): waiting for the
// next expected Sigma message, and the StatusReports that end a handshake (Success, NoSharedTrustRoots,
// InvalidParam, Busy with its minimum wait).
import {
  decodeStatusReport, GeneralStatusCode, SecureChannelStatusCode, type StatusReport,
} from '../../codec/status-report.js';
import { ExchangeTimeoutError, RetransmissionLimitError, type Exchange, type ExchangeMessage } from '../exchange.js';
import { describeStatus } from '../pase/pase-steps.js';
import { ProtocolId, SecureChannelOpcode } from '../protocol-ids.js';
import { CaseError, CaseMessageError } from './case-error.js';

export { SUCCESS, INVALID_PARAMETER, busy, sendStatus, isSuccess } from '../pase/pase-steps.js';

export const NO_SHARED_TRUST_ROOTS: StatusReport = {
  generalCode: GeneralStatusCode.failure, protocolId: ProtocolId.secureChannel,
  protocolCode: SecureChannelStatusCode.noSharedTrustRoots,
};

/** The CaseError a failure StatusReport from the peer stands for. */
export function failureFromStatus(report: StatusReport, instead: string): CaseError {
  const why = `the peer ended the handshake instead of sending ${instead}: ${describeStatus(report)}`;
  switch (report.protocolCode) {
    case SecureChannelStatusCode.busy: {
      // Busy carries the minimum wait in ms as a little-endian uint16 (spec §4.11.1.5).
      const data = report.protocolData;
      const minimumWaitMs = data && data.length >= 2 ? data[0]! | (data[1]! << 8) : undefined;
      return new CaseError('busy', `${why}${minimumWaitMs === undefined ? '' : `, retry after ${minimumWaitMs} ms`}`,
        minimumWaitMs === undefined ? undefined : { minimumWaitMs });
    }
    case SecureChannelStatusCode.noSharedTrustRoots: return new CaseError('no-shared-trust-roots', why);
    case SecureChannelStatusCode.invalidParameter: return new CaseError('invalid-param', why);
    default: return new CaseError('refused', why);
  }
}

/**
 * The next message, which must be one of `opcodes` (secure channel). A StatusReport instead ends the handshake with
 * the failure it reports; silence for `timeoutMs` is a `timeout`; any other message is a `protocol` failure.
 */
export async function expectCaseMessage(exchange: Exchange, opcodes: readonly number[], what: string, timeoutMs: number):
  Promise<ExchangeMessage> {
  let message: ExchangeMessage;
  try {
    message = await exchange.next(timeoutMs);
  } catch (error) {
    if (error instanceof CaseError) throw error;
    if (error instanceof ExchangeTimeoutError) throw new CaseError('timeout', `no ${what} within ${timeoutMs} ms`, { cause: error });
    throw new CaseError('protocol', `waiting for ${what}: ${(error as Error).message}`, { cause: error });
  }
  const secureChannel = message.protocolId === ProtocolId.secureChannel;
  if (secureChannel && message.opcode === SecureChannelOpcode.statusReport && !opcodes.includes(message.opcode)) {
    let report: StatusReport;
    try {
      report = decodeStatusReport(message.payload);
    } catch (error) {
      throw new CaseError('protocol', `a malformed StatusReport instead of ${what}`, { cause: error });
    }
    throw failureFromStatus(report, what);
  }
  if (!secureChannel || !opcodes.includes(message.opcode)) {
    throw new CaseError('protocol', `expected ${what}, got protocol ${message.protocolId} opcode 0x${message.opcode.toString(16)}`);
  }
  return message;
}

export function isStatusSuccess(report: StatusReport): boolean {
  return report.generalCode === GeneralStatusCode.success && report.protocolCode === SecureChannelStatusCode.success;
}

export { describeStatus };

/** Runs a parser; a malformed message is a `protocol` failure naming the field. */
export function parse<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof CaseError) throw error;
    const field = error instanceof CaseMessageError ? error.field : 'message';
    throw new CaseError('protocol', `${field}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * What a handshake step's error means to the caller: argument errors stay as they are, a peer that never
 * acknowledged is a `timeout` (it stopped answering), anything else unexpected is a `protocol` failure.
 */
export function asCaseError(error: unknown): CaseError | RangeError | TypeError {
  if (error instanceof CaseError || error instanceof RangeError || error instanceof TypeError) return error;
  if (error instanceof RetransmissionLimitError) return new CaseError('timeout', error.message, { cause: error });
  return new CaseError('protocol', (error as Error)?.message ?? String(error), { cause: error });
}
