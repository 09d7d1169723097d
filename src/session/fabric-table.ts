// Fabrics are the realms sessions belong to: a CASE session exists only on a fabric this node has joined.
import { UnknownFabricError } from './session-errors.js';

export interface Fabric {
  /** Local index, 1..254. */
  fabricIndex: number;
  fabricId: bigint;
  /** This node's operational node id on the fabric. */
  nodeId: bigint;
  /** 8 bytes, from the root public key and fabric id; salts the group keys. */
  compressedFabricId: Uint8Array;
  /** Identity protection key (16 bytes), the CASE salt prefix. */
  ipk?: Uint8Array | undefined;
}

export type FabricFactory = (fabricIndex: number) => Fabric | Promise<Fabric>;

function checkFabric(fabric: Fabric): Fabric {
  const { fabricIndex, fabricId, nodeId, compressedFabricId, ipk } = fabric;
  if (!Number.isInteger(fabricIndex) || fabricIndex < 1 || fabricIndex > 254) {
    throw new RangeError(`fabricIndex: expected an integer from 1 to 254, got ${String(fabricIndex)}`);
  }
  if (typeof fabricId !== 'bigint') throw new TypeError(`fabricId: expected a bigint, got ${typeof fabricId}`);
  if (typeof nodeId !== 'bigint') throw new TypeError(`nodeId: expected a bigint, got ${typeof nodeId}`);
  if (!(compressedFabricId instanceof Uint8Array) || compressedFabricId.length !== 8) {
    throw new TypeError('compressedFabricId: expected a Uint8Array of 8 bytes');
  }
  if (ipk !== undefined && (!(ipk instanceof Uint8Array) || ipk.length !== 16)) {
    throw new TypeError('ipk: expected a Uint8Array of 16 bytes');
  }
  return { fabricIndex, fabricId, nodeId, compressedFabricId: compressedFabricId.slice(), ipk: ipk?.slice() };
}

export class FabricTable {
  readonly #fabrics = new Map<number, Fabric>();

  /** `create`, when given, makes fabrics on first use (dynamic realms); without it unknown fabrics are errors. */
  constructor(private readonly create?: FabricFactory) {}

  add(fabric: Fabric): Fabric {
    const checked = checkFabric(fabric);
    if (this.#fabrics.has(checked.fabricIndex)) throw new RangeError(`fabricIndex: ${checked.fabricIndex} already exists`);
    this.#fabrics.set(checked.fabricIndex, checked);
    return checked;
  }

  /** Replaces a fabric's data (after a NOC update); returns the previous entry. */
  update(fabric: Fabric): Fabric {
    const checked = checkFabric(fabric);
    const previous = this.#fabrics.get(checked.fabricIndex);
    if (!previous) throw new UnknownFabricError(checked.fabricIndex);
    this.#fabrics.set(checked.fabricIndex, checked);
    return previous;
  }

  remove(fabricIndex: number): Fabric | undefined {
    const fabric = this.#fabrics.get(fabricIndex);
    this.#fabrics.delete(fabricIndex);
    return fabric;
  }

  get(fabricIndex: number): Fabric | undefined {
    return this.#fabrics.get(fabricIndex);
  }

  /** The fabric, created through the factory if dynamic creation is on; else UnknownFabricError. */
  async require(fabricIndex: number): Promise<Fabric> {
    const existing = this.#fabrics.get(fabricIndex);
    if (existing) return existing;
    if (!this.create) throw new UnknownFabricError(fabricIndex);
    const made = checkFabric(await this.create(fabricIndex));
    if (made.fabricIndex !== fabricIndex) {
      throw new RangeError(`fabric factory: asked for fabric ${fabricIndex}, got ${made.fabricIndex}`);
    }
    return this.#fabrics.get(fabricIndex) ?? this.add(made);
  }

  get size(): number {
    return this.#fabrics.size;
  }

  all(): Fabric[] {
    return [...this.#fabrics.values()];
  }
}
