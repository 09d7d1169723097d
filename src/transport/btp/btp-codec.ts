// Encoding and decoding of BTP's three packet kinds (spec "BTP Session Handshake", "BTP Packet Format"):
// handshake request (central -> peripheral), handshake response (peripheral -> central), and data/ack packets.
// All multi-byte fields are little-endian.
import { BtpFlag, HANDSHAKE_FLAGS, HANDSHAKE_OPCODE } from './btp-constants.js';
import { BtpProtocolError } from './btp-errors.js';

export interface BtpHandshakeRequest {
  /** Versions the central supports, most preferred first; at most 8, each 1-15. */
  readonly versions: readonly number[];
  /** The ATT MTU the central observed; 0 when unknown (a browser cannot read it). */
  readonly attMtu: number;
  /** The central's receive window. */
  readonly windowSize: number;
}

export interface BtpHandshakeResponse {
  readonly version: number;
  /** Largest BTP packet either side may send. */
  readonly fragmentSize: number;
  readonly windowSize: number;
}

/** A data packet (one segment of a Matter message, maybe carrying an ack) or a standalone ack (no segment flags). */
export interface BtpPacket {
  readonly sequenceNumber: number;
  /** Present iff the A flag is set: the newest sequence number of the peer's that this acknowledges. */
  readonly ackNumber?: number;
  readonly beginsMessage: boolean;
  readonly continuesMessage: boolean;
  readonly endsMessage: boolean;
  /** Present iff `beginsMessage`: the length of the whole Matter message. */
  readonly messageLength?: number;
  /** This segment's bytes; empty for a standalone ack. */
  readonly payload: Uint8Array;
}

const REQUEST_SIZE = 9;
const RESPONSE_SIZE = 6;
const VERSION_SLOTS = 8;

function checkByte(value: number, what: string, min = 0, max = 0xff): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${what} must be an integer ${min}-${max}: ${value}`);
}

function readHandshakeHeader(bytes: Uint8Array, size: number, what: string): DataView {
  if (bytes.length !== size) throw new BtpProtocolError(`${what}: ${bytes.length} bytes, expected ${size}`);
  if (bytes[0] !== HANDSHAKE_FLAGS) throw new BtpProtocolError(`${what}: flags 0x${bytes[0]!.toString(16)}, expected 0x65`);
  if (bytes[1] !== HANDSHAKE_OPCODE) throw new BtpProtocolError(`${what}: opcode 0x${bytes[1]!.toString(16)}, expected 0x6c`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeHandshakeRequest(request: BtpHandshakeRequest): Uint8Array {
  const { versions } = request;
  if (versions.length === 0 || versions.length > VERSION_SLOTS) throw new RangeError(`1-8 versions, not ${versions.length}`);
  versions.forEach((version) => checkByte(version, 'version', 1, 15));
  checkByte(request.attMtu, 'ATT MTU', 0, 0xffff);
  checkByte(request.windowSize, 'window size', 1);
  const bytes = new Uint8Array(REQUEST_SIZE);
  bytes[0] = HANDSHAKE_FLAGS;
  bytes[1] = HANDSHAKE_OPCODE;
  // Eight 4-bit slots, the first version in the low nibble of the first byte (SDK
  // BleTransportCapabilitiesRequestMessage: even slots low nibble, odd slots high nibble).
  versions.forEach((version, slot) => { bytes[2 + (slot >> 1)]! |= slot % 2 === 0 ? version : version << 4; });
  const view = new DataView(bytes.buffer);
  view.setUint16(6, request.attMtu, true);
  bytes[8] = request.windowSize;
  return bytes;
}

export function decodeHandshakeRequest(bytes: Uint8Array): BtpHandshakeRequest {
  const view = readHandshakeHeader(bytes, REQUEST_SIZE, 'handshake request');
  const versions: number[] = [];
  for (let slot = 0; slot < VERSION_SLOTS; slot++) {
    const byte = bytes[2 + (slot >> 1)]!;
    const version = slot % 2 === 0 ? byte & 0x0f : byte >> 4;
    if (version === 0) break; // 0 ends the list
    versions.push(version);
  }
  if (versions.length === 0) throw new BtpProtocolError('handshake request lists no version');
  const windowSize = bytes[8]!;
  if (windowSize === 0) throw new BtpProtocolError('handshake request with window size 0');
  return { versions, attMtu: view.getUint16(6, true), windowSize };
}

export function encodeHandshakeResponse(response: BtpHandshakeResponse): Uint8Array {
  checkByte(response.version, 'version', 0, 15);
  checkByte(response.fragmentSize, 'fragment size', 0, 0xffff);
  checkByte(response.windowSize, 'window size');
  const bytes = new Uint8Array(RESPONSE_SIZE);
  bytes[0] = HANDSHAKE_FLAGS;
  bytes[1] = HANDSHAKE_OPCODE;
  bytes[2] = response.version; // the high nibble is reserved
  new DataView(bytes.buffer).setUint16(3, response.fragmentSize, true);
  bytes[5] = response.windowSize;
  return bytes;
}

export function decodeHandshakeResponse(bytes: Uint8Array): BtpHandshakeResponse {
  const view = readHandshakeHeader(bytes, RESPONSE_SIZE, 'handshake response');
  return { version: bytes[2]! & 0x0f, fragmentSize: view.getUint16(3, true), windowSize: bytes[5]! };
}

/** Bytes of the header `encodePacket` writes before the payload. */
export function packetHeaderSize(beginsMessage: boolean, carriesAck: boolean): number {
  return 2 + (carriesAck ? 1 : 0) + (beginsMessage ? 2 : 0);
}

export function encodePacket(packet: BtpPacket): Uint8Array {
  const { beginsMessage, continuesMessage, endsMessage, ackNumber, messageLength, payload } = packet;
  const isData = beginsMessage || continuesMessage || endsMessage;
  if (beginsMessage && continuesMessage) throw new RangeError('a segment cannot both begin and continue a message');
  if (beginsMessage !== (messageLength !== undefined)) throw new RangeError('the message length goes with the first segment, and only there');
  if (isData ? payload.length === 0 : payload.length !== 0) throw new RangeError('data segments carry bytes, standalone acks none');
  if (!isData && ackNumber === undefined) throw new RangeError('a packet without a segment must carry an ack');
  checkByte(packet.sequenceNumber, 'sequence number');
  if (ackNumber !== undefined) checkByte(ackNumber, 'ack number');
  if (messageLength !== undefined) checkByte(messageLength, 'message length', 1, 0xffff);

  const carriesAck = ackNumber !== undefined;
  const bytes = new Uint8Array(packetHeaderSize(beginsMessage, carriesAck) + payload.length);
  bytes[0] = (beginsMessage ? BtpFlag.beginMessage : 0) | (continuesMessage ? BtpFlag.continueMessage : 0)
    | (endsMessage ? BtpFlag.endMessage : 0) | (carriesAck ? BtpFlag.ack : 0);
  let at = 1;
  if (carriesAck) bytes[at++] = ackNumber;
  bytes[at++] = packet.sequenceNumber;
  if (messageLength !== undefined) {
    bytes[at++] = messageLength & 0xff;
    bytes[at++] = messageLength >> 8;
  }
  bytes.set(payload, at);
  return bytes;
}

/** Decodes a data packet or standalone ack; handshake and management packets are not expected here. */
export function decodePacket(bytes: Uint8Array): BtpPacket {
  const flags = bytes[0];
  if (flags === undefined) throw new BtpProtocolError('empty BTP packet');
  if (flags & (BtpFlag.handshake | BtpFlag.management)) {
    throw new BtpProtocolError(`unexpected handshake or management packet (flags 0x${flags.toString(16)})`);
  }
  const beginsMessage = (flags & BtpFlag.beginMessage) !== 0;
  const continuesMessage = (flags & BtpFlag.continueMessage) !== 0;
  const endsMessage = (flags & BtpFlag.endMessage) !== 0;
  const carriesAck = (flags & BtpFlag.ack) !== 0;
  const isData = beginsMessage || continuesMessage || endsMessage;
  if (beginsMessage && continuesMessage) throw new BtpProtocolError('packet flags both begin and continue a message');
  if (!isData && !carriesAck) throw new BtpProtocolError(`packet carries neither a segment nor an ack (flags 0x${flags.toString(16)})`);

  const headerSize = packetHeaderSize(beginsMessage, carriesAck);
  if (bytes.length < headerSize) throw new BtpProtocolError(`BTP packet truncated: ${bytes.length} bytes, header needs ${headerSize}`);
  let at = 1;
  const ackNumber = carriesAck ? bytes[at++]! : undefined;
  const sequenceNumber = bytes[at++]!;
  let messageLength: number | undefined;
  if (beginsMessage) {
    messageLength = bytes[at]! | (bytes[at + 1]! << 8);
    at += 2;
    if (messageLength === 0) throw new BtpProtocolError('first segment announces an empty message');
  }
  const payload = bytes.subarray(at);
  if (isData && payload.length === 0) throw new BtpProtocolError('data segment without bytes');
  if (!isData && payload.length !== 0) throw new BtpProtocolError(`standalone ack followed by ${payload.length} bytes`);
  return {
    sequenceNumber, beginsMessage, continuesMessage, endsMessage, payload,
    ...(ackNumber !== undefined && { ackNumber }),
    ...(messageLength !== undefined && { messageLength }),
  };
}

/** The codec as one object: typed packets in, bytes out, and back; decode errors are BtpProtocolError. */
export const BtpCodec = {
  encodeHandshakeRequest,
  decodeHandshakeRequest,
  encodeHandshakeResponse,
  decodeHandshakeResponse,
  encodePacket,
  decodePacket,
} as const;
