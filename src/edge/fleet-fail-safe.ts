// The fail-safe context of a realm's node shared by an edge fleet (Matter Core spec §11.10.7.2 "ArmFailSafe"): the
// device's SharedFailSafeStore (src/device/shared-fail-safe.ts) over the fleet's Redis. One key per realm, sealed
// with the fleet key (AES-128-CCM, the key name as AAD: the context holds the CSR's operational private key), written
// by compare-and-set on the sealed bytes read before (each seal draws a fresh nonce, so the bytes are the version),
// removed by Redis once the fail-safe's expiry and a grace period have passed.
import type { SharedFailSafeStore } from '../device/shared-fail-safe.js';
import type { ValueSealer } from '../storage/encrypted-store.js';
import type { FleetStore } from '../storage/fleet-store.js';

export interface FleetFailSafeParts {
  store: FleetStore;
  sealer: ValueSealer;
  /** The context's key in the store (also the sealing name). */
  key: string;
  /** Closes a session of the realm in the fleet's store, so every instance drops it. */
  endSession: (sessionId: number) => Promise<void>;
}

export function fleetFailSafe({ store, sealer, key, endSession }: FleetFailSafeParts): SharedFailSafeStore {
  return {
    load: async () => {
      const sealed = await store.get(key);
      return sealed ? { state: sealer.open(key, sealed), version: sealed } : undefined;
    },
    save: async (state, expected, ttlMs) => {
      const sealed = sealer.seal(key, state);
      return (await store.compareAndSet(key, expected, sealed, Math.max(1, Math.ceil(ttlMs)))) ? sealed : undefined;
    },
    end: (expected) => store.compareAndSet(key, expected, undefined),
    endSession,
  };
}
