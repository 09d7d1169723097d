// The clock and timers of the commissioning state (fail-safe expiry, commissioning window timeout), injectable so
// tests move time on instead of waiting minutes (spec §11.10.7.2: fail-safes last up to 900 s).
export interface DeviceScheduler {
  /** Milliseconds, monotonic enough for timeouts. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemScheduler: DeviceScheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A device's timers must not keep a process alive that has nothing else to do.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A scheduler whose time moves only when told: `advance(ms)` runs every timer that falls due, in order. */
export class ManualScheduler implements DeviceScheduler {
  #now = 0;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward, running due timers (earliest first). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const timer of this.#timers) if (timer[1].at <= target && (!due || timer[1].at < due[1].at)) due = timer;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = target;
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }
}
