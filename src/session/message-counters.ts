// Outgoing message counters (spec "Message Counters"; the reference SDK's MessageCounter.h and GroupOutgoingCounters).
// A counter is part of the AES-CCM nonce, so under one key a value must never be handed out twice, across restarts
// and across processes sharing a store included.
import { uint32 } from '../core/arguments.js';
import type { KeyValueStore } from '../storage/key-value-store.js';

const MAX_COUNTER = 0xffffffff;
/** Counters start at a random value in [1, 2^28]: random in the low 28 bits, incremented before first use. */
const RANDOM_START_MASK = 0x0fffffff;

/** A secure session sent 0xFFFFFFFF messages: its counter may not wrap, so the session must be re-established. */
export class CounterExhaustedError extends Error {
  override name = 'CounterExhaustedError';
  constructor() {
    super('message counter exhausted at 0xFFFFFFFF: the session must be re-established');
  }
}

/** A random value in [0, 2^28 - 1]: the value before a new counter's first (spec: initial counter in [1, 2^28]). */
function randomCounterStart(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! & RANDOM_START_MASK;
}

/** A secure (PASE/CASE) session's counter: never wraps; after 0xFFFFFFFF every `next` throws CounterExhaustedError. */
export class SessionMessageCounter {
  #last: number;

  /** `start` is the value before the first one handed out (random by default). */
  constructor(start: number = randomCounterStart()) {
    this.#last = uint32('start', start);
  }

  get exhausted(): boolean {
    return this.#last === MAX_COUNTER;
  }

  next(): number {
    if (this.#last === MAX_COUNTER) throw new CounterExhaustedError();
    return ++this.#last;
  }
}

/** The node's global counter for unsecured (handshake) messages: wraps mod 2^32, which unencrypted traffic may. */
export class UnsecuredMessageCounter {
  #last: number;

  /** `start` is the value before the first one handed out (random by default). */
  constructor(start: number = randomCounterStart()) {
    this.#last = uint32('start', start);
  }

  next(): number {
    this.#last = (this.#last + 1) >>> 0;
    return this.#last;
  }
}

export interface PersistedMessageCounterOptions {
  store: KeyValueStore;
  /** The store key holding the highest value reserved so far (one key per counter: group data, group control). */
  key: string;
  /** Values reserved per store round trip; the SDK persists 1000 ahead. Values reserved and unused are skipped. */
  blockSize?: number;
}

const DEFAULT_BLOCK_SIZE = 1000;
/** Reserve the next block in the background once the current one is down to this fraction. */
const PREFETCH_FRACTION = 0.5;

/**
 * A group (data or control) counter whose values are reserved ahead in a KeyValueStore with the atomic `increment`:
 * each reservation claims the block (previous bound, new bound] for this instance alone, so neither a restart (a new
 * instance on the same store) nor other instances sharing the store ever get the same value. Values roll over mod
 * 2^32, as group counters may.
 *
 * `next()` returns a number synchronously while the reserved block lasts and the next block is fetched in the
 * background before it runs out; it returns a promise only on the first call and when the store fell behind.
 */
export class PersistedMessageCounter {
  readonly #store: KeyValueStore;
  readonly #key: string;
  readonly #blockSize: number;
  /** The next value to hand out and the last one reserved, as the store counts (not yet reduced mod 2^32). */
  #next = 1;
  #end = 0;
  /** The bound of a block reserved ahead, not yet in use. */
  #spareEnd: number | undefined;
  #reserving: Promise<void> | undefined;
  #seeded = false;

  constructor({ store, key, blockSize = DEFAULT_BLOCK_SIZE }: PersistedMessageCounterOptions) {
    if (typeof key !== 'string' || key === '') throw new TypeError('key: expected a non-empty string');
    if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > 0x7fffffff) {
      throw new RangeError(`blockSize: expected an integer from 1 to 2147483647, got ${String(blockSize)}`);
    }
    this.#store = store;
    this.#key = key;
    this.#blockSize = blockSize;
  }

  next(): number | Promise<number> {
    const value = this.#take();
    return value === undefined ? this.#nextAfterReserving() : value;
  }

  #take(): number | undefined {
    if (this.#next > this.#end) {
      if (this.#spareEnd === undefined) return undefined;
      this.#next = this.#spareEnd - this.#blockSize + 1;
      this.#end = this.#spareEnd;
      this.#spareEnd = undefined;
    }
    const value = this.#next++;
    const runningLow = this.#end - value < this.#blockSize * PREFETCH_FRACTION;
    if (runningLow && this.#spareEnd === undefined && this.#reserving === undefined) {
      // A failed prefetch is retried, and reported, by the call that actually needs the block.
      this.#reserve().catch(() => undefined);
    }
    return value >>> 0;
  }

  async #nextAfterReserving(): Promise<number> {
    for (;;) {
      await this.#reserve();
      const value = this.#take();
      if (value !== undefined) return value;
    }
  }

  /** One reservation at a time; concurrent callers share it. */
  #reserve(): Promise<void> {
    this.#reserving ??= this.#reserveBlock().finally(() => {
      this.#reserving = undefined;
    });
    return this.#reserving;
  }

  async #reserveBlock(): Promise<void> {
    if (!this.#seeded) {
      // Whichever instance stores first picks the random start; the others find it there.
      await this.#store.setIfAbsent(this.#key, new TextEncoder().encode(String(randomCounterStart())));
      this.#seeded = true;
    }
    const end = await this.#store.increment(this.#key, this.#blockSize);
    if (!Number.isSafeInteger(end) || end < this.#blockSize) {
      throw new RangeError(`store returned ${String(end)} for increment of ${this.#key}: counter values would repeat`);
    }
    if (this.#next > this.#end) {
      this.#next = end - this.#blockSize + 1;
      this.#end = end;
    } else {
      this.#spareEnd = end;
    }
  }
}
