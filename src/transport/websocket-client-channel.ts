// The client end of Matter over WebSocket: one message per binary frame. Works with the browser's WebSocket and
// with any object of the same shape (the `ws` package in Node). The socket is the connection: sessions bound to
// this channel close with it. Reliable: no MRP timers.
import type { MessageChannel } from '../protocol/message-channel.js';
import { CloseSignal } from '../session/session-channel.js';

/** The part of the WebSocket API this channel uses. */
export interface WebSocketLike {
  binaryType: string;
  readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: { data?: unknown }) => void): void;
}

export class WebSocketClientChannel implements MessageChannel {
  readonly reliable = true;
  readonly name: string;
  readonly #closing = new CloseSignal();

  private constructor(private readonly socket: WebSocketLike, url: string,
    receive: (message: Uint8Array, channel: WebSocketClientChannel) => void) {
    this.name = url; // the URL names the channel already (no "ws:ws://...")
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => {
      const data = event.data;
      if (data instanceof ArrayBuffer) receive(new Uint8Array(data), this);
      else if (ArrayBuffer.isView(data)) receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), this);
    });
    socket.addEventListener('close', () => this.#closeOnce());
    socket.addEventListener('error', () => this.#closeOnce(new Error(`${this.name}: connection failed`)));
  }

  /** Opens the socket (`create` makes it: `(url) => new WebSocket(url)`), resolving once it is open. */
  static connect(url: string, receive: (message: Uint8Array, channel: WebSocketClientChannel) => void,
    create: (url: string) => WebSocketLike): Promise<WebSocketClientChannel> {
    const socket = create(url);
    const channel = new WebSocketClientChannel(socket, url, receive);
    return new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(channel));
      socket.addEventListener('error', () => reject(new Error(`${channel.name}: could not connect`)));
      socket.addEventListener('close', () => reject(new Error(`${channel.name}: closed before it opened`)));
    });
  }

  send(datagram: Uint8Array): void {
    if (this.#closing.closed) throw new Error(`${this.name}: closed`);
    this.socket.send(datagram);
  }

  onClose(listener: (error?: unknown) => void): () => void {
    return this.#closing.on(listener);
  }

  #closeOnce(error?: unknown): void {
    this.#closing.fire(error);
  }

  close(): void {
    this.socket.close(1000, 'done');
    this.#closeOnce();
  }
}
