// The payload (protocol) header (spec "Protocol Header Field Descriptions"): the first bytes of the encrypted
// part. exchange flags (I 0x01 | A 0x02 | R 0x04 | SX 0x08 | V 0x10) | opcode | exchange id (16) |
// [vendor id (16)] | protocol id (16) | [acknowledged message counter (32)] | [SX: length (16) + bytes]
import { ByteReader, writeU16, writeU32 } from './byte-reader.js';

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
