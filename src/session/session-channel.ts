// The connection a session came on (UDP peer, BLE link, WebSocket, HTTP client...). A session bound to a channel
// lives and dies with it: when the channel closes or fails, the session's keys are wiped and its id released;
// only its resumption record, if any, remains.

export interface SessionChannel {
  /** A label for logs and session information (e.g. "udp:[::1]:5540"). */
  readonly name: string;
  /**
   * Calls `listener` once when the channel closes (error undefined) or fails (with the error).
   * Returns a function that removes the listener.
   */
  onClose(listener: (error?: unknown) => void): () => void;
}

/** What every channel does on closing: tell each listener once; a listener added later is told at once. */
export class CloseSignal {
  readonly #listeners = new Set<(error?: unknown) => void>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  on(listener: (error?: unknown) => void): () => void {
    if (this.#closed) {
      queueMicrotask(() => listener());
      return () => {};
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Closes and notifies; returns false if it was already closed (nothing happens then). */
  fire(error?: unknown): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener(error);
    return true;
  }
}

/** A channel closed by its owner: `close(error?)` notifies every bound session once. */
export class ManualChannel implements SessionChannel {
  readonly #closing = new CloseSignal();

  constructor(readonly name: string) {}

  get closed(): boolean {
    return this.#closing.closed;
  }

  onClose(listener: (error?: unknown) => void): () => void {
    return this.#closing.on(listener);
  }

  close(error?: unknown): void {
    this.#closing.fire(error);
  }
}
