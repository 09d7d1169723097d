// Routes decoded messages to exchanges and opens exchanges: the layer between the transports, which hand it
// datagrams with the channel they came on, and the protocols (PASE, Interaction Model), which talk in exchanges.
import type { PayloadHeader } from '../codec/payload-header.js';
import type { AnySession, DecodedMessage, SessionManager } from '../session/session-manager.js';
import { SecureSession } from '../session/secure-session.js';
import { DuplicateMessageError } from '../session/session-errors.js';
import { UnsecuredSession } from '../session/unsecured-session.js';
import { Exchange, type ExchangeHost, type ExchangeMessage } from './exchange.js';
import { isMessageChannel, type MessageChannel } from './message-channel.js';
import { isCloseSession } from './close-session.js';
import { ProtocolId, SecureChannelOpcode } from './protocol-ids.js';

/** Handles an exchange the peer opened, starting with its first message. */
export type ProtocolHandler = (exchange: Exchange, first: ExchangeMessage) => void | Promise<void>;

export interface ExchangeManagerOptions {
  /** Told about every message that decoded (for metrics and tracing). */
  onMessage?: (message: DecodedMessage, channel: MessageChannel) => void;
  /** Told about every datagram that was dropped (malformed, unknown session, failed authentication...). */
  onDropped?: (error: unknown, channel: MessageChannel) => void;
  /** Told about errors of protocol handlers. */
  onHandlerError?: (error: unknown) => void;
}

export class ExchangeManager {
  readonly sessions: SessionManager;
  readonly #handlers = new Map<number, ProtocolHandler>();
  /** session -> "exchangeId/weInitiated" -> exchange */
  readonly #exchanges = new Map<AnySession, Map<string, Exchange>>();
  readonly #options: ExchangeManagerOptions;
  readonly #host: ExchangeHost;
  #nextExchangeId = crypto.getRandomValues(new Uint16Array(1))[0]!;
  readonly #stopListening: () => void;

  constructor(sessions: SessionManager, options: ExchangeManagerOptions = {}) {
    this.sessions = sessions;
    this.#options = options;
    const manager = this;
    this.#host = {
      encode: (session, header, payload) => sessions.encode(session, header, payload),
      channelOf: (session) => manager.#channelOf(session),
      peerActive: (session) => session instanceof SecureSession && session.isPeerActive(Date.now()),
      forget: (exchange) => manager.#forget(exchange),
      onDefunct: (session) => { if (session instanceof SecureSession) sessions.markDefunct(session); },
      onWaiting: (exchange) => manager.#checkIdle(exchange.session),
    };
    this.#stopListening = sessions.events.on('sessionClosed', (session) => this.#abortAll(session, 'session closed'));
  }

  /** Routes exchanges the peer opens for `protocolId` to `handler`. */
  addProtocolHandler(protocolId: number, handler: ProtocolHandler): void {
    this.#handlers.set(protocolId, handler);
  }

  /** The handler `protocolId` is routed to now: a responder serving some opcodes passes the others on to it. */
  protocolHandler(protocolId: number): ProtocolHandler | undefined {
    return this.#handlers.get(protocolId);
  }

  /** Opens an exchange on a session, as its initiator. */
  initiate(session: AnySession): Exchange {
    this.#channelOf(session);
    const id = this.#nextExchangeId;
    this.#nextExchangeId = (this.#nextExchangeId + 1) & 0xffff;
    return this.#register(new Exchange(this.#host, session, id, true));
  }

  /** Takes one datagram from a transport. Never throws: what cannot be processed is dropped and reported. */
  receive(datagram: Uint8Array, channel: MessageChannel): void {
    let message: DecodedMessage;
    try {
      message = this.sessions.decode(datagram, channel);
    } catch (error) {
      if (error instanceof DuplicateMessageError && error.needsAck && error.payloadHeader) {
        this.#ackDuplicate(error, channel);
      }
      this.#options.onDropped?.(error, channel);
      return;
    }
    this.dispatch(message, channel);
  }

  /** Routes a message already decoded (and committed) to its exchange, or to a handler for a new exchange. */
  dispatch(message: DecodedMessage, channel: MessageChannel): void {
    this.#options.onMessage?.(message, channel);
    const { session, payloadHeader: ph } = message;
    if (!(session instanceof SecureSession || session instanceof UnsecuredSession)) {
      this.#options.onDropped?.(new Error('group messages are not routed to exchanges'), channel);
      return;
    }
    // The peer's I flag says who opened the exchange; ours is the opposite role.
    const existing = this.#exchanges.get(session)?.get(`${ph.exchangeId}/${!ph.initiator}`);
    if (existing) {
      existing.deliver(message, channel);
      return;
    }
    const standaloneAck = ph.protocolId === ProtocolId.secureChannel && ph.opcode === SecureChannelOpcode.standaloneAck;
    if (!ph.initiator || standaloneAck) {
      // A late message of an exchange we already closed: acknowledge it if asked, so the peer stops resending.
      if (ph.needsAck) this.#ackOnly(session, ph, message.header.messageCounter, channel);
      return;
    }
    const exchange = this.#register(new Exchange(this.#host, session, ph.exchangeId, false));
    exchange.deliver(message, channel);
    void exchange.next(0).then(async (first) => {
      if (isCloseSession(exchange, first)) {
        // The peer ended the session: acknowledge, then forget it (keys wiped, id released).
        await exchange.close();
        this.sessions.removeSession(session.id, 'peer-closed');
        return;
      }
      const handler = this.#handlers.get(ph.protocolId);
      if (!handler) {
        await exchange.close();
        return;
      }
      await handler(exchange, first);
    }).catch((error: unknown) => {
      this.#options.onHandlerError?.(error);
      void exchange.close();
    });
  }

  #register(exchange: Exchange): Exchange {
    let map = this.#exchanges.get(exchange.session);
    if (!map) this.#exchanges.set(exchange.session, (map = new Map()));
    map.set(`${exchange.id}/${exchange.isInitiator}`, exchange);
    return exchange;
  }

  #forget(exchange: Exchange): void {
    const map = this.#exchanges.get(exchange.session);
    if (map?.get(`${exchange.id}/${exchange.isInitiator}`) === exchange) map.delete(`${exchange.id}/${exchange.isInitiator}`);
    if (map?.size === 0) this.#exchanges.delete(exchange.session);
    this.#checkIdle(exchange.session);
  }

  readonly #idleWaiters = new Map<AnySession, Array<() => void>>();

  #isIdle(session: AnySession): boolean {
    for (const exchange of this.#exchanges.get(session)?.values() ?? []) {
      if (!exchange.closed && !exchange.waitingForPeer) return false;
    }
    return true;
  }

  #checkIdle(session: AnySession): void {
    const waiters = this.#idleWaiters.get(session);
    if (!waiters || !this.#isIdle(session)) return;
    this.#idleWaiters.delete(session);
    for (const resolve of waiters) resolve();
  }

  /**
   * Resolves once every exchange on the session waits for the peer or is closed: nothing more will be sent until
   * the peer speaks. A request/response transport (HTTP) uses it to know that no reply is coming.
   */
  whenIdle(session: AnySession): Promise<void> {
    // A message just dispatched is handled in a later microtask: look after those have run.
    return new Promise((resolve) => queueMicrotask(() => {
      if (this.#isIdle(session)) return resolve();
      const waiters = this.#idleWaiters.get(session) ?? [];
      waiters.push(resolve);
      this.#idleWaiters.set(session, waiters);
    }));
  }

  #channelOf(session: AnySession): MessageChannel {
    if (!isMessageChannel(session.channel)) throw new TypeError('session: it has no channel to send on');
    return session.channel;
  }

  #ackOnly(session: AnySession, received: PayloadHeader, counter: number, through?: MessageChannel): void {
    const header: PayloadHeader = {
      exchangeId: received.exchangeId, protocolId: ProtocolId.secureChannel, opcode: SecureChannelOpcode.standaloneAck,
      initiator: !received.initiator, needsAck: false, ackedMessageCounter: counter,
    };
    try {
      const channel = through ?? this.#channelOf(session);
      void Promise.resolve(channel.send(this.sessions.encode(session, header, new Uint8Array(0)))).catch(() => {});
    } catch (error) {
      this.#options.onDropped?.(error, through ?? this.#channelOf(session));
    }
  }

  /** A retransmission of a message we already processed: our ack was lost, so ack again. */
  #ackDuplicate(error: DuplicateMessageError, channel: MessageChannel): void {
    const session = error.sessionId === 0 ? undefined : this.sessions.getSession(error.sessionId);
    const target = session ?? this.#unsecuredFor(error);
    if (target && target.channel === channel) this.#ackOnly(target, error.payloadHeader!, error.header.messageCounter);
  }

  #unsecuredFor(error: DuplicateMessageError): UnsecuredSession | undefined {
    const node = error.header.sourceNodeId ?? error.header.destinationNodeId;
    return node === undefined ? undefined : this.sessions.getUnsecuredSession(node);
  }

  #abortAll(session: AnySession, why: string): void {
    const map = this.#exchanges.get(session);
    if (!map) return;
    for (const exchange of [...map.values()]) exchange.abort(new Error(`exchange ${exchange.id}: ${why}`));
    this.#exchanges.delete(session);
  }

  /** Aborts every exchange and stops listening to the session manager. */
  close(): void {
    for (const session of [...this.#exchanges.keys()]) this.#abortAll(session, 'exchange manager closed');
    this.#stopListening();
  }
}
