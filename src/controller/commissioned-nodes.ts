// The nodes a controller commissioned into its fabric (spec: an Administrator's view of the fabric's nodes), kept
// in the KeyValueStore so a new process finds them: operational node id, the last address that answered, and what
// the node said it is (vendor and product ids from Basic Information). One key per node, written atomically.
import type { KeyValueStore } from '../storage/key-value-store.js';

export interface NodeAddress {
  /** 'udp' today; the edge's HTTP and WebSocket endpoints are named by URL. */
  transport: 'udp' | 'http' | 'ws';
  /** UDP: an IP literal; HTTP/WebSocket: the URL. */
  host: string;
  /** UDP port (0 for URLs). */
  port: number;
}

export interface CommissionedNode {
  nodeId: bigint;
  fabricIndex: number;
  address: NodeAddress;
  vendorId: number;
  productId: number;
  /** Milliseconds since the epoch. */
  commissionedAt: number;
}

const PREFIX = 'controller/nodes/';
const key = (nodeId: bigint): string => `${PREFIX}${nodeId.toString(16).padStart(16, '0')}`;

export class UnknownNodeError extends Error {
  override name = 'UnknownNodeError';
  constructor(readonly nodeId: bigint) {
    super(`node ${nodeId} (0x${nodeId.toString(16)}) was not commissioned by this controller (no record in its store)`);
  }
}

export class CommissionedNodes {
  readonly #store: KeyValueStore;

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  async get(nodeId: bigint): Promise<CommissionedNode | undefined> {
    const bytes = await this.#store.get(key(nodeId));
    return bytes === undefined ? undefined : decode(bytes);
  }

  async require(nodeId: bigint): Promise<CommissionedNode> {
    const node = await this.get(nodeId);
    if (!node) throw new UnknownNodeError(nodeId);
    return node;
  }

  async list(): Promise<CommissionedNode[]> {
    const keys = await this.#store.list(PREFIX);
    const nodes = await Promise.all(keys.map(async (k) => this.#store.get(k)));
    return nodes.filter((b): b is Uint8Array => b !== undefined).map(decode);
  }

  async save(node: CommissionedNode): Promise<void> {
    await this.#store.set(key(node.nodeId), encode(node));
  }

  /** Remembers the address a node answered on last (spec: operational discovery may move it). */
  async updateAddress(nodeId: bigint, address: NodeAddress): Promise<void> {
    const node = await this.require(nodeId);
    if (node.address.host === address.host && node.address.port === address.port && node.address.transport === address.transport) return;
    await this.save({ ...node, address });
  }

  async remove(nodeId: bigint): Promise<boolean> {
    return this.#store.delete(key(nodeId));
  }

  /** The lowest operational node id not used yet, from `first` (node ids 1 .. 0xFFFF_FFEF_FFFF_FFFF are operational). */
  async nextNodeId(first: bigint): Promise<bigint> {
    const used = new Set((await this.list()).map((n) => n.nodeId));
    let id = first;
    while (used.has(id)) id += 1n;
    return id;
  }
}

function encode(node: CommissionedNode): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    v: 1, nodeId: node.nodeId.toString(), fabricIndex: node.fabricIndex, address: node.address,
    vendorId: node.vendorId, productId: node.productId, commissionedAt: node.commissionedAt,
  }));
}

function decode(bytes: Uint8Array): CommissionedNode {
  const o = JSON.parse(new TextDecoder().decode(bytes));
  if (o.v !== 1) throw new Error(`unknown commissioned-node record version ${String(o.v)}`);
  return {
    nodeId: BigInt(o.nodeId), fabricIndex: o.fabricIndex, address: o.address, vendorId: o.vendorId,
    productId: o.productId, commissionedAt: o.commissionedAt,
  };
}
