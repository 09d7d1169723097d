// A restartable one-shot timer on the universal setTimeout, so BTP runs in every JavaScript runtime.

export class BtpTimerHandle {
  #handle: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly ms: number, private readonly onExpire: () => void) {}

  get running(): boolean {
    return this.#handle !== undefined;
  }

  /** Starts the timer unless it already runs. */
  start(): void {
    if (this.#handle !== undefined) return;
    this.#handle = setTimeout(() => {
      this.#handle = undefined;
      this.onExpire();
    }, this.ms);
  }

  restart(): void {
    this.stop();
    this.start();
  }

  stop(): void {
    if (this.#handle === undefined) return;
    clearTimeout(this.#handle);
    this.#handle = undefined;
  }
}
