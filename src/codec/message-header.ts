// The Matter message header (spec "Message Format", SDK PacketHeader): the unencrypted part of every message,
// which is also the AAD of its encryption. All fields little-endian:
//   message flags (version << 4 | S 0x04 | DSIZ 0x03) | session id (16) | security flags (P 0x80 | C 0x40 |
//   MX 0x20 | session type 0x03) | message counter (32) | [source node (64)] | [destination node (64) or
//   group (16)] | [MX: length (16) + bytes]
import { ByteReader, writeU16, writeU32, writeU64 } from './byte-reader.js';
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
