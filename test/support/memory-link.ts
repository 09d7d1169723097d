// Two message channels joined in memory, delivering asynchronously like a network; each direction can drop
// datagrams on purpose, and the link can claim to be reliable (BTP/WebSocket-like) or not (UDP-like).
import type { MessageChannel } from '../../src/index.js';

export type DropRule = (datagram: Uint8Array, index: number) => boolean;

class LinkEnd implements MessageChannel {
  readonly #listeners = new Set<(error?: unknown) => void>();
  peer!: LinkEnd;
  receiver: ((datagram: Uint8Array, channel: LinkEnd) => void) | undefined;
  drop: DropRule = () => false;
  sent = 0;
  delivered: Uint8Array[] = [];
  closed = false;

  constructor(readonly name: string, readonly reliable: boolean) {}

  send(datagram: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.name}: closed`));
    const index = this.sent++;
    if (this.drop(datagram, index)) return Promise.resolve();
    const copy = datagram.slice();
    setTimeout(() => {
      if (this.peer.closed) return;
      this.peer.delivered.push(copy);
      this.peer.receiver?.(copy, this.peer);
    }, 1);
    return Promise.resolve();
  }

  onClose(listener: (error?: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of [...this.#listeners]) listener(error);
  }
}

export function memoryLink(reliable = false): { a: LinkEnd; b: LinkEnd } {
  const a = new LinkEnd('memory:a', reliable), b = new LinkEnd('memory:b', reliable);
  a.peer = b;
  b.peer = a;
  return { a, b };
}
