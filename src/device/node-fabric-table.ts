// The node's fabric table (Matter Core spec §11.18 "Node Operational Credentials", §6.4 "Node Operational
// Credentials Specification"): for each fabric joined, the trusted root, the NOC (and ICAC), this node's
// operational key, the IPK epoch key, the admin's vendor id, the label, and the fabric's ACL entries. Kept in the
// node's KeyValueStore, one key per fabric, so a restarted node answers CASE for every fabric it had. A fabric added
// under an armed fail-safe is stored as pending: a node that restarts before CommissioningComplete drops it, which
// is the rollback the fail-safe promises (spec §11.10.7.2.2); when the store is shared with instances that share
// the fail-safe too, a pending fabric stays while the shared context is live (adoptPending, dropPendingRecords). It is the CASE responder's CaseFabricSource and keeps
// the SessionManager's fabric list in step.
import { compressedFabricId } from '../credentials/compressed-fabric-id.js';
import { createCaseFabric, sessionFabricOf, type CaseFabric, type CaseFabricSource } from '../protocol/case/case-fabric.js';
import type { SessionManager } from '../session/session-manager.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import type { AclEntry } from './access-control-entry.js';

export interface FabricRecord {
  fabricIndex: number;
  rcac: Uint8Array;
  icac?: Uint8Array | undefined;
  noc: Uint8Array;
  operationalPrivateKey: Uint8Array;
  ipkEpochKey: Uint8Array;
  /** AdminVendorId of AddNOC. */
  vendorId: number;
  label: string;
  /** Added under a fail-safe that has not completed: dropped when the node loads the table. */
  pending: boolean;
}

export interface FabricDescriptor {
  fabricIndex: number;
  rootPublicKey: Uint8Array;
  vendorId: number;
  fabricId: bigint;
  nodeId: bigint;
  label: string;
}

const FABRIC_PREFIX = 'device/fabrics/';
const ACL_KEY = 'device/acl';
const LAST_INDEX_KEY = 'device/last-fabric-index';
/** Shared tables only: bumped after every fabric or ACL write, so other instances notice (see refresh()). */
const GENERATION_KEY = 'device/fabrics-generation';
const fabricKey = (index: number) => `${FABRIC_PREFIX}${String(index).padStart(3, '0')}`;
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
const text = new TextEncoder(), untext = new TextDecoder();

interface Entry { record: FabricRecord; fabric: CaseFabric }

export class NodeFabricTable implements CaseFabricSource {
  readonly #entries = new Map<number, Entry>();
  #acl: AclEntry[] = [];
  /** The index AddNOC allocated last: indices are handed out in turn, not reused at once (as the SDK does). */
  #lastIndex = 0;
  /** Told after each committed add, update or remove (a DNS-SD layer re-derives its operational services). */
  readonly #listeners = new Set<() => void>();
  /** Shared: the generation the table was last read at (-1: never read since sharing began). */
  #shared = false;
  #seenGeneration = -1;
  #refreshing: Promise<boolean> | undefined;

  private constructor(readonly store: KeyValueStore, readonly sessions: SessionManager, readonly supportedFabrics: number) {}

  /** Loads every committed fabric and the ACL from the store (pending fabrics are dropped) and registers them. */
  /**
   * `keepPending`: the store is shared with instances that may be commissioning right now (an edge fleet with a
   * shared fail-safe): pending fabrics are neither loaded nor dropped here; the shared fail-safe decides
   * (adoptPending, dropPendingRecords).
   */
  static async load(store: KeyValueStore, sessions: SessionManager, options: { supportedFabrics?: number; keepPending?: boolean } = {}): Promise<NodeFabricTable> {
    const supported = options.supportedFabrics ?? 5;
    if (!Number.isInteger(supported) || supported < 5 || supported > 254) {
      throw new RangeError(`supportedFabrics: expected 5 to 254 (spec minimum 5), got ${String(supported)}`);
    }
    const table = new NodeFabricTable(store, sessions, supported);
    const dropped = new Set<number>();
    for (const key of await store.list(FABRIC_PREFIX)) {
      const bytes = await store.get(key);
      if (!bytes) continue;
      const record = parseRecord(untext.decode(bytes));
      if (record.pending) {
        if (options.keepPending) continue;
        dropped.add(record.fabricIndex);
        await store.delete(key);
        continue;
      }
      table.#install(record);
    }
    const last = await store.get(LAST_INDEX_KEY);
    if (last) table.#lastIndex = Number(untext.decode(last)) || 0;
    const acl = await store.get(ACL_KEY);
    if (acl) {
      table.#acl = (JSON.parse(untext.decode(acl)) as StoredAcl[]).map(parseAcl).filter((e) => !dropped.has(e.fabricIndex) && table.#entries.has(e.fabricIndex));
    }
    if (dropped.size > 0) await table.#saveAcl();
    return table;
  }

  /** Validates the chain and key (throws CertificateError / RangeError naming the problem); changes nothing. */
  #prepare(record: FabricRecord): CaseFabric {
    return createCaseFabric({
      fabricIndex: record.fabricIndex, rcac: record.rcac, noc: record.noc, operationalPrivateKey: record.operationalPrivateKey,
      ipkEpochKey: record.ipkEpochKey, ...(record.icac ? { icac: record.icac } : {}),
    });
  }

  #register(record: FabricRecord, fabric: CaseFabric): CaseFabric {
    const sessionFabric = sessionFabricOf(fabric);
    if (this.sessions.getFabric(record.fabricIndex)) this.sessions.updateFabric(sessionFabric);
    else this.sessions.addFabric(sessionFabric);
    this.#entries.set(record.fabricIndex, { record, fabric });
    return fabric;
  }

  #install(record: FabricRecord): CaseFabric {
    return this.#register(record, this.#prepare(record));
  }

  // ---- CaseFabricSource --------------------------------------------------------------------------------------------

  all(): Iterable<CaseFabric> {
    return [...this.#entries.values()].map((e) => e.fabric);
  }

  get(fabricIndex: number): CaseFabric | undefined {
    return this.#entries.get(fabricIndex)?.fabric;
  }

  // ---- the table ---------------------------------------------------------------------------------------------------

  get size(): number {
    return this.#entries.size;
  }

  record(fabricIndex: number): FabricRecord | undefined {
    return this.#entries.get(fabricIndex)?.record;
  }

  records(): FabricRecord[] {
    return [...this.#entries.values()].map((e) => e.record).sort((a, b) => a.fabricIndex - b.fabricIndex);
  }

  descriptor(fabricIndex: number): FabricDescriptor | undefined {
    const entry = this.#entries.get(fabricIndex);
    if (!entry) return undefined;
    const { fabric, record } = entry;
    return { fabricIndex, rootPublicKey: fabric.rootPublicKey, vendorId: record.vendorId, fabricId: fabric.fabricId, nodeId: fabric.nodeId, label: record.label };
  }

  /** The fabric with this root key and fabric id (spec: a node joins a fabric once), if any. */
  findByRoot(rootPublicKey: Uint8Array, fabricId: bigint): number | undefined {
    for (const { fabric } of this.#entries.values()) {
      if (fabric.fabricId === fabricId && fabric.rootPublicKey.every((b, i) => b === rootPublicKey[i])) return fabric.fabricIndex;
    }
    return undefined;
  }

  /**
   * The next free index after the last one allocated (1..254, wrapping), or undefined when `supportedFabrics` are in
   * use. A removed fabric's index is not handed out again at once, so nothing left of it (a session closing a
   * moment later, a subscription) can be mistaken for the next fabric's.
   */
  nextFabricIndex(): number | undefined {
    if (this.#entries.size >= this.supportedFabrics) return undefined;
    for (let step = 1; step <= 254; step++) {
      const index = ((this.#lastIndex + step - 1) % 254) + 1;
      if (!this.#entries.has(index)) return index;
    }
    return undefined;
  }

  /** Validates the chain and key (throws CertificateError / RangeError), stores the fabric, registers it. */
  async add(record: FabricRecord): Promise<CaseFabric> {
    if (this.#entries.has(record.fabricIndex)) throw new RangeError(`fabricIndex: ${record.fabricIndex} is in use`);
    // Validated, then stored, then used: a bad chain or a failed write leaves the table as it was.
    const fabric = this.#prepare(record);
    await this.#save(record);
    await this.store.set(LAST_INDEX_KEY, text.encode(String(record.fabricIndex)));
    this.#lastIndex = record.fabricIndex;
    const added = this.#register(record, fabric);
    await this.#bump();
    this.#changed();
    return added;
  }

  /** Replaces a fabric's record (UpdateNOC, label, commit); the chain is validated again. */
  async update(record: FabricRecord): Promise<CaseFabric> {
    if (!this.#entries.has(record.fabricIndex)) throw new RangeError(`fabricIndex: no fabric ${record.fabricIndex}`);
    const fabric = this.#prepare(record);
    await this.#save(record);
    const updated = this.#register(record, fabric);
    await this.#bump();
    this.#changed();
    return updated;
  }

  /**
   * Removes the fabric: its stored record and ACL entries go, and (unless `keepSessions`, when the caller closes them
   * a moment later so a last response can leave) its sessions and resumption records.
   */
  async remove(fabricIndex: number, options: { keepSessions?: boolean } = {}): Promise<boolean> {
    const entry = this.#entries.get(fabricIndex);
    if (!entry) return false;
    this.#entries.delete(fabricIndex);
    if (!options.keepSessions && this.sessions.getFabric(fabricIndex)) await this.sessions.removeFabric(fabricIndex);
    await this.store.delete(fabricKey(fabricIndex));
    if (this.#acl.some((e) => e.fabricIndex === fabricIndex)) await this.setAcl(fabricIndex, []);
    await this.#bump();
    // The fabric's secrets are of no further use: wipe them (a handshake still holding the fabric fails to sign).
    entry.record.operationalPrivateKey.fill(0);
    entry.record.ipkEpochKey.fill(0);
    this.#changed();
    return true;
  }

  /** Calls `listener` after each change of the table's fabrics; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    // A listener's failure is its own: the table's change is already committed.
    for (const listener of this.#listeners) {
      try { listener(); } catch { /* ignored */ }
    }
  }

  async #save(record: FabricRecord): Promise<void> {
    await this.store.set(fabricKey(record.fabricIndex), text.encode(JSON.stringify({
      fabricIndex: record.fabricIndex, rcac: toHex(record.rcac), icac: record.icac ? toHex(record.icac) : undefined,
      noc: toHex(record.noc), operationalPrivateKey: toHex(record.operationalPrivateKey), ipkEpochKey: toHex(record.ipkEpochKey),
      vendorId: record.vendorId, label: record.label, pending: record.pending,
    })));
  }

  // ---- shared with other instances (an edge fleet) ---------------------------------------------------------------

  /**
   * The store is shared with other instances serving the same node (an edge fleet): each write here bumps a
   * generation counter, and refresh() reloads the table when another instance's write bumped it.
   */
  shareChanges(): void {
    this.#shared = true;
  }

  /**
   * Reads the generation (one store read); if another instance changed fabrics or the ACL since the last read, loads
   * them: fabrics committed elsewhere are installed, fabrics removed elsewhere removed here (their sessions closed),
   * the ACL replaced. Fabrics pending under a fail-safe elsewhere are not taken; this instance's own pending fabric
   * stays. Resolves whether anything was reloaded. Concurrent calls share one run.
   */
  refresh(): Promise<boolean> {
    if (!this.#shared) return Promise.resolve(false);
    this.#refreshing ??= this.#refresh().finally(() => { this.#refreshing = undefined; });
    return this.#refreshing;
  }

  async #refresh(): Promise<boolean> {
    const generation = Number(untext.decode((await this.store.get(GENERATION_KEY)) ?? new Uint8Array()) || 0);
    if (generation === this.#seenGeneration) return false;
    const stored = new Map<number, FabricRecord>();
    for (const key of await this.store.list(FABRIC_PREFIX)) {
      const bytes = await this.store.get(key);
      if (bytes) {
        const record = parseRecord(untext.decode(bytes));
        stored.set(record.fabricIndex, record);
      }
    }
    const acl = await this.store.get(ACL_KEY);
    const last = await this.store.get(LAST_INDEX_KEY);
    for (const [index, record] of stored) {
      const known = this.#entries.get(index);
      if (record.pending || (known && sameRecord(known.record, record))) continue;
      this.#install(record);
    }
    // A pending fabric gone from the store was rolled back (or committed under another record) elsewhere.
    for (const [index, entry] of [...this.#entries]) {
      if (stored.has(index)) continue;
      this.#entries.delete(index);
      if (this.sessions.getFabric(index)) await this.sessions.removeFabric(index);
      entry.record.operationalPrivateKey.fill(0);
      entry.record.ipkEpochKey.fill(0);
    }
    if (acl) this.#acl = (JSON.parse(untext.decode(acl)) as StoredAcl[]).map(parseAcl).filter((e) => this.#entries.has(e.fabricIndex));
    if (last) this.#lastIndex = Math.max(this.#lastIndex, Number(untext.decode(last)) || 0);
    this.#seenGeneration = generation;
    // Fabrics added or removed elsewhere change what this node advertises (DNS-SD operational services).
    this.#changed();
    return true;
  }

  /**
   * A fabric another instance added under the shared fail-safe (still pending): installed here from its stored
   * record, with the ACL as stored, so CASE and CommissioningComplete for it work on this instance too. Resolves
   * whether it is installed now.
   */
  async adoptPending(fabricIndex: number): Promise<boolean> {
    if (this.#entries.has(fabricIndex)) return true;
    const bytes = await this.store.get(fabricKey(fabricIndex));
    if (!bytes) return false;
    const record = parseRecord(untext.decode(bytes));
    if (!record.pending || this.#entries.has(fabricIndex)) return this.#entries.has(fabricIndex);
    this.#install(record);
    const acl = await this.store.get(ACL_KEY);
    if (acl) this.#acl = (JSON.parse(untext.decode(acl)) as StoredAcl[]).map(parseAcl).filter((e) => this.#entries.has(e.fabricIndex));
    this.#changed();
    return true;
  }

  /**
   * Removes every pending fabric record from the store (and from this table): called when no fail-safe is armed
   * anywhere, so they are left by an instance that crashed under its fail-safe. Resolves how many went.
   */
  async dropPendingRecords(): Promise<number> {
    await this.refresh();
    const dropped: number[] = [];
    for (const key of await this.store.list(FABRIC_PREFIX)) {
      const bytes = await this.store.get(key);
      if (!bytes) continue;
      const record = parseRecord(untext.decode(bytes));
      if (!record.pending) continue;
      await this.store.delete(key);
      record.operationalPrivateKey.fill(0);
      record.ipkEpochKey.fill(0);
      dropped.push(record.fabricIndex);
      const entry = this.#entries.get(record.fabricIndex);
      if (entry?.record.pending) {
        this.#entries.delete(record.fabricIndex);
        if (this.sessions.getFabric(record.fabricIndex)) await this.sessions.removeFabric(record.fabricIndex);
        entry.record.operationalPrivateKey.fill(0);
        entry.record.ipkEpochKey.fill(0);
      }
    }
    if (dropped.length === 0) return 0;
    await this.#saveAcl(this.#acl.filter((e) => !dropped.includes(e.fabricIndex)));
    this.#changed();
    return dropped.length;
  }

  async #bump(): Promise<void> {
    if (!this.#shared) return;
    // Our own write: the table here is what it says, so the next refresh need not reload for it, unless another
    // instance wrote in between (then the counter moved by more than one).
    const generation = await this.store.increment(GENERATION_KEY, 1);
    if (generation === this.#seenGeneration + 1) this.#seenGeneration = generation;
  }

  // ---- ACL ---------------------------------------------------------------------------------------------------------

  acl(): readonly AclEntry[] {
    return this.#acl;
  }

  aclOf(fabricIndex: number): AclEntry[] {
    return this.#acl.filter((e) => e.fabricIndex === fabricIndex);
  }

  /** Replaces one fabric's entries (a fabric-scoped list write), keeping the others. */
  async setAcl(fabricIndex: number, entries: readonly AclEntry[]): Promise<void> {
    await this.#saveAcl([...this.#acl.filter((e) => e.fabricIndex !== fabricIndex), ...entries.map((e) => ({ ...e, fabricIndex }))]);
  }

  /** Replaces the whole list (a fail-safe rollback restores the snapshot taken when it was armed). */
  async restoreAcl(entries: readonly AclEntry[]): Promise<void> {
    await this.#saveAcl(entries.filter((e) => this.#entries.has(e.fabricIndex)).map((e) => ({ ...e })));
  }

  /** Stores the list, then uses it (a failed write leaves the ACL as it was). */
  async #saveAcl(acl: AclEntry[] = this.#acl): Promise<void> {
    await this.store.set(ACL_KEY, text.encode(JSON.stringify(acl.map((e) => ({
      ...e, subjects: e.subjects?.map(String) ?? null,
    })))));
    this.#acl = acl;
    await this.#bump();
  }

  /** The compressed fabric id (operational instance name prefix) of a fabric. */
  compressedFabricId(fabricIndex: number): Uint8Array | undefined {
    const fabric = this.get(fabricIndex);
    return fabric ? compressedFabricId(fabric.rootPublicKey, fabric.fabricId) : undefined;
  }
}

type StoredAcl = Omit<AclEntry, 'subjects'> & { subjects: string[] | null };

function parseAcl(stored: StoredAcl): AclEntry {
  return { ...stored, subjects: stored.subjects === null ? null : stored.subjects.map((s) => BigInt(s)) };
}

function sameRecord(a: FabricRecord, b: FabricRecord): boolean {
  const same = (x: Uint8Array | undefined, y: Uint8Array | undefined) => (x === undefined || y === undefined ? x === y
    : x.length === y.length && x.every((v, i) => v === y[i]));
  return same(a.rcac, b.rcac) && same(a.icac, b.icac) && same(a.noc, b.noc) && same(a.ipkEpochKey, b.ipkEpochKey)
    && a.vendorId === b.vendorId && a.label === b.label && a.pending === b.pending;
}

function parseRecord(json: string): FabricRecord {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const need = (name: string) => {
    if (typeof raw[name] !== 'string') throw new TypeError(`stored fabric: ${name} is missing`);
    return fromHex(raw[name] as string);
  };
  return {
    fabricIndex: Number(raw.fabricIndex), rcac: need('rcac'), icac: typeof raw.icac === 'string' ? fromHex(raw.icac) : undefined,
    noc: need('noc'), operationalPrivateKey: need('operationalPrivateKey'), ipkEpochKey: need('ipkEpochKey'),
    vendorId: Number(raw.vendorId), label: String(raw.label ?? ''), pending: raw.pending === true,
  };
}
