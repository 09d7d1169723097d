// Matter over WebSocket: one message per binary frame, both ways. The socket is the connection: sessions opened over
// it are bound to this channel and close with it (their resumption records stay). Reliable: no MRP timers.
import type { MessageChannel } from '../protocol/message-channel.js';

export class WebSocketChannel implements MessageChannel {
  readonly reliable = true;
  readonly #listeners = new Set<(error?: unknown) => void>();
  #closed = false;

  constructor(readonly name: string, private readonly sendFrame: (frame: Uint8Array) => void) {}

  get closed(): boolean {
    return this.#closed;
  }

  send(datagram: Uint8Array): void {
    if (this.#closed) throw new Error(`${this.name}: closed`);
    this.sendFrame(datagram);
  }

  onClose(listener: (error?: unknown) => void): () => void {
    if (this.#closed) {
      queueMicrotask(() => listener());
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The socket closed (error undefined) or failed. */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener(error);
  }
}
