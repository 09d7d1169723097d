// The controller's own fabric (Matter Core spec 2.5.1 "Fabric", 6.4 "Node Operational Credentials"): the root CA
// it signs NOCs with, the fabric id, the IPK epoch key it hands every node in AddNOC, and its own operational
// identity (node id, NOC, key) that CASE presents. Created once and kept in the KeyValueStore, so a new process is
// the same administrator: the root key and the operational key are secrets, stored only in the controller's own
// store (FileStore keeps its directory 0700).
import { compressedFabricId, FabricAuthority, operationalIpk } from '../credentials/index.js';
import { generateP256KeyPair, type P256KeyPair } from '../crypto/index.js';
import type { CaseFabric } from '../protocol/case/case-fabric.js';
import type { Fabric } from '../session/fabric-table.js';
import type { KeyValueStore } from '../storage/key-value-store.js';

const KEY = 'controller/fabric';
/** The controller's local index for its own fabric; it administers one fabric. */
export const CONTROLLER_FABRIC_INDEX = 1;
/** Matter's test vendor id (spec 2.5.2: 0xFFF1..0xFFF4 are for testing). */
export const TEST_VENDOR_ID = 0xfff1;

export interface ControllerFabricOptions {
  /** Default: random 64-bit (not 0). */
  fabricId?: bigint;
  /** The controller's operational node id. Default: random in the operational range. */
  nodeId?: bigint;
  /** AdminVendorId sent in AddNOC. Default 0xFFF1 (test vendor). */
  vendorId?: number;
}

export class ControllerFabric {
  readonly fabricIndex = CONTROLLER_FABRIC_INDEX;

  private constructor(
    readonly fabricId: bigint,
    readonly nodeId: bigint,
    readonly vendorId: number,
    readonly authority: FabricAuthority,
    /** The IPK epoch key (16 bytes) of group key set 0, sent in AddNOC. */
    readonly ipkEpochKey: Uint8Array,
    readonly operationalKey: P256KeyPair,
    readonly noc: Uint8Array,
  ) {}

  get rcac(): Uint8Array { return this.authority.rcac; }
  get icac(): Uint8Array | undefined { return this.authority.icac; }
  get rootPublicKey(): Uint8Array { return this.authority.rootPublicKey; }
  get compressedFabricId(): Uint8Array { return compressedFabricId(this.rootPublicKey, this.fabricId); }
  get operationalIpk(): Uint8Array { return operationalIpk(this.ipkEpochKey, this.compressedFabricId); }

  /** Loads the controller's fabric from `store`, or creates and stores one. */
  static async loadOrCreate(store: KeyValueStore, options: ControllerFabricOptions = {}): Promise<ControllerFabric> {
    const stored = await store.get(KEY);
    if (stored) {
      const fabric = ControllerFabric.#decode(stored);
      if (options.fabricId !== undefined && options.fabricId !== fabric.fabricId) {
        throw new RangeError(`fabricId: the store already holds fabric 0x${fabric.fabricId.toString(16)}, not 0x${options.fabricId.toString(16)}`);
      }
      return fabric;
    }
    const fabricId = options.fabricId ?? randomId(1n, 0xffff_ffff_ffff_fffen);
    const nodeId = options.nodeId ?? randomId(1n, 0xffff_ffef_ffff_ffffn);
    const vendorId = options.vendorId ?? TEST_VENDOR_ID;
    if (fabricId === 0n) throw new RangeError('fabricId: 0 is not a valid fabric id');
    const authority = FabricAuthority.create({ fabricId });
    const operationalKey = generateP256KeyPair();
    const noc = authority.issueNoc({ publicKey: operationalKey.publicKey, nodeId, fabricId });
    const fabric = new ControllerFabric(fabricId, nodeId, vendorId, authority, crypto.getRandomValues(new Uint8Array(16)),
      operationalKey, noc);
    // setIfAbsent: two processes creating a fabric in the same store at once end with one of them.
    if (!await store.setIfAbsent(KEY, fabric.#encode())) return ControllerFabric.loadOrCreate(store, options);
    return fabric;
  }

  /** The fabric as the SessionManager knows it. */
  sessionFabric(): Fabric {
    return { fabricIndex: this.fabricIndex, fabricId: this.fabricId, nodeId: this.nodeId, compressedFabricId: this.compressedFabricId, ipk: this.operationalIpk };
  }

  /** The fabric as CASE needs it. */
  caseFabric(): CaseFabric {
    return {
      fabricIndex: this.fabricIndex, fabricId: this.fabricId, nodeId: this.nodeId, rootPublicKey: this.rootPublicKey,
      operationalIpk: this.operationalIpk, rcac: this.rcac, icac: this.icac, noc: this.noc,
      operationalPrivateKey: this.operationalKey.privateKey,
    };
  }

  #encode(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({
      v: 1, fabricId: this.fabricId.toString(), nodeId: this.nodeId.toString(), vendorId: this.vendorId,
      authority: this.authority.toJSON(), ipkEpochKey: hex(this.ipkEpochKey),
      operationalKey: { privateKey: hex(this.operationalKey.privateKey), publicKey: hex(this.operationalKey.publicKey) },
      noc: hex(this.noc),
    }));
  }

  static #decode(bytes: Uint8Array): ControllerFabric {
    const o = JSON.parse(new TextDecoder().decode(bytes));
    if (o.v !== 1) throw new Error(`controller fabric record: unknown version ${String(o.v)}`);
    return new ControllerFabric(BigInt(o.fabricId), BigInt(o.nodeId), o.vendorId, FabricAuthority.fromJSON(o.authority),
      unhex(o.ipkEpochKey), { privateKey: unhex(o.operationalKey.privateKey), publicKey: unhex(o.operationalKey.publicKey) },
      unhex(o.noc));
  }
}

function randomId(min: bigint, max: bigint): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return min + (value % (max - min + 1n));
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
