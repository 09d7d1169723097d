// Matter over WebSocket: one message per binary frame, both ways. The socket is the connection: sessions opened over
// it are bound to this channel and close with it (their resumption records stay). Reliable: no MRP timers.
import type { MessageChannel } from '../protocol/message-channel.js';
import { CloseSignal } from '../session/session-channel.js';

export class WebSocketChannel implements MessageChannel {
  readonly reliable = true;
  readonly #closing = new CloseSignal();

  constructor(readonly name: string, private readonly sendFrame: (frame: Uint8Array) => void) {}

  get closed(): boolean {
    return this.#closing.closed;
  }

  send(datagram: Uint8Array): void {
    if (this.closed) throw new Error(`${this.name}: closed`);
    this.sendFrame(datagram);
  }

  onClose(listener: (error?: unknown) => void): () => void {
    return this.#closing.on(listener);
  }

  /** The socket closed (error undefined) or failed. */
  close(error?: unknown): void {
    this.#closing.fire(error);
  }
}
