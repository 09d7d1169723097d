// The two AES-128-CCM keys of a secure session (Matter "Session Keys": I2R and R2I, one per direction) as one small
// object: a node may hold thousands of idle sessions, and two AesCcmKey objects with a garbage-collection backstop
// each cost several times the JS heap of one pair. Seals with the sending key, opens with the receiving key.
import * as check from './arguments.js';
import { openInPlaceWith, openIntoWith, sealInPlaceWith, sealPrefixWith } from './aes-ccm-key.js';
import { core, memoryBytes, scratch } from './wasm-module.js';

function expand(key: Uint8Array): number {
  const at = scratch(16);
  memoryBytes().set(key, at);
  return core().keySlotCreate(at); // wipes the copy in scratch
}

function releaseSlots(send: number, receive: number): void {
  core().keySlotRelease(send);
  core().keySlotRelease(receive);
}

/** The live pairs' slots of one ledger, two entries per pair; what the backstop releases. */
interface LedgerSlots { slots: Int32Array; free: number[]; used: number }

const ledgers = new FinalizationRegistry<LedgerSlots>((ledger) => {
  for (let i = 0; i < ledger.used; i += 2) {
    if (ledger.slots[i] !== 0) releaseSlots(ledger.slots[i]!, ledger.slots[i + 1]!);
    ledger.slots[i] = ledger.slots[i + 1] = 0; // a pair that outlived its owner finds its entry gone
  }
});

/**
 * The garbage-collection backstop for many key pairs at once: an owner (a SessionManager) makes its pairs with its
 * ledger, and if the owner is collected without disposing them, their slots are wiped and released together. One
 * registration per owner instead of one per pair: 8 bytes of typed array per pair instead of a weak cell.
 */
export class KeySlotLedger {
  readonly #state: LedgerSlots = { slots: new Int32Array(64), free: [], used: 0 };

  constructor(owner: object) {
    ledgers.register(owner, this.#state);
  }

  /** @internal */
  add(send: number, receive: number): number {
    const state = this.#state;
    let at = state.free.pop();
    if (at === undefined) {
      if (state.used === state.slots.length) {
        const grown = new Int32Array(state.slots.length * 2);
        grown.set(state.slots);
        state.slots = grown;
      }
      at = state.used;
      state.used += 2;
    }
    state.slots[at] = send;
    state.slots[at + 1] = receive;
    return at;
  }

  /** Returns false when the backstop already released the entry's slots (they must not be released twice). @internal */
  remove(at: number, send: number): boolean {
    const state = this.#state;
    if (state.slots[at] !== send) return false;
    state.slots[at] = state.slots[at + 1] = 0;
    state.free.push(at);
    return true;
  }
}

// Pairs made without a ledger have a backstop of their own; both slots in one number (16-byte aligned addresses
// below 1 GiB: 26 bits each after dividing by 16), so the registration holds no extra object.
const SPAN = 2 ** 26;
const packable = (slot: number): boolean => slot % 16 === 0 && slot / 16 < SPAN;
const released = new FinalizationRegistry<number | readonly [number, number]>((held) => {
  if (typeof held === 'number') releaseSlots(Math.floor(held / SPAN) * 16, (held % SPAN) * 16);
  else releaseSlots(held[0], held[1]);
});

export class CcmKeyPair {
  #send: number;
  #receive: number;
  readonly #ledger: KeySlotLedger | undefined;
  readonly #entry: number;

  /**
   * Expands both 16-byte keys into slots of the core. Requires `await ready()`. With a ledger the pair is covered
   * by its owner's backstop, otherwise by its own.
   */
  constructor(sendKey: Uint8Array, receiveKey: Uint8Array, ledger?: KeySlotLedger) {
    check.bytesOfLength('sendKey', sendKey, 16);
    check.bytesOfLength('receiveKey', receiveKey, 16);
    this.#send = expand(sendKey);
    this.#receive = expand(receiveKey);
    this.#ledger = ledger;
    if (ledger) {
      this.#entry = ledger.add(this.#send, this.#receive);
    } else {
      this.#entry = -1;
      const held = packable(this.#send) && packable(this.#receive)
        ? (this.#send / 16) * SPAN + this.#receive / 16 : [this.#send, this.#receive] as const;
      released.register(this, held, this);
    }
  }

  get disposed(): boolean {
    return this.#send === 0;
  }

  /** Wipes both expanded keys inside the core. Idempotent. */
  dispose(): void {
    if (this.#send === 0) return;
    const live = this.#ledger ? this.#ledger.remove(this.#entry, this.#send) : released.unregister(this);
    if (live) releaseSlots(this.#send, this.#receive);
    this.#send = this.#receive = 0;
  }

  #slot(slot: number): number {
    if (slot === 0) throw new Error('CcmKeyPair: the keys were disposed');
    return slot;
  }

  /** AesCcmKey.sealInPlace with the sending key. */
  sealInPlace(message: Uint8Array, aadLength: number, plaintextLength: number, nonce: Uint8Array, tagLength = 16): number {
    return sealInPlaceWith(this.#slot(this.#send), message, aadLength, plaintextLength, nonce, tagLength);
  }

  /** AesCcmKey.openInPlace with the receiving key. */
  openInPlace(message: Uint8Array, aadLength: number, nonce: Uint8Array, tagLength = 16, messageLength?: number): number {
    return openInPlaceWith(this.#slot(this.#receive), message, aadLength, nonce, tagLength, messageLength);
  }

  /** sealPrefixWith (a message at the start of a larger buffer, no allocation) with the sending key. */
  sealPrefix(buffer: Uint8Array, aadLength: number, plaintextLength: number, nonce: Uint8Array, tagLength = 16): number {
    return sealPrefixWith(this.#slot(this.#send), buffer, aadLength, plaintextLength, nonce, tagLength);
  }

  /** openIntoWith (plaintext into a caller's buffer, no allocation) with the receiving key. */
  openInto(message: Uint8Array, messageLength: number, aadLength: number, nonce: Uint8Array, tagLength: number,
    output: Uint8Array, outputAt: number): number {
    return openIntoWith(this.#slot(this.#receive), message, messageLength, aadLength, nonce, tagLength, output, outputAt);
  }
}
