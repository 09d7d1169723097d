// Matter over HTTP: each POST carries one message and its response carries the reply, if any. HTTP has no
// connection to bind sessions to, so sessions opened over HTTP are bound to this per-realm channel, which closes
// only with the realm; a reply is routed to the request waiting on its session (by the peer's session id, or
// for handshakes by the initiator's ephemeral node id). HTTP is reliable: no MRP timers run over it.
import type { MessageChannel } from '../protocol/message-channel.js';
import { CloseSignal } from '../session/session-channel.js';
import { SecureSession } from '../session/secure-session.js';
import type { AnySession } from '../session/session-manager.js';

interface Waiter {
  resolve(reply: Uint8Array | undefined): void;
}

export class HttpReplyChannel implements MessageChannel {
  readonly reliable = true;
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #closing = new CloseSignal();

  constructor(readonly name: string, private readonly onSent: (datagram: Uint8Array) => void = () => {}) {}

  /** Where a reply to a message on `session` goes. */
  static replyKey(session: AnySession): string {
    return session instanceof SecureSession ? `s:${session.peerSessionId}` : `u:${session.ephemeralNodeId}`;
  }

  /** The reply key of an outgoing datagram, read from its clear header. */
  static keyOf(datagram: Uint8Array): string {
    const sessionId = datagram[1]! | (datagram[2]! << 8);
    if (sessionId !== 0) return `s:${sessionId}`;
    // Unsecured reply: DSIZ=1 carries the initiator's ephemeral id as destination (after the 8-byte header,
    // and after a source node id if one is present).
    const offset = 8 + (datagram[0]! & 0x04 ? 8 : 0);
    let id = 0n;
    for (let i = 7; i >= 0; i--) id = (id << 8n) | BigInt(datagram[offset + i] ?? 0);
    return `u:${id}`;
  }

  /**
   * Waits for the reply to a message on `session`: undefined once `idle` resolves with no reply (the handlers
   * wait for the peer: nothing to answer), or after `capMs` at the most.
   */
  awaitReply(session: AnySession, idle: Promise<void>, capMs: number): Promise<Uint8Array | undefined> {
    const key = HttpReplyChannel.replyKey(session);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
      };
      const giveUp = () => {
        const list = this.#waiters.get(key);
        const index = list?.indexOf(waiter) ?? -1;
        if (index < 0) return; // already answered
        list!.splice(index, 1);
        if (list!.length === 0) this.#waiters.delete(key);
        clearTimeout(timer);
        resolve(undefined);
      };
      const timer = setTimeout(giveUp, capMs);
      void idle.then(giveUp);
      const list = this.#waiters.get(key) ?? [];
      list.push(waiter);
      this.#waiters.set(key, list);
    });
  }

  send(datagram: Uint8Array): void {
    if (this.#closing.closed) return;
    const key = HttpReplyChannel.keyOf(datagram);
    const list = this.#waiters.get(key);
    const waiter = list?.shift();
    if (list?.length === 0) this.#waiters.delete(key);
    // A message nobody waits for (a late standalone ack) has no request to ride on: HTTP cannot push it.
    if (waiter) {
      this.onSent(datagram);
      waiter.resolve(datagram);
    }
  }

  onClose(listener: (error?: unknown) => void): () => void {
    return this.#closing.on(listener);
  }

  close(): void {
    if (this.#closing.closed) return;
    for (const list of this.#waiters.values()) for (const waiter of list) waiter.resolve(undefined);
    this.#waiters.clear();
    this.#closing.fire();
  }
}
