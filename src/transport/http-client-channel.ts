// The client end of Matter over HTTP (the edge's POST /realms/:realm/messages): each message is one request; a 200
// response body is the reply, handed to the receiver like any received message. Reliable: no MRP timers.
import type { MessageChannel } from '../protocol/message-channel.js';
import { CloseSignal } from '../session/session-channel.js';

export class HttpClientChannel implements MessageChannel {
  readonly reliable = true;
  readonly name: string;
  readonly #closing = new CloseSignal();

  /** `url`: the realm's messages endpoint; `receive` gets every reply with this channel. */
  constructor(readonly url: string, private readonly receive: (reply: Uint8Array, channel: HttpClientChannel) => void,
    private readonly fetchImpl: typeof fetch = fetch) {
    this.name = url; // the URL names the channel already (no "http:http://...")
  }

  async send(datagram: Uint8Array): Promise<void> {
    if (this.#closing.closed) throw new Error(`${this.name}: closed`);
    const response = await this.fetchImpl(this.url, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: datagram as Uint8Array<ArrayBuffer>,
    });
    if (response.status === 200) {
      const reply = new Uint8Array(await response.arrayBuffer());
      queueMicrotask(() => this.receive(reply, this));
      return;
    }
    if (response.status === 204) return;
    let detail = `HTTP ${response.status}`;
    try {
      const body = await response.json() as { error?: string; detail?: string };
      detail = `HTTP ${response.status} ${body.error ?? ''}: ${body.detail ?? ''}`;
    } catch {
      // not JSON: the status is all there is
    }
    throw new Error(`${this.name}: ${detail}`);
  }

  onClose(listener: (error?: unknown) => void): () => void {
    return this.#closing.on(listener);
  }

  close(): void {
    this.#closing.fire();
  }
}
