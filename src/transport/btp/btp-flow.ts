// Sequence numbers, acknowledgements and receive windows of one open BTP session (spec "BTP Packet Sequencing",
// "BTP Flow Control"), apart from timers and I/O. Sequence numbers are 8-bit and wrap; every packet takes one,
// standalone acks and the handshake response included, and the peer acknowledges every one.
import { BtpProtocolError } from './btp-errors.js';

const NONE = 0xff; // "one before sequence number 0"

export class BtpFlow {
  #nextSend: number;
  #lastAckedByPeer = NONE;
  #nextReceive: number;
  #lastAckedByUs = NONE;
  #ackRequested = false;

  /**
   * `handshake` counts the packets the handshake already sequenced: the response is the peripheral's number 0,
   * so a peripheral starts with `{ sent: 1, received: 0 }` and a central with `{ sent: 0, received: 1 }`.
   */
  constructor(readonly windowSize: number, handshake: { sent: number; received: number }) {
    this.#nextSend = handshake.sent;
    this.#nextReceive = handshake.received;
  }

  /** Our packets the peer has not acknowledged yet. */
  get inFlight(): number {
    return (this.#nextSend - 1 - this.#lastAckedByPeer) & 0xff;
  }

  /** The peer's packets we have not acknowledged yet. */
  get owedAcks(): number {
    return (this.#nextReceive - 1 - this.#lastAckedByUs) & 0xff;
  }

  /** Checks a received packet's sequence number: anything but the next one is a protocol error. */
  receive(sequenceNumber: number): void {
    if (sequenceNumber !== this.#nextReceive) {
      throw new BtpProtocolError(`sequence number ${sequenceNumber} where ${this.#nextReceive} was due`);
    }
    this.#nextReceive = (sequenceNumber + 1) & 0xff;
  }

  /** Takes a received ack number: it must acknowledge at least one, and no more than all, of our packets in flight. */
  acknowledge(ackNumber: number): void {
    const newlyAcked = (ackNumber - this.#lastAckedByPeer) & 0xff;
    if (newlyAcked === 0 || newlyAcked > this.inFlight) {
      throw new BtpProtocolError(`ack ${ackNumber} matches none of our unacknowledged packets (${this.inFlight} after ${this.#lastAckedByPeer})`);
    }
    this.#lastAckedByPeer = ackNumber;
  }

  /** A data segment may go out: it leaves the last slot of the peer's window free, for an ack. */
  get canSendSegment(): boolean {
    return this.inFlight < this.windowSize - 1;
  }

  /** The send-ack timer expired: the owed ack goes out alone unless a segment carries it first. */
  requestAck(): void {
    this.#ackRequested = true;
  }

  /**
   * An owed ack must go out alone now (window permitting): its timer expired, or the peer may not send another
   * segment before we acknowledge (the SDK's immediate-ack threshold).
   */
  get mustSendAck(): boolean {
    const owed = this.owedAcks;
    return owed > 0 && (this.#ackRequested || owed >= this.windowSize - 1) && this.inFlight < this.windowSize;
  }

  /** Sequence number for the packet being built. */
  nextSequenceNumber(): number {
    const sequenceNumber = this.#nextSend;
    this.#nextSend = (sequenceNumber + 1) & 0xff;
    return sequenceNumber;
  }

  /** Ack number for the packet being built, if we owe one; from then on we owe nothing. */
  takeAck(): number | undefined {
    this.#ackRequested = false;
    if (this.owedAcks === 0) return undefined;
    this.#lastAckedByUs = (this.#nextReceive - 1) & 0xff;
    return this.#lastAckedByUs;
  }
}
