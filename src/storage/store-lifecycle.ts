// What `close()` means for every store: operations already started finish, later ones reject.

export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
  constructor(store: string) {
    super(`${store} is closed`);
  }
}

export class StoreLifecycle {
  readonly #store: string;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(store: string) {
    this.#store = store;
  }

  run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closing) return Promise.reject(new StoreClosedError(this.#store));
    const result = operation();
    this.#inFlight.add(result);
    const forget = () => this.#inFlight.delete(result);
    result.then(forget, forget);
    return result;
  }

  /** Refuses new operations, waits for those in flight, then runs `release` once however often it is called. */
  close(release: () => void | Promise<void>): Promise<void> {
    this.#closing ??= Promise.allSettled(this.#inFlight).then(release);
    return this.#closing;
  }
}

/**
 * The backing store cannot be reached (a distributed store is down or cut off). `maybeApplied` says whether a write
 * might still have happened (the command was sent and no reply came). Edge endpoints answer 503.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  readonly maybeApplied: boolean;
  constructor(message: string, options: { maybeApplied: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.maybeApplied = options.maybeApplied;
  }
}
