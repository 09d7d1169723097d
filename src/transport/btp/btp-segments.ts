// Splitting a Matter message into BTP segments and joining received segments back (spec "BTP Packet Format"):
// the first segment carries B and the message length, later ones C, the last one E as well (C|E, as the SDK and
// matter.js send it; a lone E is accepted too).
import { MAX_BTP_MESSAGE_SIZE } from './btp-constants.js';
import { packetHeaderSize, type BtpPacket } from './btp-codec.js';
import { BtpProtocolError } from './btp-errors.js';

/** One outgoing message, cut into segments one at a time (each segment's header depends on whether it carries an ack). */
export class OutgoingMessage {
  #offset = 0;

  constructor(readonly message: Uint8Array) {
    if (message.length === 0 || message.length > MAX_BTP_MESSAGE_SIZE) {
      throw new RangeError(`a Matter message over BTP must be 1-${MAX_BTP_MESSAGE_SIZE} bytes, not ${message.length}`);
    }
  }

  get done(): boolean {
    return this.#offset === this.message.length;
  }

  /** The next segment, as large as `fragmentSize` allows. */
  nextSegment(sequenceNumber: number, ackNumber: number | undefined, fragmentSize: number): BtpPacket {
    const beginsMessage = this.#offset === 0;
    const room = fragmentSize - packetHeaderSize(beginsMessage, ackNumber !== undefined);
    const payload = this.message.subarray(this.#offset, this.#offset + room);
    this.#offset += payload.length;
    return {
      sequenceNumber, beginsMessage, continuesMessage: !beginsMessage, endsMessage: this.done, payload,
      ...(ackNumber !== undefined && { ackNumber }),
      ...(beginsMessage && { messageLength: this.message.length }),
    };
  }
}

/** Joins the segments of one message at a time; any segment out of place is a BtpProtocolError. */
export class Reassembler {
  #buffer: Uint8Array | undefined;
  #received = 0;

  /** Takes the next data packet in sequence; returns the message it completes, if any. */
  accept(packet: BtpPacket): Uint8Array | undefined {
    if (packet.beginsMessage) {
      if (this.#buffer !== undefined) throw new BtpProtocolError('a new message began before the previous one ended');
      const length = packet.messageLength!;
      if (length > MAX_BTP_MESSAGE_SIZE) throw new BtpProtocolError(`message of ${length} bytes exceeds ${MAX_BTP_MESSAGE_SIZE}`);
      this.#buffer = new Uint8Array(length);
      this.#received = 0;
    } else if (this.#buffer === undefined) {
      throw new BtpProtocolError('a continuing segment without a first segment');
    }
    const buffer = this.#buffer;
    if (this.#received + packet.payload.length > buffer.length) {
      throw new BtpProtocolError(`segments exceed the announced message length of ${buffer.length} bytes`);
    }
    buffer.set(packet.payload, this.#received);
    this.#received += packet.payload.length;
    if (!packet.endsMessage) return undefined;
    if (this.#received !== buffer.length) {
      throw new BtpProtocolError(`message ended after ${this.#received} of its announced ${buffer.length} bytes`);
    }
    this.#buffer = undefined;
    return buffer;
  }
}
