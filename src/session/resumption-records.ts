// CASE resumption records (spec "Session Resumption"): what lets a peer resume without a full handshake. One
// stored entry per peer (fabric + node id), replaced when that peer gets a new one, capped with least-recently-used
// eviction, and loaded at start. Session keys themselves are never stored.
import type { KeyValueStore } from '../storage/key-value-store.js';
import { resolveSessionParameters, type SessionParameters } from './session-parameters.js';

export interface ResumptionRecord {
  fabricIndex: number;
  peerNodeId: bigint;
  /** 16 bytes; the key Sigma1 looks the record up by. */
  resumptionId: Uint8Array;
  /** 32 bytes: the shared secret of the CASE session the record resumes. */
  sharedSecret: Uint8Array;
  caseAuthenticatedTags: number[];
  peerSessionParameters: SessionParameters;
  /** Milliseconds since the epoch of the last save or resumption; the eviction order. */
  lastUsed: number;
}

const PREFIX = 'resumption/';
/** Shared records only: resumption id -> the peer key of the record holding it. */
const ID_PREFIX = 'resumption-id/';
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const peerKey = (fabricIndex: number, nodeId: bigint): string =>
  `${PREFIX}${fabricIndex.toString().padStart(3, '0')}/${nodeId.toString(16).padStart(16, '0')}`;

function encode(record: ResumptionRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    v: 1,
    fabricIndex: record.fabricIndex,
    peerNodeId: record.peerNodeId.toString(),
    resumptionId: hex(record.resumptionId),
    sharedSecret: hex(record.sharedSecret),
    caseAuthenticatedTags: record.caseAuthenticatedTags,
    peerSessionParameters: record.peerSessionParameters,
    lastUsed: record.lastUsed,
  }));
}

function decode(bytes: Uint8Array): ResumptionRecord {
  const o = JSON.parse(new TextDecoder().decode(bytes));
  if (o.v !== 1) throw new Error(`unknown resumption record version ${String(o.v)}`);
  return {
    fabricIndex: o.fabricIndex,
    peerNodeId: BigInt(o.peerNodeId),
    resumptionId: unhex(o.resumptionId),
    sharedSecret: unhex(o.sharedSecret),
    caseAuthenticatedTags: o.caseAuthenticatedTags,
    peerSessionParameters: resolveSessionParameters(o.peerSessionParameters),
    lastUsed: o.lastUsed,
  };
}

/** Resumption ids are looked up, not secret: a plain comparison is enough. */
function equalIds(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkRecord(record: ResumptionRecord): void {
  if (!(record.resumptionId instanceof Uint8Array) || record.resumptionId.length !== 16) {
    throw new TypeError('record.resumptionId: expected a Uint8Array of 16 bytes');
  }
  if (!(record.sharedSecret instanceof Uint8Array) || record.sharedSecret.length !== 32) {
    throw new TypeError('record.sharedSecret: expected a Uint8Array of 32 bytes');
  }
  if (typeof record.peerNodeId !== 'bigint') throw new TypeError('record.peerNodeId: expected a bigint');
  if (!Number.isInteger(record.fabricIndex) || record.fabricIndex < 1 || record.fabricIndex > 254) {
    throw new RangeError(`record.fabricIndex: expected an integer from 1 to 254, got ${String(record.fabricIndex)}`);
  }
}

export class ResumptionRecords {
  readonly #byPeer = new Map<string, ResumptionRecord>();
  readonly #byId = new Map<string, ResumptionRecord>();

  private constructor(private readonly store: KeyValueStore, private readonly capacity: () => number, readonly shared: boolean) {}

  /** Loads every stored record; records that do not decode are reported and skipped, never fatal. */
  static async load(store: KeyValueStore, capacity: () => number, onCorrupt: (key: string, error: unknown) => void,
    shared = false): Promise<ResumptionRecords> {
    const records = new ResumptionRecords(store, capacity, shared);
    for (const key of await store.list(PREFIX)) {
      const bytes = await store.get(key);
      if (!bytes) continue;
      try {
        records.#remember(decode(bytes));
      } catch (error) {
        onCorrupt(key, error);
      }
    }
    return records;
  }

  #remember(record: ResumptionRecord): void {
    this.#byPeer.set(peerKey(record.fabricIndex, record.peerNodeId), record);
    this.#byId.set(hex(record.resumptionId), record);
  }

  #forget(record: ResumptionRecord): void {
    this.#byPeer.delete(peerKey(record.fabricIndex, record.peerNodeId));
    if (this.#byId.get(hex(record.resumptionId)) === record) this.#byId.delete(hex(record.resumptionId));
  }

  get size(): number {
    return this.#byPeer.size;
  }

  /**
   * Saves (or replaces) the peer's record, then evicts the least recently used beyond capacity. The store is
   * written before memory changes, so a failed write leaves both as they were.
   */
  async save(record: ResumptionRecord): Promise<void> {
    checkRecord(record);
    const copy: ResumptionRecord = {
      ...record,
      resumptionId: record.resumptionId.slice(),
      sharedSecret: record.sharedSecret.slice(),
      caseAuthenticatedTags: [...record.caseAuthenticatedTags],
      peerSessionParameters: { ...record.peerSessionParameters },
    };
    await this.store.set(peerKey(copy.fabricIndex, copy.peerNodeId), encode(copy));
    const previous = this.#byPeer.get(peerKey(copy.fabricIndex, copy.peerNodeId));
    if (this.shared) {
      // The index is written after the record: a lookup by the new id never finds the index without the record.
      await this.store.set(`${ID_PREFIX}${hex(copy.resumptionId)}`, new TextEncoder().encode(peerKey(copy.fabricIndex, copy.peerNodeId)));
      if (previous && !equalIds(previous.resumptionId, copy.resumptionId)) await this.store.delete(`${ID_PREFIX}${hex(previous.resumptionId)}`);
    }
    if (previous) this.#forget(previous);
    this.#remember(copy);
    await this.#evictBeyondCapacity();
  }

  async #evictBeyondCapacity(): Promise<void> {
    const excess = this.#byPeer.size - this.capacity();
    if (excess <= 0) return;
    const oldest = [...this.#byPeer.values()].sort((a, b) => a.lastUsed - b.lastUsed).slice(0, excess);
    for (const record of oldest) await this.remove(record.fabricIndex, record.peerNodeId);
  }

  findById(resumptionId: Uint8Array): ResumptionRecord | undefined {
    return this.#byId.get(hex(resumptionId));
  }

  /**
   * Shared records: the record holding `resumptionId` now, read from the store (the id index, then the record, which
   * must still hold that id: a peer's record replaced elsewhere resumes nothing under its old id). Two reads per
   * lookup, whatever id a stranger sends.
   */
  async loadById(resumptionId: Uint8Array): Promise<ResumptionRecord | undefined> {
    const index = await this.store.get(`${ID_PREFIX}${hex(resumptionId)}`);
    if (!index) return undefined;
    const key = new TextDecoder().decode(index);
    if (!key.startsWith(PREFIX)) return undefined;
    const bytes = await this.store.get(key);
    if (!bytes) return undefined;
    const record = decode(bytes);
    if (!equalIds(record.resumptionId, resumptionId)) return undefined;
    const previous = this.#byPeer.get(key);
    if (previous) this.#forget(previous);
    this.#remember(record);
    return record;
  }

  findByNode(fabricIndex: number, peerNodeId: bigint): ResumptionRecord | undefined {
    return this.#byPeer.get(peerKey(fabricIndex, peerNodeId));
  }

  /** Marks a record used now (it resumed a session), so eviction keeps it longer. */
  touch(record: ResumptionRecord, now: number): void {
    record.lastUsed = now;
  }

  async remove(fabricIndex: number, peerNodeId: bigint): Promise<boolean> {
    const record = this.#byPeer.get(peerKey(fabricIndex, peerNodeId));
    if (!record) return false;
    await this.store.delete(peerKey(fabricIndex, peerNodeId));
    if (this.shared) await this.store.delete(`${ID_PREFIX}${hex(record.resumptionId)}`);
    this.#forget(record);
    return true;
  }

  async removeFabric(fabricIndex: number): Promise<number> {
    const records = [...this.#byPeer.values()].filter((r) => r.fabricIndex === fabricIndex);
    for (const record of records) await this.remove(record.fabricIndex, record.peerNodeId);
    return records.length;
  }

  all(): ResumptionRecord[] {
    return [...this.#byPeer.values()];
  }
}
