// StatusReport (spec "Secure Channel Status Report Messages", opcode 0x40 of the secure channel protocol):
// general code (16) | protocol id (32: vendor << 16 | protocol) | protocol code (16) | [protocol data].
// All little-endian. PASE/CASE failures, success and CloseSession are StatusReports.
import { ByteReader, writeU16, writeU32 } from './byte-reader.js';

export const GeneralStatusCode = {
  success: 0, failure: 1, badPrecondition: 2, outOfRange: 3, badRequest: 4, unsupported: 5, unexpected: 6,
  resourceExhausted: 7, busy: 8, timeout: 9, continue: 10, aborted: 11, invalidArgument: 12, notFound: 13,
  alreadyExists: 14, permissionDenied: 15, dataLoss: 16,
} as const;

/** Protocol codes of the secure channel protocol (protocol id 0). */
export const SecureChannelStatusCode = {
  success: 0, noSharedTrustRoots: 1, invalidParameter: 2, closeSession: 3, busy: 4, sessionNotFound: 5,
  generalFailure: 0xffff,
} as const;

export interface StatusReport {
  generalCode: number;
  /** Full 32-bit protocol id: vendor id << 16 | protocol id. */
  protocolId: number;
  protocolCode: number;
  protocolData?: Uint8Array | undefined;
}

export const STATUS_REPORT_OPCODE = 0x40;

export function encodeStatusReport(report: StatusReport): Uint8Array {
  const { generalCode, protocolId, protocolCode, protocolData } = report;
  for (const [name, value, max] of [['generalCode', generalCode, 0xffff], ['protocolId', protocolId, 0xffffffff],
    ['protocolCode', protocolCode, 0xffff]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`report.${name}: expected an integer from 0 to ${max}, got ${String(value)}`);
    }
  }
  const bytes = new Uint8Array(8 + (protocolData?.length ?? 0));
  writeU16(bytes, 0, generalCode);
  writeU32(bytes, 2, protocolId);
  writeU16(bytes, 6, protocolCode);
  if (protocolData) bytes.set(protocolData, 8);
  return bytes;
}

/** Decodes a StatusReport payload; throws MalformedMessageError if it is shorter than 8 bytes. */
export function decodeStatusReport(payload: Uint8Array): StatusReport {
  const reader = new ByteReader(payload);
  const report: StatusReport = {
    generalCode: reader.u16('status report general code'),
    protocolId: reader.u32('status report protocol id'),
    protocolCode: reader.u16('status report protocol code'),
  };
  if (reader.offset < payload.length) report.protocolData = payload.slice(reader.offset);
  return report;
}
