// The Matter message header (spec "Message Format", SDK PacketHeader): the unencrypted part of every message,
// which is also the AAD of its encryption. All fields little-endian:
//   message flags (version << 4 | S 0x04 | DSIZ 0x03) | session id (16) | security flags (P 0x80 | C 0x40 |
//   MX 0x20 | session type 0x03) | message counter (32) | [source node (64)] | [destination node (64) or
//   group (16)] | [MX: length (16) + bytes]
import { ByteReader, readU32, writeU16, writeU32, writeU64 } from './byte-reader.js';
import { MalformedMessageError } from './malformed-message-error.js';

export const SessionType = { unicast: 0, group: 1 } as const;
export type SessionType = (typeof SessionType)[keyof typeof SessionType];

export interface MessageHeader {
  sessionId: number;
  sessionType: SessionType;
  /** P: the header after the security flags is obfuscated with the privacy key (group messages). */
  privacy: boolean;
  /** C: a control message, counted with the control counter. */
  control: boolean;
  messageCounter: number;
  sourceNodeId?: bigint | undefined;
  destinationNodeId?: bigint | undefined;
  destinationGroupId?: number | undefined;
  /** MX: message extensions, carried opaquely (and authenticated as part of the AAD). */
  extensions?: Uint8Array | undefined;
}

const FLAG_SOURCE = 0x04;
const DSIZ_NODE = 1;
const DSIZ_GROUP = 2;
const SECURITY_PRIVACY = 0x80;
const SECURITY_CONTROL = 0x40;
const SECURITY_EXTENSIONS = 0x20;
/** Bytes before the message counter: flags, session id, security flags. Privacy obfuscation starts here. */
export const PRIVACY_OFFSET = 4;

export function messageHeaderLength(header: MessageHeader): number {
  return 8 + (header.sourceNodeId !== undefined ? 8 : 0)
    + (header.destinationNodeId !== undefined ? 8 : header.destinationGroupId !== undefined ? 2 : 0)
    + (header.extensions ? 2 + header.extensions.length : 0);
}

export function securityFlags(header: MessageHeader): number {
  return (header.privacy ? SECURITY_PRIVACY : 0) | (header.control ? SECURITY_CONTROL : 0)
    | (header.extensions ? SECURITY_EXTENSIONS : 0) | header.sessionType;
}

/** Writes the header at `at`; returns the offset after it. The caller sized `target` with messageHeaderLength. */
export function writeMessageHeader(target: Uint8Array, at: number, header: MessageHeader): number {
  if (header.destinationNodeId !== undefined && header.destinationGroupId !== undefined) {
    throw new TypeError('header: a message has a destination node or a destination group, not both');
  }
  const dsiz = header.destinationNodeId !== undefined ? DSIZ_NODE : header.destinationGroupId !== undefined ? DSIZ_GROUP : 0;
  target[at] = (header.sourceNodeId !== undefined ? FLAG_SOURCE : 0) | dsiz;
  writeU16(target, at + 1, header.sessionId);
  target[at + 3] = securityFlags(header);
  writeU32(target, at + 4, header.messageCounter);
  let offset = at + 8;
  if (header.sourceNodeId !== undefined) {
    writeU64(target, offset, header.sourceNodeId);
    offset += 8;
  }
  if (header.destinationNodeId !== undefined) {
    writeU64(target, offset, header.destinationNodeId);
    offset += 8;
  } else if (header.destinationGroupId !== undefined) {
    writeU16(target, offset, header.destinationGroupId);
    offset += 2;
  }
  if (header.extensions) {
    writeU16(target, offset, header.extensions.length);
    target.set(header.extensions, offset + 2);
    offset += 2 + header.extensions.length;
  }
  return offset;
}

export function encodeMessageHeader(header: MessageHeader): Uint8Array {
  const bytes = new Uint8Array(messageHeaderLength(header));
  writeMessageHeader(bytes, 0, header);
  return bytes;
}

/** Reads the fields before the counter, which privacy obfuscation leaves in clear. */
export function readClearHeaderPrefix(reader: ByteReader): { flags: number; sessionId: number; security: number } {
  const flags = reader.u8('message flags');
  if (flags >> 4 !== 0) throw new MalformedMessageError('message flags', `unsupported version ${flags >> 4}`, reader.offset - 1);
  if ((flags & 0x03) === 3) throw new MalformedMessageError('message flags', 'reserved destination size 3', reader.offset - 1);
  const sessionId = reader.u16('session id');
  const security = reader.u8('security flags');
  if ((security & 0x03) > 1) {
    throw new MalformedMessageError('security flags', `reserved session type ${security & 0x03}`, reader.offset - 1);
  }
  return { flags, sessionId, security };
}

/** Decodes the header at the reader's offset; the reader is left at the payload. */
export function readMessageHeader(reader: ByteReader): MessageHeader {
  const { flags, sessionId, security } = readClearHeaderPrefix(reader);
  const header: MessageHeader = {
    sessionId,
    sessionType: (security & 0x03) as SessionType,
    privacy: (security & SECURITY_PRIVACY) !== 0,
    control: (security & SECURITY_CONTROL) !== 0,
    messageCounter: reader.u32('message counter'),
  };
  if (flags & FLAG_SOURCE) header.sourceNodeId = reader.u64('source node id');
  if ((flags & 0x03) === DSIZ_NODE) header.destinationNodeId = reader.u64('destination node id');
  else if ((flags & 0x03) === DSIZ_GROUP) header.destinationGroupId = reader.u16('destination group id');
  if (security & SECURITY_EXTENSIONS) header.extensions = reader.view('message extensions', reader.u16('message extensions length'));
  return header;
}

export function decodeMessageHeader(bytes: Uint8Array): { header: MessageHeader; length: number } {
  const reader = new ByteReader(bytes);
  const header = readMessageHeader(reader);
  return { header, length: reader.offset };
}

/** A header with every field present (absent ones undefined): one object a receive loop reuses for every message. */
export function emptyMessageHeader(): MessageHeader {
  return {
    sessionId: 0, sessionType: SessionType.unicast, privacy: false, control: false, messageCounter: 0,
    sourceNodeId: undefined, destinationNodeId: undefined, destinationGroupId: undefined, extensions: undefined,
  };
}

function need(field: string, at: number, length: number, end: number): void {
  if (at + length > end) throw new MalformedMessageError(field, `needs ${length} bytes, ${end - at} left`, at);
}

function u64At(bytes: Uint8Array, at: number): bigint {
  return (BigInt(readU32(bytes, at + 4)) << 32n) | BigInt(readU32(bytes, at));
}

/**
 * readMessageHeader into a caller's object (see emptyMessageHeader), for `bytes[0, end)`: every field is
 * overwritten, absent ones with undefined; returns the header's length. Same checks and errors as
 * readMessageHeader. Allocates only for what a secure unicast header rarely carries: node ids (bigints) and a
 * view of the extensions (into `bytes`).
 */
export function readMessageHeaderInto(bytes: Uint8Array, end: number, target: MessageHeader): number {
  need('message flags', 0, 1, end);
  const flags = bytes[0]!;
  if (flags >> 4 !== 0) throw new MalformedMessageError('message flags', `unsupported version ${flags >> 4}`, 0);
  if ((flags & 0x03) === 3) throw new MalformedMessageError('message flags', 'reserved destination size 3', 0);
  need('session id', 1, 2, end);
  need('security flags', 3, 1, end);
  const security = bytes[3]!;
  if ((security & 0x03) > 1) throw new MalformedMessageError('security flags', `reserved session type ${security & 0x03}`, 3);
  need('message counter', 4, 4, end);
  target.sessionId = bytes[1]! | (bytes[2]! << 8);
  target.sessionType = (security & 0x03) as SessionType;
  target.privacy = (security & SECURITY_PRIVACY) !== 0;
  target.control = (security & SECURITY_CONTROL) !== 0;
  target.messageCounter = readU32(bytes, 4);
  let at = 8;
  target.sourceNodeId = undefined;
  if (flags & FLAG_SOURCE) {
    need('source node id', at, 8, end);
    target.sourceNodeId = u64At(bytes, at);
    at += 8;
  }
  target.destinationNodeId = undefined;
  target.destinationGroupId = undefined;
  if ((flags & 0x03) === DSIZ_NODE) {
    need('destination node id', at, 8, end);
    target.destinationNodeId = u64At(bytes, at);
    at += 8;
  } else if ((flags & 0x03) === DSIZ_GROUP) {
    need('destination group id', at, 2, end);
    target.destinationGroupId = bytes[at]! | (bytes[at + 1]! << 8);
    at += 2;
  }
  target.extensions = undefined;
  if (security & SECURITY_EXTENSIONS) {
    need('message extensions length', at, 2, end);
    const length = bytes[at]! | (bytes[at + 1]! << 8);
    at += 2;
    need('message extensions', at, length, end);
    target.extensions = bytes.subarray(at, at + length);
    at += length;
  }
  return at;
}

/** A plain copy of a header with only its present fields, as readMessageHeader makes it. */
export function copyMessageHeader(header: MessageHeader): MessageHeader {
  const copy: MessageHeader = {
    sessionId: header.sessionId, sessionType: header.sessionType, privacy: header.privacy, control: header.control,
    messageCounter: header.messageCounter,
  };
  if (header.sourceNodeId !== undefined) copy.sourceNodeId = header.sourceNodeId;
  if (header.destinationNodeId !== undefined) copy.destinationNodeId = header.destinationNodeId;
  else if (header.destinationGroupId !== undefined) copy.destinationGroupId = header.destinationGroupId;
  if (header.extensions !== undefined) copy.extensions = header.extensions;
  return copy;
}
