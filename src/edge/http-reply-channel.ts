// Matter over HTTP: each POST carries one message and its response carries the reply, if any. HTTP has no
// connection to bind sessions to, so sessions opened over HTTP are bound to the realm's HttpReplyChannel, which
// closes only with the realm. Replies do not go through it: each request gets its own HttpRequestChannel, the
// message is dispatched with it, and its exchange answers on the channel its peer's message came through (spec
// "Message Exchanges": a reply belongs to the exchange, not to the session). So a reply reaches the request that
// caused it and no other, even when two clients chose the same session id or one client has several requests in
// flight. HTTP is reliable: no MRP timers run over it.
import type { MessageChannel } from '../protocol/message-channel.js';
import { CloseSignal } from '../session/session-channel.js';

/** The channel one HTTP request's message is dispatched with: its first outgoing message is that request's reply. */
export class HttpRequestChannel implements MessageChannel {
  readonly reliable = true;
  #settle: ((reply: Uint8Array | undefined) => void) | undefined;
  /** Resolves with the reply, or undefined when the request ended without one. */
  readonly reply: Promise<Uint8Array | undefined>;

  constructor(private readonly realm: HttpReplyChannel, /** When the request stops waiting (ms since the epoch). */ readonly deadline: number) {
    this.reply = new Promise((resolve) => { this.#settle = resolve; });
  }

  get name(): string {
    return this.realm.name;
  }

  /** Whether the request has its answer (or gave up): later messages have no request to ride on. */
  get answered(): boolean {
    return this.#settle === undefined;
  }

  send(datagram: Uint8Array): void {
    // A second message (a late standalone ack) cannot follow the first: an HTTP response carries one body.
    this.#end(datagram);
  }

  /** Ends the request without a reply (nothing to answer, or the wait was capped). */
  giveUp(): void {
    this.#end(undefined);
  }

  #end(reply: Uint8Array | undefined): void {
    const settle = this.#settle;
    if (!settle) return;
    this.#settle = undefined;
    this.realm.ended(this, reply);
    settle(reply);
  }

  onClose(listener: (error?: unknown) => void): () => void {
    return this.realm.onClose(listener);
  }
}

/** The realm's HTTP channel: what HTTP sessions are bound to, and where per-request channels come from. */
export class HttpReplyChannel implements MessageChannel {
  readonly reliable = true;
  readonly #closing = new CloseSignal();
  readonly #pending = new Set<HttpRequestChannel>();
  /** One timer for every pending request, rather than one per request: a timer each cost more than the rest of its wait. */
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(readonly name: string, readonly onSent: (datagram: Uint8Array) => void = () => {}) {}

  /**
   * A channel for one request; it answers undefined if the realm closes first, or once `capMs` have passed (checked
   * every quarter second at most, so the cap may be overrun by that much).
   */
  request(capMs: number): HttpRequestChannel {
    const channel = new HttpRequestChannel(this, Date.now() + capMs);
    if (this.#closing.closed) {
      channel.giveUp();
      return channel;
    }
    this.#pending.add(channel);
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(1, Math.min(250, capMs)));
    return channel;
  }

  #sweep(): void {
    const now = Date.now();
    for (const channel of this.#pending) if (channel.deadline <= now) channel.giveUp();
    if (this.#pending.size === 0) this.#stopSweeping();
  }

  #stopSweeping(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** A request's channel got its reply or gave up. @internal */
  ended(channel: HttpRequestChannel, reply: Uint8Array | undefined): void {
    this.#pending.delete(channel);
    if (reply) this.onSent(reply);
  }

  /** A message sent outside any request (the edge speaking first): HTTP cannot push it, so it is dropped. */
  send(_datagram: Uint8Array): void {}

  onClose(listener: (error?: unknown) => void): () => void {
    return this.#closing.on(listener);
  }

  close(): void {
    if (this.#closing.closed) return;
    for (const channel of [...this.#pending]) channel.giveUp();
    this.#stopSweeping();
    this.#closing.fire();
  }
}
