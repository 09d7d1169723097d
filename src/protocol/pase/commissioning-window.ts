// The commissioning window's failure rule (Core spec "Commissioning Window": after 20 failed PASE attempts the
// commissionee stops accepting them; SDK CommissioningWindowManager::kMaxFailedCommissioningAttempts). The SDK closes
// the window until someone reopens it; an endpoint that must stay reachable closes it instead for a back-off that
// doubles with each closure up to a cap, and reopens it by itself when the back-off ends.

export interface CommissioningWindowBackoff {
  /** The first closure (ms). Default 10 s. */
  initialMs?: number;
  /** Each closure doubles the previous one up to this (ms). Default 10 min. */
  maxMs?: number;
}

export interface CommissioningWindowOptions {
  /** Failed passcode confirmations before the window closes. Default 20 (the SDK's figure). */
  maxFailedAttempts?: number;
  /** How long the window stays closed; `false`: closed until reopen() (the SDK's rule). */
  backoff?: CommissioningWindowBackoff | false;
  /** The clock (ms), injectable for tests. Default Date.now. */
  now?: () => number;
  /** Told of every change: a failure counted, the window closing or reopening. */
  onChange?: (state: CommissioningWindowState, change: CommissioningWindowChange) => void;
}

export type CommissioningWindowChange = 'failure' | 'closed' | 'reopened' | 'reset';

export interface CommissioningWindowState {
  open: boolean;
  /** Failed passcode confirmations since the window last opened. */
  failedAttempts: number;
  maxFailedAttempts: number;
  /** Closures since the back-off last reset (a success or an administrator's reopen resets it). */
  closures: number;
  /** Failures counted in all (monotonic, for metrics). */
  totalFailures: number;
  /** When a closed window reopens by itself (clock ms), if it will. */
  reopensAt?: number;
  /** Milliseconds until then: 0 when open, Infinity when only reopen() opens it. */
  retryAfterMs: number;
}

export const DEFAULT_MAX_FAILED_ATTEMPTS = 20;
const DEFAULT_BACKOFF_INITIAL_MS = 10_000;
const DEFAULT_BACKOFF_MAX_MS = 600_000;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name}: expected a positive integer, got ${String(value)}`);
  return value;
}

export class CommissioningWindow {
  readonly #maxFailed: number;
  readonly #backoff: { initialMs: number; maxMs: number } | undefined;
  readonly #now: () => number;
  readonly #onChange: CommissioningWindowOptions['onChange'];
  #failed = 0;
  #totalFailures = 0;
  #closures = 0;
  /** undefined: open; a number: closed until then; Infinity: closed until reopen(). */
  #closedUntil: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: CommissioningWindowOptions = {}) {
    this.#maxFailed = positiveInteger('maxFailedAttempts', options.maxFailedAttempts ?? DEFAULT_MAX_FAILED_ATTEMPTS);
    if (options.backoff === false) {
      this.#backoff = undefined;
    } else {
      const initialMs = positiveInteger('backoff.initialMs', options.backoff?.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS);
      const maxMs = positiveInteger('backoff.maxMs', options.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS);
      if (maxMs < initialMs) throw new RangeError(`backoff.maxMs: expected at least initialMs (${initialMs}), got ${maxMs}`);
      this.#backoff = { initialMs, maxMs };
    }
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
  }

  /** Open now? A back-off that has run out reopens the window here, whether or not its timer fired yet. */
  get open(): boolean {
    this.#refresh();
    return this.#closedUntil === undefined;
  }

  get state(): CommissioningWindowState {
    const open = this.open;
    const until = this.#closedUntil;
    return {
      open, failedAttempts: this.#failed, maxFailedAttempts: this.#maxFailed, closures: this.#closures,
      totalFailures: this.#totalFailures,
      ...(until !== undefined && Number.isFinite(until) ? { reopensAt: until } : {}),
      retryAfterMs: until === undefined ? 0 : Math.max(0, until - this.#now()),
    };
  }

  /** One failed passcode confirmation; the one that reaches the limit closes the window. */
  recordFailure(): void {
    if (!this.open) return; // nothing is served while closed, but a handshake begun before may still end
    this.#failed++;
    this.#totalFailures++;
    this.#emit('failure');
    if (this.#failed >= this.#maxFailed) this.#close();
  }

  /** A pairing succeeded: whoever holds the passcode is here, so the next closure starts short again. */
  recordSuccess(): void {
    this.#closures = 0;
  }

  /** Opens the window now (an administrator's decision, or a new passcode): failures and back-off start over. */
  reopen(): void {
    const wasOpen = this.open;
    this.#failed = 0;
    this.#closures = 0;
    this.#closedUntil = undefined;
    this.#clearTimer();
    this.#emit(wasOpen ? 'reset' : 'reopened');
  }

  /** Stops the reopening timer (the owner is closing). */
  dispose(): void {
    this.#clearTimer();
  }

  #close(): void {
    this.#closures++;
    if (!this.#backoff) {
      this.#closedUntil = Infinity;
    } else {
      const { initialMs, maxMs } = this.#backoff;
      const duration = Math.min(maxMs, initialMs * 2 ** Math.min(this.#closures - 1, 30));
      this.#closedUntil = this.#now() + duration;
      this.#schedule(duration);
    }
    this.#emit('closed');
  }

  #refresh(): void {
    if (this.#closedUntil === undefined || this.#closedUntil > this.#now()) return;
    this.#closedUntil = undefined;
    this.#failed = 0;
    this.#clearTimer();
    this.#emit('reopened');
  }

  /** A timer so the reopening is announced when it happens; the clock decides (see `open`), not the timer. */
  #schedule(delayMs: number): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#refresh();
      if (this.#closedUntil !== undefined && Number.isFinite(this.#closedUntil)) {
        this.#schedule(Math.max(1, this.#closedUntil - this.#now()));
      }
    }, delayMs);
    // Node: a closed window must not keep the process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #emit(change: CommissioningWindowChange): void {
    this.#onChange?.(this.state, change);
  }
}
