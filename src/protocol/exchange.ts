// An exchange (spec "Message Exchanges"): one conversation on a session, named by an exchange id and the role of
// whoever opened it. It owns the reliable-messaging state of that conversation: at most one unacknowledged
// reliable message of ours, and at most one ack we owe the peer, piggy-backed on our next message when possible.
import type { PayloadHeader } from '../codec/payload-header.js';
import type { AnySession, DecodedMessage } from '../session/session-manager.js';
import { SecureSession } from '../session/secure-session.js';
import { DEFAULT_SESSION_PARAMETERS } from '../session/session-parameters.js';
import type { MessageChannel } from './message-channel.js';
import { ProtocolId, SecureChannelOpcode } from './protocol-ids.js';
import { MRP, retransmissionDelay } from './reliable-messaging.js';

export interface ExchangeMessage {
  protocolId: number;
  opcode: number;
  payload: Uint8Array;
  payloadHeader: PayloadHeader;
  messageCounter: number;
}

export class ExchangeTimeoutError extends Error {
  override name = 'ExchangeTimeoutError';
}

/** The peer did not acknowledge a reliable message after MRP's maximum transmissions. */
export class RetransmissionLimitError extends Error {
  override name = 'RetransmissionLimitError';
}

export class ExchangeClosedError extends Error {
  override name = 'ExchangeClosedError';
}

/** What an exchange needs from its manager. */
export interface ExchangeHost {
  encode(session: AnySession, payloadHeader: PayloadHeader, payload: Uint8Array): Uint8Array;
  channelOf(session: AnySession): MessageChannel;
  peerActive(session: AnySession): boolean;
  forget(exchange: Exchange): void;
  onDefunct(session: AnySession): void;
  /** The exchange now waits for the peer (its handler has nothing more to do until a message comes). */
  onWaiting(exchange: Exchange): void;
}

interface PendingReliable {
  counter: number;
  datagram: Uint8Array;
  transmissions: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve(): void;
  reject(error: Error): void;
}

export class Exchange {
  readonly #host: ExchangeHost;
  readonly #queue: ExchangeMessage[] = [];
  #waiter: { resolve(m: ExchangeMessage): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> | undefined } | undefined;
  #pendingReliable: PendingReliable | undefined;
  /** The counter of a peer's reliable message we have not acknowledged yet. */
  #owedAck: number | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /**
   * The channel the peer's latest message on this exchange came through: replies go back the same way. Over HTTP
   * that is the request that carried the message, so a reply never reaches another request on the same session.
   */
  #replyChannel: MessageChannel | undefined;

  constructor(host: ExchangeHost, readonly session: AnySession, readonly id: number, readonly isInitiator: boolean) {
    this.#host = host;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Waiting in next() for the peer: whoever drives this exchange has nothing to send until a message comes. */
  get waitingForPeer(): boolean {
    return this.#waiter !== undefined;
  }

  #channel(): MessageChannel {
    return this.#replyChannel ?? this.#host.channelOf(this.session);
  }

  /** Reliable (MRP) timers run only over unreliable channels; acks are still owed and sent everywhere. */
  get #unreliable(): boolean {
    return !this.#channel().reliable;
  }

  /**
   * Sends one message on this exchange. Over UDP it is sent reliably by default and the promise resolves when the
   * peer acknowledged it (or rejects with RetransmissionLimitError); over reliable channels it resolves once sent.
   */
  async send(opcode: number, payload: Uint8Array, options: { protocolId?: number; reliable?: boolean } = {}): Promise<void> {
    if (this.#closed) throw new ExchangeClosedError(`exchange ${this.id} is closed`);
    const reliable = (options.reliable ?? true) && this.#unreliable;
    if (reliable && this.#pendingReliable) throw new Error(`exchange ${this.id}: a reliable message is already in flight`);
    const ackedMessageCounter = this.#takeOwedAck();
    const header: PayloadHeader = {
      exchangeId: this.id, protocolId: options.protocolId ?? ProtocolId.secureChannel, opcode,
      initiator: this.isInitiator, needsAck: reliable, ackedMessageCounter,
    };
    const datagram = this.#host.encode(this.session, header, payload);
    const channel = this.#channel();
    if (!reliable) {
      await channel.send(datagram);
      return;
    }
    const counter = (datagram[4]! | (datagram[5]! << 8) | (datagram[6]! << 16) | (datagram[7]! << 24)) >>> 0;
    await new Promise<void>((resolve, reject) => {
      this.#pendingReliable = { counter, datagram, transmissions: 0, timer: undefined, resolve, reject };
      this.#transmit();
    });
  }

  #transmit(): void {
    const pending = this.#pendingReliable;
    if (!pending) return;
    if (pending.transmissions >= MRP.maxTransmissions) {
      this.#pendingReliable = undefined;
      this.#host.onDefunct(this.session);
      pending.reject(new RetransmissionLimitError(`no ack after ${MRP.maxTransmissions} transmissions on exchange ${this.id}`));
      return;
    }
    const peer = this.session instanceof SecureSession ? this.session.peerParameters : DEFAULT_SESSION_PARAMETERS;
    const delay = retransmissionDelay(peer, this.#host.peerActive(this.session), pending.transmissions);
    pending.transmissions++;
    Promise.resolve(this.#channel().send(pending.datagram)).catch((error: unknown) => {
      if (this.#pendingReliable === pending) {
        this.#pendingReliable = undefined;
        clearTimeout(pending.timer);
        pending.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    pending.timer = setTimeout(() => this.#transmit(), delay);
  }

  #takeOwedAck(): number | undefined {
    const owed = this.#owedAck;
    this.#owedAck = undefined;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    return owed;
  }

  /** Sends the owed ack on its own (opcode StandaloneAck, never reliable itself). */
  async #sendStandaloneAck(): Promise<void> {
    const counter = this.#takeOwedAck();
    if (counter === undefined) return;
    const header: PayloadHeader = {
      exchangeId: this.id, protocolId: ProtocolId.secureChannel, opcode: SecureChannelOpcode.standaloneAck,
      initiator: this.isInitiator, needsAck: false, ackedMessageCounter: counter,
    };
    await this.#channel().send(this.#host.encode(this.session, header, new Uint8Array(0)));
  }

  /** Called by the manager with each message for this exchange and the channel it came through. */
  deliver(message: DecodedMessage, channel?: MessageChannel): void {
    if (channel) this.#replyChannel = channel;
    const ph = message.payloadHeader;
    const acked = ph.ackedMessageCounter;
    if (acked !== undefined && this.#pendingReliable?.counter === acked) {
      const pending = this.#pendingReliable;
      this.#pendingReliable = undefined;
      clearTimeout(pending.timer);
      pending.resolve();
    }
    if (ph.needsAck) this.#owe(message.header.messageCounter);
    const standaloneAck = ph.protocolId === ProtocolId.secureChannel && ph.opcode === SecureChannelOpcode.standaloneAck;
    if (standaloneAck || this.#closed) return;
    const delivered: ExchangeMessage = {
      protocolId: ph.protocolId, opcode: ph.opcode, payload: message.payload, payloadHeader: ph,
      messageCounter: message.header.messageCounter,
    };
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve(delivered);
    } else {
      this.#queue.push(delivered);
    }
  }

  /** A reliable message from the peer: ack it on our next message, or on its own after the standalone timeout. */
  #owe(counter: number): void {
    if (this.#owedAck !== undefined && this.#owedAck !== counter) void this.#sendStandaloneAck().catch(() => {});
    this.#owedAck = counter;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = setTimeout(() => void this.#sendStandaloneAck().catch(() => {}), MRP.standaloneAckTimeoutMs);
  }

  /** The next message the peer sends on this exchange. */
  next(timeoutMs = 30_000): Promise<ExchangeMessage> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.reject(new ExchangeClosedError(`exchange ${this.id} is closed`));
    if (this.#waiter) return Promise.reject(new Error(`exchange ${this.id}: already waiting for a message`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new ExchangeTimeoutError(`exchange ${this.id}: no message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = { resolve, reject, timer };
      this.#host.onWaiting(this);
    });
  }

  /** Sends an ack still owed, stops retransmitting, and fails a pending next(). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#sendStandaloneAck();
    } catch {
      // The channel is gone; there is nobody left to acknowledge.
    }
    // The error is built only when someone waits: an Error captures a stack, a cost every ended exchange would pay.
    this.#abort(() => new ExchangeClosedError(`exchange ${this.id} is closed`));
  }

  /** Ends the exchange at once (its session or channel closed). @internal */
  abort(error: Error): void {
    this.#closed = true;
    this.#takeOwedAck();
    this.#abort(error);
  }

  #abort(why: Error | (() => Error)): void {
    const pending = this.#pendingReliable;
    const waiter = this.#waiter;
    this.#pendingReliable = undefined;
    this.#waiter = undefined;
    const error = pending || waiter ? (typeof why === 'function' ? why() : why) : undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(error!);
    }
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.reject(error!);
    }
    this.#host.forget(this);
  }
}
