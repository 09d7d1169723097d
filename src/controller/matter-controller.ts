// A controller for apps (Matter Core spec 2.11 "Administrator", 5.5 commissioning, 4.14.2 CASE): one fabric of its
// own, kept with the nodes it commissioned in a KeyValueStore, so a new process commissions, connects (CASE,
// resumed from the stored record when the node still has it) and reads, writes or invokes as the same
// administrator. Runtime-neutral: the transport that reaches a node's address is passed in.
import type { TlvElement } from '../codec/tlv.js';
import type { CommandInvocation } from '../clusters/cluster-definition.js';
import { OperationalCredentialsCluster as OperationalCredentials } from '../clusters/operational-credentials.js';
import { invoke, type InvokeResult } from '../interaction/invoke-client.js';
import { readAttribute } from '../interaction/read-client.js';
import { subscribe, type SubscribeOptions, type Subscription } from '../interaction/subscribe-client.js';
import type { AttributePath } from '../interaction/attribute-path.js';
import { writeAttribute } from '../interaction/write-client.js';
import type { ConcreteAttributePath } from '../interaction/attribute-path-syntax.js';
import { establishCase } from '../protocol/case/case-initiator.js';
import { closeSession } from '../protocol/close-session.js';
import { ExchangeManager } from '../protocol/exchange-manager.js';
import type { MessageChannel } from '../protocol/message-channel.js';
import type { SecureSession } from '../session/secure-session.js';
import { SessionManager, type SessionManagerOptions } from '../session/session-manager.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import { commissionDevice, type AttestationSummary, type CommissionDeviceOptions } from './commission-device.js';
import { CommissionedNodes, type CommissionedNode, type NodeAddress } from './commissioned-nodes.js';
import { ControllerFabric, type ControllerFabricOptions } from './controller-fabric.js';

/** How the controller reaches node addresses: UDP in Node (`udpControllerTransport` from matter-sessions/node). */
export interface ControllerTransport {
  /** Called once: where every received message goes, with the channel it came on. */
  listen(receive: (message: Uint8Array, channel: MessageChannel) => void): void;
  channelFor(address: NodeAddress): MessageChannel | Promise<MessageChannel>;
  close(): Promise<void>;
}

export interface MatterControllerOptions {
  /** Where the fabric (root key, NOC, IPK), commissioned nodes and resumption records live. */
  storage: KeyValueStore;
  transport: ControllerTransport;
  /** Used only when the store holds no fabric yet. */
  fabric?: ControllerFabricOptions;
  /** Per-message timeout (ms), default 10 s. */
  timeoutMs?: number;
  /** Passed to the SessionManager (limits, parameters, clock). */
  sessions?: Omit<SessionManagerOptions, 'storage' | 'fabrics'>;
}

export interface CommissionOptions extends Omit<CommissionDeviceOptions, 'nodeId'> {
  address: NodeAddress;
  /** Default: the lowest unused id from 1. */
  nodeId?: bigint;
}

export interface CommissionResult {
  nodeId: bigint;
  fabricId: bigint;
  vendorId: number;
  productId: number;
  attestation: AttestationSummary;
  timings: Record<string, number>;
}

export interface Connection {
  session: SecureSession;
  /** True when CASE resumed from a stored record (Sigma2_Resume accepted). */
  resumed: boolean;
}

export class MatterController {
  readonly #connections = new Map<bigint, Connection>();
  readonly #timeoutMs: number;
  #closed = false;

  private constructor(
    readonly fabric: ControllerFabric,
    readonly nodes: CommissionedNodes,
    readonly sessions: SessionManager,
    readonly exchanges: ExchangeManager,
    readonly transport: ControllerTransport,
    timeoutMs: number,
  ) {
    this.#timeoutMs = timeoutMs;
    sessions.events.on('sessionClosed', (session) => {
      for (const [nodeId, connection] of this.#connections) if (connection.session === session) this.#connections.delete(nodeId);
    });
  }

  static async open(options: MatterControllerOptions): Promise<MatterController> {
    const fabric = await ControllerFabric.loadOrCreate(options.storage, options.fabric);
    const sessions = await SessionManager.create({
      ...options.sessions, storage: options.storage, fabrics: { initial: [fabric.sessionFabric()] },
    });
    const exchanges = new ExchangeManager(sessions);
    options.transport.listen((message, channel) => exchanges.receive(message, channel));
    return new MatterController(fabric, new CommissionedNodes(options.storage), sessions, exchanges, options.transport,
      options.timeoutMs ?? 10_000);
  }

  /** Commissions the device at `address` into this controller's fabric and remembers it. */
  async commission(options: CommissionOptions): Promise<CommissionResult> {
    this.#checkOpen();
    const nodeId = options.nodeId ?? await this.nodes.nextNodeId(1n);
    if (await this.nodes.get(nodeId)) throw new RangeError(`nodeId: node ${nodeId} is already commissioned by this controller`);
    const channel = await this.transport.channelFor(options.address);
    const device = await commissionDevice(this.exchanges, channel, this.fabric, { timeoutMs: this.#timeoutMs, ...options, nodeId });
    const node: CommissionedNode = {
      nodeId, fabricIndex: this.fabric.fabricIndex, address: options.address, vendorId: device.vendorId,
      productId: device.productId, commissionedAt: Date.now(),
    };
    await this.nodes.save(node);
    this.#connections.set(nodeId, { session: device.session, resumed: false });
    return {
      nodeId, fabricId: this.fabric.fabricId, vendorId: device.vendorId, productId: device.productId,
      attestation: device.attestation, timings: device.timings,
    };
  }

  /** A CASE session to a commissioned node: the open one, else resumed from the stored record, else a full CASE. */
  async connect(nodeId: bigint, options: { address?: NodeAddress } = {}): Promise<Connection> {
    this.#checkOpen();
    const open = this.#connections.get(nodeId);
    if (open && !open.session.closed) return open;
    const node = await this.nodes.require(nodeId);
    const address = options.address ?? node.address;
    const channel = await this.transport.channelFor(address);
    const { session, resumed } = await establishCase(this.exchanges, channel, {
      fabric: this.fabric.caseFabric(), peerNodeId: nodeId, timeoutMs: this.#timeoutMs,
    });
    if (options.address) await this.nodes.updateAddress(nodeId, options.address);
    const connection = { session, resumed };
    this.#connections.set(nodeId, connection);
    return connection;
  }

  async read(nodeId: bigint, path: ConcreteAttributePath): Promise<TlvElement> {
    const { session } = await this.connect(nodeId);
    return readAttribute(this.exchanges, session, path, { timeoutMs: this.#timeoutMs });
  }

  /**
   * Subscribes to attributes of a node (spec §8.5 Subscribe Interaction) over its CASE session: resolves once the
   * priming report is in (`subscription.priming`); later reports come through `options.onReport` or by iterating.
   * The subscription ends with the session (close(), a node gone) or by `cancel()`.
   */
  async subscribe(nodeId: bigint, paths: readonly AttributePath[], options: Omit<SubscribeOptions, 'timeoutMs'> = {}): Promise<Subscription> {
    if (!Array.isArray(paths) || paths.length === 0) throw new TypeError('paths: expected a non-empty array of attribute paths');
    const { session } = await this.connect(nodeId);
    return subscribe(this.exchanges, session, paths, { ...options, timeoutMs: this.#timeoutMs });
  }

  async write(nodeId: bigint, path: ConcreteAttributePath, value: TlvElement, options: { timedRequestTimeoutMs?: number } = {}): Promise<void> {
    const { session } = await this.connect(nodeId);
    await writeAttribute(this.exchanges, session, { ...path, value }, { ...options, timeoutMs: this.#timeoutMs });
  }

  async invoke(nodeId: bigint, target: { endpoint: number } & CommandInvocation & { timedRequestTimeoutMs?: number }): Promise<InvokeResult> {
    const { session } = await this.connect(nodeId);
    return invoke(this.exchanges, session, { timeoutMs: this.#timeoutMs, ...target });
  }

  /**
   * Removes a node from the fabric: RemoveFabric for the fabric index the node gave us (spec 11.18.6.12), then
   * forgets it here. With `force`, the record goes even when the node cannot be reached.
   */
  async removeNode(nodeId: bigint, options: { force?: boolean } = {}): Promise<{ removedFromDevice: boolean }> {
    this.#checkOpen();
    await this.nodes.require(nodeId);
    let removedFromDevice = false;
    try {
      const { session } = await this.connect(nodeId);
      const index = OperationalCredentials.attributes.currentFabricIndex;
      const fabricIndex = index.type.decode(await readAttribute(this.exchanges, session,
        { endpoint: 0, cluster: OperationalCredentials.id, attribute: index.id }, { timeoutMs: this.#timeoutMs }), 'CurrentFabricIndex');
      const { removeFabric } = OperationalCredentials.commands;
      // The node drops this session as it leaves the fabric, so the answer may never come: sent, not awaited long.
      await invoke(this.exchanges, session, { endpoint: 0, ...removeFabric.encode({ fabricIndex }), timeoutMs: this.#timeoutMs })
        .catch((error) => { if (!session.closed) throw error; });
      removedFromDevice = true;
    } catch (error) {
      if (!options.force) throw error;
    }
    this.#connections.delete(nodeId);
    await this.sessions.removeResumptionRecord(this.fabric.fabricIndex, nodeId);
    await this.nodes.remove(nodeId);
    return { removedFromDevice };
  }

  /** Closes every session (CloseSession to the peer), then the transport and the session manager. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const { session } of this.#connections.values()) {
      if (!session.closed) await closeSession(this.exchanges, session).catch(() => undefined);
    }
    this.#connections.clear();
    this.exchanges.close();
    await this.transport.close();
    await this.sessions.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('MatterController: closed');
  }
}
