// The payload (protocol) header (spec "Protocol Header Field Descriptions"): the first bytes of the encrypted
// part. exchange flags (I 0x01 | A 0x02 | R 0x04 | SX 0x08 | V 0x10) | opcode | exchange id (16) |
// [vendor id (16)] | protocol id (16) | [acknowledged message counter (32)] | [SX: length (16) + bytes]
import { ByteReader, readU32, writeU16, writeU32 } from './byte-reader.js';
import { MalformedMessageError } from './malformed-message-error.js';

export interface PayloadHeader {
  exchangeId: number;
  protocolId: number;
  opcode: number;
  /** The protocol's vendor; absent (0) for Matter's own protocols. */
  vendorId?: number | undefined;
  /** I: sent by the exchange's initiator. */
  initiator: boolean;
  /** R: the sender wants an acknowledgement (reliable messaging). */
  needsAck: boolean;
  /** A: the counter of the message this one acknowledges. */
  ackedMessageCounter?: number | undefined;
  /** SX: secured extensions, carried opaquely. */
  securedExtensions?: Uint8Array | undefined;
}

const INITIATOR = 0x01;
const ACK = 0x02;
const NEEDS_ACK = 0x04;
const SECURED_EXTENSIONS = 0x08;
const VENDOR = 0x10;

export function payloadHeaderLength(header: PayloadHeader): number {
  return 6 + (header.vendorId ? 2 : 0) + (header.ackedMessageCounter !== undefined ? 4 : 0)
    + (header.securedExtensions ? 2 + header.securedExtensions.length : 0);
}

export function writePayloadHeader(target: Uint8Array, at: number, header: PayloadHeader): number {
  target[at] = (header.initiator ? INITIATOR : 0) | (header.ackedMessageCounter !== undefined ? ACK : 0)
    | (header.needsAck ? NEEDS_ACK : 0) | (header.securedExtensions ? SECURED_EXTENSIONS : 0)
    | (header.vendorId ? VENDOR : 0);
  target[at + 1] = header.opcode;
  writeU16(target, at + 2, header.exchangeId);
  let offset = at + 4;
  if (header.vendorId) {
    writeU16(target, offset, header.vendorId);
    offset += 2;
  }
  writeU16(target, offset, header.protocolId);
  offset += 2;
  if (header.ackedMessageCounter !== undefined) {
    writeU32(target, offset, header.ackedMessageCounter);
    offset += 4;
  }
  if (header.securedExtensions) {
    writeU16(target, offset, header.securedExtensions.length);
    target.set(header.securedExtensions, offset + 2);
    offset += 2 + header.securedExtensions.length;
  }
  return offset;
}

export function encodePayloadHeader(header: PayloadHeader): Uint8Array {
  const bytes = new Uint8Array(payloadHeaderLength(header));
  writePayloadHeader(bytes, 0, header);
  return bytes;
}

export function readPayloadHeader(reader: ByteReader): PayloadHeader {
  const flags = reader.u8('exchange flags');
  const header: PayloadHeader = {
    initiator: (flags & INITIATOR) !== 0,
    needsAck: (flags & NEEDS_ACK) !== 0,
    opcode: reader.u8('protocol opcode'),
    exchangeId: reader.u16('exchange id'),
    protocolId: 0,
  };
  if (flags & VENDOR) header.vendorId = reader.u16('protocol vendor id');
  header.protocolId = reader.u16('protocol id');
  if (flags & ACK) header.ackedMessageCounter = reader.u32('acknowledged message counter');
  if (flags & SECURED_EXTENSIONS) {
    header.securedExtensions = reader.view('secured extensions', reader.u16('secured extensions length'));
  }
  return header;
}

export function decodePayloadHeader(bytes: Uint8Array): { header: PayloadHeader; length: number } {
  const reader = new ByteReader(bytes);
  const header = readPayloadHeader(reader);
  return { header, length: reader.offset };
}

/** A payload header with every field present (absent ones undefined): one object a receive loop reuses. */
export function emptyPayloadHeader(): PayloadHeader {
  return {
    exchangeId: 0, protocolId: 0, opcode: 0, vendorId: undefined, initiator: false, needsAck: false,
    ackedMessageCounter: undefined, securedExtensions: undefined,
  };
}

function need(field: string, at: number, length: number, end: number): void {
  if (at + length > end) throw new MalformedMessageError(field, `needs ${length} bytes, ${end - at} left`, at);
}

/**
 * readPayloadHeader into a caller's object (see emptyPayloadHeader), for `bytes[start, end)`: every field is
 * overwritten, absent ones with undefined; returns the offset after the header. Same checks and errors as
 * readPayloadHeader. Allocates only for secured extensions (a view into `bytes`).
 */
export function readPayloadHeaderInto(bytes: Uint8Array, start: number, end: number, target: PayloadHeader): number {
  need('exchange flags', start, 1, end);
  const flags = bytes[start]!;
  need('protocol opcode', start + 1, 1, end);
  need('exchange id', start + 2, 2, end);
  target.initiator = (flags & INITIATOR) !== 0;
  target.needsAck = (flags & NEEDS_ACK) !== 0;
  target.opcode = bytes[start + 1]!;
  target.exchangeId = bytes[start + 2]! | (bytes[start + 3]! << 8);
  let at = start + 4;
  target.vendorId = undefined;
  if (flags & VENDOR) {
    need('protocol vendor id', at, 2, end);
    target.vendorId = bytes[at]! | (bytes[at + 1]! << 8);
    at += 2;
  }
  need('protocol id', at, 2, end);
  target.protocolId = bytes[at]! | (bytes[at + 1]! << 8);
  at += 2;
  target.ackedMessageCounter = undefined;
  if (flags & ACK) {
    need('acknowledged message counter', at, 4, end);
    target.ackedMessageCounter = readU32(bytes, at);
    at += 4;
  }
  target.securedExtensions = undefined;
  if (flags & SECURED_EXTENSIONS) {
    need('secured extensions length', at, 2, end);
    const length = bytes[at]! | (bytes[at + 1]! << 8);
    at += 2;
    need('secured extensions', at, length, end);
    target.securedExtensions = bytes.subarray(at, at + length);
    at += length;
  }
  return at;
}

/** A plain copy of a payload header with only its present fields, as readPayloadHeader makes it. */
export function copyPayloadHeader(header: PayloadHeader): PayloadHeader {
  const copy: PayloadHeader = {
    initiator: header.initiator, needsAck: header.needsAck, opcode: header.opcode, exchangeId: header.exchangeId,
    protocolId: header.protocolId,
  };
  if (header.vendorId !== undefined) copy.vendorId = header.vendorId;
  if (header.ackedMessageCounter !== undefined) copy.ackedMessageCounter = header.ackedMessageCounter;
  if (header.securedExtensions !== undefined) copy.securedExtensions = header.securedExtensions;
  return copy;
}
