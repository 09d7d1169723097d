// Group keys (spec "Group Key Management"): per fabric, key sets of up to three epoch keys; each epoch key yields
// an operational key, a group session id and a privacy key. Groups map to key sets. An incoming group message is
// matched by its group session id, then decrypted by trial over the keys whose id matches (ids are 16-bit
// hashes, so several keys may share one).
import { AesCcmKey } from '../core/index.js';
import { deriveGroupKeys } from '../crypto/index.js';
import type { Fabric } from './fabric-table.js';

export interface EpochKey {
  /** 16 bytes. */
  key: Uint8Array;
  /** When the key becomes current (ms since the epoch, or any monotonic scale the caller uses consistently). */
  startTime: number;
}

export interface GroupKeySet {
  keySetId: number;
  epochKeys: EpochKey[];
}

/** One derived epoch key, ready to use. */
export interface GroupOperationalKey {
  fabricIndex: number;
  keySetId: number;
  startTime: number;
  groupSessionId: number;
  encryptionKey: AesCcmKey;
  privacyKey: AesCcmKey;
}

export class GroupKeysTable {
  /** fabricIndex -> keySetId -> derived keys, newest start time first. */
  readonly #keySets = new Map<number, Map<number, GroupOperationalKey[]>>();
  /** fabricIndex -> groupId -> keySetId */
  readonly #groups = new Map<number, Map<number, number>>();
  /** group session id -> candidate keys */
  readonly #bySessionId = new Map<number, GroupOperationalKey[]>();

  addKeySet(fabric: Fabric, keySet: GroupKeySet): void {
    const { keySetId, epochKeys } = keySet;
    if (!Number.isInteger(keySetId) || keySetId < 0 || keySetId > 0xffff) {
      throw new RangeError(`keySetId: expected an integer from 0 to 65535, got ${String(keySetId)}`);
    }
    if (!Array.isArray(epochKeys) || epochKeys.length < 1 || epochKeys.length > 3) {
      throw new RangeError('epochKeys: expected 1 to 3 epoch keys');
    }
    // Derive everything before changing anything, so a bad key leaves the table as it was.
    const derived = epochKeys.map(({ key, startTime }, i) => {
      if (typeof startTime !== 'number' || !Number.isFinite(startTime)) {
        throw new TypeError(`epochKeys[${i}].startTime: expected a number`);
      }
      const keys = deriveGroupKeys(key, fabric.compressedFabricId);
      return { operationalKey: keys.operationalKey, privacyKey: keys.privacyKey, groupSessionId: keys.sessionId, startTime };
    });
    this.removeKeySet(fabric.fabricIndex, keySetId);
    const entries: GroupOperationalKey[] = derived.map((d) => {
      const entry = {
        fabricIndex: fabric.fabricIndex, keySetId, startTime: d.startTime, groupSessionId: d.groupSessionId,
        encryptionKey: new AesCcmKey(d.operationalKey), privacyKey: new AesCcmKey(d.privacyKey),
      };
      d.operationalKey.fill(0);
      d.privacyKey.fill(0);
      return entry;
    }).sort((a, b) => b.startTime - a.startTime);
    let sets = this.#keySets.get(fabric.fabricIndex);
    if (!sets) this.#keySets.set(fabric.fabricIndex, (sets = new Map()));
    sets.set(keySetId, entries);
    for (const entry of entries) {
      const list = this.#bySessionId.get(entry.groupSessionId) ?? [];
      list.push(entry);
      this.#bySessionId.set(entry.groupSessionId, list);
    }
  }

  removeKeySet(fabricIndex: number, keySetId: number): boolean {
    const entries = this.#keySets.get(fabricIndex)?.get(keySetId);
    if (!entries) return false;
    this.#keySets.get(fabricIndex)!.delete(keySetId);
    for (const entry of entries) {
      const list = this.#bySessionId.get(entry.groupSessionId)!.filter((e) => e !== entry);
      if (list.length) this.#bySessionId.set(entry.groupSessionId, list);
      else this.#bySessionId.delete(entry.groupSessionId);
      entry.encryptionKey.dispose();
      entry.privacyKey.dispose();
    }
    return true;
  }

  mapGroup(fabricIndex: number, groupId: number, keySetId: number): void {
    if (!Number.isInteger(groupId) || groupId < 1 || groupId > 0xffff) {
      throw new RangeError(`groupId: expected an integer from 1 to 65535, got ${String(groupId)}`);
    }
    let groups = this.#groups.get(fabricIndex);
    if (!groups) this.#groups.set(fabricIndex, (groups = new Map()));
    groups.set(groupId, keySetId);
  }

  unmapGroup(fabricIndex: number, groupId: number): boolean {
    return this.#groups.get(fabricIndex)?.delete(groupId) ?? false;
  }

  isMapped(fabricIndex: number, groupId: number, keySetId: number): boolean {
    return this.#groups.get(fabricIndex)?.get(groupId) === keySetId;
  }

  /** Keys an incoming message with this group session id may be under. */
  candidates(groupSessionId: number): readonly GroupOperationalKey[] {
    return this.#bySessionId.get(groupSessionId) ?? [];
  }

  /**
   * The key to send to a group with: of its key set's epoch keys, the one with the latest start time that has
   * passed (spec: the current epoch key); the oldest if none has started yet.
   */
  currentKey(fabricIndex: number, groupId: number, now: number): GroupOperationalKey | undefined {
    const keySetId = this.#groups.get(fabricIndex)?.get(groupId);
    if (keySetId === undefined) return undefined;
    const entries = this.#keySets.get(fabricIndex)?.get(keySetId);
    if (!entries) return undefined;
    return entries.find((e) => e.startTime <= now) ?? entries[entries.length - 1];
  }

  removeFabric(fabricIndex: number): void {
    for (const keySetId of [...(this.#keySets.get(fabricIndex)?.keys() ?? [])]) this.removeKeySet(fabricIndex, keySetId);
    this.#keySets.delete(fabricIndex);
    this.#groups.delete(fabricIndex);
  }

  clear(): void {
    for (const fabricIndex of [...this.#keySets.keys()]) this.removeFabric(fabricIndex);
  }
}
