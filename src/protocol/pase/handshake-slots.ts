// The PASE handshakes a responder holds at once (SDK PASESession, one per slot). A stranger can open handshakes for
// the price of one small datagram each, so the table is bounded, and when it is full the newcomer takes the slot of
// a handshake that waits for its peer: first those that only got a PBKDFParamResponse (nothing spent on them but a
// session id and a few hundred bytes), then those past Pake2, the one waiting longest first in each group. A client
// that answers promptly keeps its slot under a flood as long as the table's size outlasts its round trip.

/** Where a handshake stands: our side computing or sending, or waiting for the peer's Pake1 or Pake3. */
export type HandshakeStage = 'working' | 'awaiting-pake1' | 'awaiting-pake3';

export interface HandshakeSlot {
  readonly stage: HandshakeStage;
  /** When it began waiting (ms), if it waits. */
  readonly waitingSince: number | undefined;
  /** Sets the stage; a waiting stage moves it behind every other waiting handshake. */
  enter(stage: HandshakeStage): void;
  /** Frees the slot (the handshake ended, however). */
  release(): void;
}

export class HandshakeSlots {
  readonly #capacity: number;
  readonly #evict: (victim: HandshakeSlot) => void;
  readonly #now: () => number;
  readonly #working = new Set<Slot>();
  // Maps keep insertion order, so the first entry of each is the one waiting longest.
  readonly #awaitingPake1 = new Map<Slot, true>();
  readonly #awaitingPake3 = new Map<Slot, true>();
  #evicted = 0;

  /** `evict` ends a handshake whose slot was taken; it must release() the slot, at once or soon. */
  constructor(capacity: number, evict: (victim: HandshakeSlot) => void, now: () => number = Date.now) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity: expected a positive integer, got ${String(capacity)}`);
    this.#capacity = capacity;
    this.#evict = evict;
    this.#now = now;
  }

  get size(): number {
    return this.#working.size + this.#awaitingPake1.size + this.#awaitingPake3.size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Handshakes whose slot went to a newcomer, in all. */
  get evicted(): number {
    return this.#evicted;
  }

  count(stage: HandshakeStage): number {
    return stage === 'working' ? this.#working.size : stage === 'awaiting-pake1' ? this.#awaitingPake1.size : this.#awaitingPake3.size;
  }

  /**
   * A slot for a new handshake, taking a waiting handshake's when full (with `evictWaiting`); undefined when every
   * slot is busy working (or full and eviction is off: a device's single slot answers busy instead).
   */
  acquire(evictWaiting: boolean): HandshakeSlot | undefined {
    if (this.size >= this.#capacity) {
      if (!evictWaiting) return undefined;
      const victim = first(this.#awaitingPake1) ?? first(this.#awaitingPake3);
      if (!victim) return undefined;
      this.#remove(victim);
      this.#evicted++;
      this.#evict(victim);
    }
    const slot = new Slot(this);
    this.#working.add(slot);
    return slot;
  }

  /** @internal */ move(slot: Slot, stage: HandshakeStage): void {
    if (!this.#remove(slot)) return; // released or evicted already
    if (stage === 'working') {
      this.#working.add(slot);
      slot.waitingSince = undefined;
    } else {
      (stage === 'awaiting-pake1' ? this.#awaitingPake1 : this.#awaitingPake3).set(slot, true);
      slot.waitingSince = this.#now();
    }
    slot.stage = stage;
  }

  /** @internal */ remove(slot: Slot): void {
    this.#remove(slot);
  }

  #remove(slot: Slot): boolean {
    return this.#working.delete(slot) || this.#awaitingPake1.delete(slot) || this.#awaitingPake3.delete(slot);
  }
}

class Slot implements HandshakeSlot {
  stage: HandshakeStage = 'working';
  waitingSince: number | undefined;
  constructor(private readonly table: HandshakeSlots) {}
  enter(stage: HandshakeStage): void {
    this.table.move(this, stage);
  }
  release(): void {
    this.table.remove(this);
  }
}

function first(map: Map<Slot, true>): Slot | undefined {
  for (const slot of map.keys()) return slot;
  return undefined;
}
