// The per-message crypto of the session layer (spec "Message Security"): nonce = security flags | counter (LE32) |
// sender node id (LE64) — the sender's own id when sending, the peer's when receiving, 0 for PASE, the header's
// source node for groups; AAD = the header exactly as on the wire (before privacy obfuscation); 16-byte MIC.
import { resultBytes } from '../core/result-pool.js';
import { ByteReader, writeU32 } from '../codec/byte-reader.js';
import { MIC_LENGTH } from '../codec/privacy-obfuscation.js';
import { messageHeaderLength, securityFlags, writeMessageHeader, type MessageHeader } from '../codec/message-header.js';
import { payloadHeaderLength, readPayloadHeader, writePayloadHeader, type PayloadHeader } from '../codec/payload-header.js';

/** Reusable buffers of one manager: the hot path allocates only its result. */
export class MessageScratch {
  readonly nonce = new Uint8Array(13);
  #plain = new Uint8Array(1024);
  /** The buffer the last openMessage decrypted into. */
  opened: Uint8Array = this.#plain;

  /** A reusable buffer of at least `length` bytes. */
  plain(length: number): Uint8Array {
    if (this.#plain.length < length) this.#plain = new Uint8Array(Math.max(length, this.#plain.length * 2));
    return this.#plain;
  }

  nonceFor(flags: number, counter: number, nodeLow: number, nodeHigh: number): Uint8Array {
    this.nonce[0] = flags;
    writeU32(this.nonce, 1, counter);
    writeU32(this.nonce, 5, nodeLow);
    writeU32(this.nonce, 9, nodeHigh);
    return this.nonce;
  }
}

/** What seals and opens a message in place: an AesCcmKey (group keys) or a session's CcmKeyPair. */
export interface InPlaceCipher {
  sealInPlace(message: Uint8Array, aadLength: number, plaintextLength: number, nonce: Uint8Array, tagLength?: number): number;
  openInPlace(message: Uint8Array, aadLength: number, nonce: Uint8Array, tagLength?: number, messageLength?: number): number;
}

/** A node id split once into 32-bit halves, so building a nonce needs no BigInt arithmetic per message. */
export interface NonceNodeId { readonly low: number; readonly high: number }

// Sessions on one fabric all send with the fabric's node id: one shared object per id instead of one per session.
// Bounded: local node ids are one per fabric, and past the bound ids are simply not shared.
const SHARED_NONCE_IDS_MAX = 64;
const sharedNonceIds = new Map<bigint, NonceNodeId>();

export function nonceNodeId(nodeId: bigint): NonceNodeId {
  return { low: Number(nodeId & 0xffffffffn), high: Number(nodeId >> 32n) };
}

/** nonceNodeId for our own node ids, shared between the sessions that send with them. */
export function localNonceNodeId(nodeId: bigint): NonceNodeId {
  const shared = sharedNonceIds.get(nodeId);
  if (shared !== undefined) return shared;
  const made = Object.freeze(nonceNodeId(nodeId));
  if (sharedNonceIds.size < SHARED_NONCE_IDS_MAX) sharedNonceIds.set(nodeId, made);
  return made;
}

export const NONCE_NODE_ID_ZERO: NonceNodeId = Object.freeze({ low: 0, high: 0 });

/** Header || payload header || payload, with room for the MIC when `mic` is set. */
export function writePlainMessage(header: MessageHeader, payloadHeader: PayloadHeader, payload: Uint8Array, mic: boolean):
  { message: Uint8Array; headerLength: number; plainLength: number } {
  const headerLength = messageHeaderLength(header);
  const plainLength = payloadHeaderLength(payloadHeader) + payload.length;
  // Pooled: the message is the caller's result, and V8 allocates arrays over 64 bytes off-heap (slowly).
  const message = resultBytes(headerLength + plainLength + (mic ? MIC_LENGTH : 0));
  writeMessageHeader(message, 0, header);
  const payloadAt = writePayloadHeader(message, headerLength, payloadHeader);
  message.set(payload, payloadAt);
  return { message, headerLength, plainLength };
}

/** Encrypts a plain message in place with the sender's key and node id. */
export function sealMessage(scratch: MessageScratch, key: InPlaceCipher, header: MessageHeader, senderLow: number,
  senderHigh: number, message: Uint8Array, headerLength: number, plainLength: number): void {
  const nonce = scratch.nonceFor(securityFlags(header), header.messageCounter, senderLow, senderHigh);
  key.sealInPlace(message, headerLength, plainLength, nonce, MIC_LENGTH);
}

/**
 * Decrypts the part of `datagram` after its header; returns the plaintext's length, the plaintext being
 * `scratch.opened[headerLength, headerLength + length)`, or throws AuthenticationError. `datagram` is never
 * modified. No view is made (each would be an allocation per message).
 */
export function openMessage(scratch: MessageScratch, key: InPlaceCipher, header: MessageHeader, senderLow: number,
  senderHigh: number, datagram: Uint8Array, headerLength: number): number {
  const work = scratch.plain(datagram.length);
  scratch.opened = work;
  const nonce = scratch.nonceFor(securityFlags(header), header.messageCounter, senderLow, senderHigh);
  // The core copies the datagram in and the plaintext out; the work buffer only receives the plaintext.
  work.set(datagram);
  return key.openInPlace(work, headerLength, nonce, MIC_LENGTH, datagram.length);
}

/** Splits the plaintext `bytes[start, end)` into its payload header and a copy of the application payload. */
export function splitPayload(bytes: Uint8Array, start = 0, end = bytes.length): { payloadHeader: PayloadHeader; payload: Uint8Array } {
  const reader = new ByteReader(bytes, start, end);
  const payloadHeader = readPayloadHeader(reader);
  // Views into reusable scratch must not escape: copy what the caller keeps.
  if (payloadHeader.securedExtensions) payloadHeader.securedExtensions = payloadHeader.securedExtensions.slice();
  // From the result pool (see result-pool.ts): a copy with no ArrayBuffer of its own per message.
  const payload = resultBytes(end - reader.offset);
  payload.set(bytes.subarray(reader.offset, end));
  return { payloadHeader, payload };
}
