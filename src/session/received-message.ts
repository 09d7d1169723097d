// A received message decoded in place (spec "Message Reception" for secure unicast): one object a receive loop hands
// to SessionManager.decodeInto for every datagram, so decoding allocates nothing per message. Its headers are
// reused objects and its payload lives in a buffer it owns; all of it is valid until the next decodeInto with it.
import { emptyMessageHeader, type MessageHeader } from '../codec/message-header.js';
import { emptyPayloadHeader, type PayloadHeader } from '../codec/payload-header.js';
import type { GroupSource } from './session-manager.js';
import type { SecureSession } from './secure-session.js';
import type { UnsecuredSession } from './unsecured-session.js';

/** The buffer a new ReceivedMessage starts with: an IPv6 minimum MTU datagram's plaintext fits. */
const INITIAL_CAPACITY = 1280;

/**
 * Lifetime: every field, the header objects and the bytes of `payloadBytes` are overwritten by the next
 * decodeInto with this object; copy what must outlive it (`copyPayload()`). After decodeInto throws, the object
 * holds no message: `session` is undefined, `payloadLength` 0, the headers' fields zero or undefined.
 */
export class ReceivedMessage {
  /** The session the message came on: a secure or unsecured session, or a group message's sender and key. */
  session: SecureSession | UnsecuredSession | GroupSource | undefined = undefined;
  readonly header: MessageHeader = emptyMessageHeader();
  readonly payloadHeader: PayloadHeader = emptyPayloadHeader();
  /** Owned by this object and grown when a larger message comes; the payload is `[payloadOffset, + payloadLength)`. */
  payloadBytes: Uint8Array;
  payloadOffset = 0;
  payloadLength = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 0x10000) {
      throw new RangeError(`capacity: expected an integer from 0 to 65536, got ${String(capacity)}`);
    }
    this.payloadBytes = new Uint8Array(capacity);
  }

  /** A view of the application payload (a small allocation; read payloadBytes at payloadOffset to avoid it). */
  get payload(): Uint8Array {
    return this.payloadBytes.subarray(this.payloadOffset, this.payloadOffset + this.payloadLength);
  }

  /** A copy of the application payload that outlives the next decodeInto. */
  copyPayload(): Uint8Array {
    return this.payloadBytes.slice(this.payloadOffset, this.payloadOffset + this.payloadLength);
  }

  /** The payload buffer with room for `length` bytes. @internal */
  reserve(length: number): Uint8Array {
    if (this.payloadBytes.length < length) this.payloadBytes = new Uint8Array(Math.max(length, this.payloadBytes.length * 2));
    return this.payloadBytes;
  }

  /** Forgets the message (after a failed decode). @internal */
  clear(): void {
    this.session = undefined;
    this.payloadOffset = this.payloadLength = 0;
    const h = this.header;
    h.sessionId = h.messageCounter = 0;
    h.sessionType = 0;
    h.privacy = h.control = false;
    h.sourceNodeId = h.destinationNodeId = h.destinationGroupId = h.extensions = undefined;
    const p = this.payloadHeader;
    p.exchangeId = p.protocolId = p.opcode = 0;
    p.initiator = p.needsAck = false;
    p.vendorId = p.ackedMessageCounter = p.securedExtensions = undefined;
  }
}
