// Values at rest encrypted with a configured key: what a shared store (a fleet's Redis) holds of session secrets
// must be useless to whoever reads the store. AES-128-CCM from the core (the cipher Matter itself uses, spec
// "Data Confidentiality and Integrity"), with the value's key name as associated data, so a sealed value moved to
// another key (another session's, another realm's) fails to open instead of being taken for that key's value.
//
// Nonces: 13 random bytes per write. A counter would need state that survives exactly the failures this protects
// against (a store restarted or restored from a snapshot), and a nonce derived from the key name would repeat when
// the same name is written twice. With 104 random bits, after 2^32 writes under one key the chance that any two
// nonces collide is below 2^-40; rotate the fleet key long before 2^40 writes.
//
// Layout: version (1 byte, 1) | nonce (13) | ciphertext | tag (16).
import { AesCcmKey } from '../core/index.js';
import { AuthenticationError } from '../core/errors.js';
import type { KeyValueStore } from './key-value-store.js';

const VERSION = 1;
const NONCE_LENGTH = 13;
const TAG_LENGTH = 16;
const AAD_LABEL = 'matter-sessions sealed value v1\0';
const utf8 = new TextEncoder();

/** A stored value did not open under the configured key (another key, tampered, or moved from another name). */
export class SealedValueError extends Error {
  override name = 'SealedValueError';
}

export class ValueSealer {
  readonly #key: AesCcmKey;

  /** `key`: 16 bytes (AES-128). The bytes are copied into the core; wipe yours when done. */
  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== 16) {
      throw new TypeError(`fleetKey: expected 16 bytes (an AES-128 key), got ${key instanceof Uint8Array ? `${key.length} bytes` : typeof key}`);
    }
    this.#key = new AesCcmKey(key);
  }

  seal(name: string, value: Uint8Array): Uint8Array {
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
    const sealed = this.#key.seal(nonce, value, aadFor(name));
    const out = new Uint8Array(1 + NONCE_LENGTH + sealed.length);
    out[0] = VERSION;
    out.set(nonce, 1);
    out.set(sealed, 1 + NONCE_LENGTH);
    return out;
  }

  open(name: string, stored: Uint8Array): Uint8Array {
    if (stored.length < 1 + NONCE_LENGTH + TAG_LENGTH || stored[0] !== VERSION) {
      throw new SealedValueError(`${JSON.stringify(name)}: the stored value is not a sealed value (version ${VERSION})`);
    }
    try {
      // The core opens into a pooled result that later results reuse: copied out, then wiped, so the plaintext
      // (a parked handshake's secrets, a session's keys) stays only in the copy the caller wipes.
      const pooled = this.#key.open(stored.subarray(1, 1 + NONCE_LENGTH), stored.subarray(1 + NONCE_LENGTH), aadFor(name));
      const plain = pooled.slice();
      pooled.fill(0);
      return plain;
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw new SealedValueError(`${JSON.stringify(name)}: the stored value does not open with the configured key (another key, altered, or moved from another name)`);
      }
      throw error;
    }
  }

  /** Wipes the key in the core. */
  dispose(): void {
    this.#key.dispose();
  }
}

const aadFor = (name: string): Uint8Array => utf8.encode(AAD_LABEL + name);

/**
 * A view of `store` whose values are sealed, except those of keys `plain` names (counters kept with the store's
 * atomic increment, which must stay decimal: they are not secret). The sealing name is the key as given here.
 */
export function encryptedStore(store: KeyValueStore, sealer: ValueSealer, plain: (key: string) => boolean = () => false): KeyValueStore {
  return {
    get: async (key) => {
      const value = await store.get(key);
      return value === undefined || plain(key) ? value : sealer.open(key, value);
    },
    set: (key, value) => store.set(key, plain(key) ? value : sealer.seal(key, value)),
    delete: (key) => store.delete(key),
    list: (prefix) => store.list(prefix),
    setIfAbsent: (key, value) => store.setIfAbsent(key, plain(key) ? value : sealer.seal(key, value)),
    increment: (key, by) => {
      if (!plain(key)) return Promise.reject(new TypeError(`key: ${JSON.stringify(key)} is sealed; increment needs a plain counter key`));
      return store.increment(key, by);
    },
    close: () => store.close(),
  };
}
