// A commissionable Matter node (Matter Core spec §5.5 "Commissioning Flows", §11 root-node clusters, §6.6 access
// control): the root endpoint's clusters (Descriptor, Basic Information, Access Control, General Commissioning,
// Operational Credentials, Administrator Commissioning) over a persisted fabric table, the app's endpoints, PASE while
// a commissioning window is open, CASE for every fabric joined, and the Interaction Model with the ACL enforced on
// every CASE request. Transport-neutral: the app hands it datagrams with the channel they came on (UDP, memory...).
//
//   const node = await MatterDeviceNode.create({ storage, passcode: 20202021, discriminator: 3840,
//     basicInformation: { vendorId: 0xfff1, ... }, allowTestAttestation: true, endpoints: [new OnOffLight().endpoint] });
//   udp.onDatagram((datagram, channel) => node.receive(datagram, channel));
import { ExchangeManager } from '../protocol/exchange-manager.js';
import type { MessageChannel } from '../protocol/message-channel.js';
import { CaseResponder } from '../protocol/case/case-responder.js';
import { InteractionStatusError } from '../interaction/interaction-status-error.js';
import { InteractionModelStatus } from '../interaction/status-codes.js';
import { InteractionServer, type AccessPath, type InteractionContext, type Privilege, type ServedCluster } from '../interaction/interaction-server.js';
import type { SecureSession } from '../session/secure-session.js';
import { SessionManager, type SessionManagerOptions } from '../session/session-manager.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import { AccessControlCluster } from '../clusters/access-control.js';
import { AdministratorCommissioningCluster } from '../clusters/administrator-commissioning.js';
import { BasicInformationCluster } from '../clusters/basic-information.js';
import { DescriptorCluster } from '../clusters/descriptor.js';
import { GeneralCommissioningCluster } from '../clusters/general-commissioning.js';
import { OperationalCredentialsCluster } from '../clusters/operational-credentials.js';
import { aclAllows } from './access-control-entry.js';
import { accessControlServer } from './access-control-server.js';
import { administratorCommissioningServer } from './administrator-commissioning-server.js';
import { checkAttestationCredentials, type AttestationCredentials, type CheckedAttestation } from './attestation-credentials.js';
import { basicInformationServer, type DeviceBasicInformation } from './basic-information-server.js';
import { CommissioningWindow } from './commissioning-window.js';
import { descriptorServer } from './descriptor-server.js';
import type { DeviceContext } from './device-context.js';
import type { DeviceEndpoint } from './device-endpoint.js';
import { systemScheduler, type DeviceScheduler } from './device-scheduler.js';
import { FailSafe, sessionIdentity, type FailSafeContext } from './fail-safe.js';
import { decodeSharedFailSafe, encodeSharedFailSafe, type SharedFailSafeStore } from './shared-fail-safe.js';
import { generalCommissioningServer } from './general-commissioning-server.js';
import { withGlobalAttributes } from './global-attributes.js';
import { NodeFabricTable } from './node-fabric-table.js';
import { operationalCredentialsServer } from './operational-credentials-server.js';
import { createTestAttestation } from './test-attestation.js';

/** Root Node device type (Matter Device Library §2.1). */
export const ROOT_NODE_DEVICE_TYPE = { deviceType: 0x0016, revision: 2 } as const;

/** How long the sessions of a removed fabric stay, so the NOCResponse saying so can still reach the sender (ms). */
const SESSION_CLOSE_GRACE_MS = 500;
/**
 * A shared fail-safe context outlives its expiry in the store by this much, so whichever instance notices the
 * expiry still reads what to roll back (the ACL snapshot, UpdateNOC's previous record).
 */
const SHARED_CONTEXT_GRACE_MS = 60_000;

export interface MatterDeviceNodeOptions {
  /** Where fabrics and ACL entries (and the SessionManager's resumption records, when it is created here) live. */
  storage: KeyValueStore;
  /** Onboarding passcode of the initial commissioning window (spec §5.1.7: 1 to 99999998, not a trivial one). */
  passcode: number;
  /** 12-bit discriminator (advertised by a DNS-SD layer, if any). */
  discriminator: number;
  basicInformation: DeviceBasicInformation;
  /** Production attestation credentials (DAC, PAI, key, declaration). Without them, test credentials are made... */
  attestation?: AttestationCredentials;
  /** ...but only when this is true (test credentials are public; development only). */
  allowTestAttestation?: boolean;
  /** Application endpoints (1 and above). */
  endpoints?: readonly DeviceEndpoint[];
  /** An existing SessionManager/ExchangeManager to serve on; otherwise created from `sessionOptions`. */
  sessions?: SessionManager;
  exchanges?: ExchangeManager;
  sessionOptions?: Omit<SessionManagerOptions, 'storage' | 'fabrics'>;
  /** Fabrics this node accepts (5 to 254; default 5). */
  supportedFabrics?: number;
  /** Timers of the fail-safe and the commissioning window (tests pass a ManualScheduler). */
  scheduler?: DeviceScheduler;
  /** Wall clock for certificate validity (ms since the epoch); default Date.now. */
  wallClock?: () => number;
  /** PBKDF2 iterations of the initial window's verifier (default 1000). */
  pbkdfIterations?: number;
  /** Errors from background work (a rollback that failed to persist...). */
  onError?: (error: unknown) => void;
  /**
   * Instances sharing this node's store (an edge fleet) share its fail-safe too: each commissioning step loads the
   * context from here and stores it back, so the steps may reach any instance (src/device/shared-fail-safe.ts).
   */
  sharedFailSafe?: SharedFailSafeStore;
}

const INVALID_PASSCODES = new Set([0, 11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 99999999, 12345678, 87654321]);

const commandKey = (cluster: number, command: number): string => `${cluster}/${command}`;

/**
 * What a PASE session joining a commissioned node may invoke under its own fail-safe: the steps that add its fabric
 * (spec §5.5: ArmFailSafe, SetRegulatoryConfig, device attestation, CSRRequest, AddTrustedRootCertificate, AddNOC).
 */
const JOINING_COMMANDS = new Set([
  commandKey(GeneralCommissioningCluster.id, GeneralCommissioningCluster.commands.armFailSafe.id),
  commandKey(GeneralCommissioningCluster.id, GeneralCommissioningCluster.commands.setRegulatoryConfig.id),
  commandKey(OperationalCredentialsCluster.id, OperationalCredentialsCluster.commands.attestationRequest.id),
  commandKey(OperationalCredentialsCluster.id, OperationalCredentialsCluster.commands.certificateChainRequest.id),
  commandKey(OperationalCredentialsCluster.id, OperationalCredentialsCluster.commands.csrRequest.id),
  commandKey(OperationalCredentialsCluster.id, OperationalCredentialsCluster.commands.addTrustedRootCertificate.id),
  commandKey(OperationalCredentialsCluster.id, OperationalCredentialsCluster.commands.addNoc.id),
]);

export class MatterDeviceNode implements DeviceContext {
  readonly sessions: SessionManager;
  readonly exchanges: ExchangeManager;
  readonly interaction: InteractionServer;
  readonly fabrics: NodeFabricTable;
  readonly failSafe: FailSafe;
  readonly window: CommissioningWindow;
  readonly attestation: CheckedAttestation;
  readonly scheduler: DeviceScheduler;
  readonly caseResponder: CaseResponder;
  readonly discriminator: number;
  /** The Basic Information the node serves (vendor and product ids, names), as given. */
  readonly basicInformation: DeviceBasicInformation;
  breadcrumb = 0n;
  regulatoryConfig = 2;
  readonly locationCapability = 2;
  readonly #passcode: number;
  readonly #pbkdfIterations: number;
  readonly #ownsSessions: boolean;
  readonly #paseFabric = new WeakMap<SecureSession, number>();
  readonly #deviceTypes = new Map<number, number[]>();
  readonly #wallClock: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #windowListeners = new Set<() => void>();
  #closed = false;
  #background: Promise<void> = Promise.resolve();
  readonly #shared: SharedFailSafeStore | undefined;
  /** Shared: the stored version the local context mirrors, its bytes, and the steps run one at a time here. */
  #sharedVersion: Uint8Array | undefined;
  #sharedState: Uint8Array | undefined;
  #sharedQueue: Promise<unknown> = Promise.resolve();
  #inSharedStep = false;
  /** Shared: a rollback asked for during a step (ArmFailSafe(0)), done once the stored context is ended. */
  #endRequested: FailSafeContext | undefined;

  private constructor(options: MatterDeviceNodeOptions, sessions: SessionManager, exchanges: ExchangeManager, fabrics: NodeFabricTable,
    attestation: CheckedAttestation, ownsSessions: boolean) {
    this.sessions = sessions;
    this.exchanges = exchanges;
    this.fabrics = fabrics;
    this.attestation = attestation;
    this.discriminator = options.discriminator;
    this.basicInformation = options.basicInformation;
    this.#passcode = options.passcode;
    this.#pbkdfIterations = options.pbkdfIterations ?? 1000;
    this.#ownsSessions = ownsSessions;
    this.#wallClock = options.wallClock ?? Date.now;
    this.#onError = options.onError ?? ((error) => console.error('MatterDeviceNode:', error));
    this.scheduler = options.scheduler ?? systemScheduler;
    this.#shared = options.sharedFailSafe;
    this.failSafe = new FailSafe(this.scheduler, (context) => {
      if (!this.#shared) {
        this.#background = this.#background.then(() => this.#rollback(context)).catch(this.#onError);
      } else if (this.#inSharedStep) {
        this.#endRequested = context;
      } else {
        // The timer: the stored copy decides (it may have been extended, committed or rolled back elsewhere).
        this.#background = this.#background.then(() => this.syncFailSafe()).catch(this.#onError);
      }
    });
    // Order matters: the window's router first, then CASE (which passes PASE opcodes on to it).
    this.window = new CommissioningWindow(exchanges, this.scheduler, () => {
      for (const id of [0, 1, 2]) this.changed(0, AdministratorCommissioningCluster.id, id);
      for (const listener of this.#windowListeners) {
        try { listener(); } catch (error) { this.#onError(error); }
      }
    }, { iterations: this.#pbkdfIterations });
    this.caseResponder = new CaseResponder(exchanges, { fabrics });
    this.window.keepCaseHandler();
    this.interaction = new InteractionServer(exchanges, {
      authorize: (context, path, privilege) => this.#authorize(context, path, privilege),
      onHandlerError: this.#onError,
    });
    this.#serveEndpoints(options);
  }

  static async create(options: MatterDeviceNodeOptions): Promise<MatterDeviceNode> {
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
    const { passcode, discriminator } = options;
    if (!Number.isInteger(passcode) || passcode < 1 || passcode > 99999998 || INVALID_PASSCODES.has(passcode)) {
      throw new RangeError(`options.passcode: expected 1 to 99999998 and not a trivial passcode, got ${String(passcode)}`);
    }
    if (!Number.isInteger(discriminator) || discriminator < 0 || discriminator > 0xfff) {
      throw new RangeError(`options.discriminator: expected 0 to 4095, got ${String(discriminator)}`);
    }
    if (typeof options.storage?.get !== 'function') throw new TypeError('options.storage: expected a KeyValueStore');
    const info = options.basicInformation;
    const attestation = options.attestation
      ? checkAttestationCredentials(options.attestation, { allowTestAttestation: options.allowTestAttestation === true })
      : createTestAttestationOrRefuse(info, options.allowTestAttestation);
    const ownsSessions = options.sessions === undefined;
    const sessions = options.sessions ?? await SessionManager.create({ ...options.sessionOptions, storage: options.storage });
    const exchanges = options.exchanges ?? new ExchangeManager(sessions);
    if (exchanges.sessions !== sessions) throw new TypeError('options.exchanges: must run on options.sessions');
    const fabrics = await NodeFabricTable.load(options.storage, sessions, {
      supportedFabrics: options.supportedFabrics ?? 5, keepPending: options.sharedFailSafe !== undefined,
    });
    const node = new MatterDeviceNode(options, sessions, exchanges, fabrics, attestation, ownsSessions);
    if (options.sharedFailSafe) {
      // A shared fail-safe means a shared store: fabric writes bump the generation other instances watch.
      fabrics.shareChanges();
      // Joining a fleet mid-commissioning takes the fail-safe up; with none armed anywhere, pending fabrics in the
      // store were left by an instance that crashed under its fail-safe: they go.
      await node.syncFailSafe();
      if (!node.failSafe.armed) await fabrics.dropPendingRecords();
    }
    if (fabrics.size === 0) node.openInitialWindow();
    return node;
  }

  /** Hands a received datagram to the node, with the channel it came on (answers go back on it). */
  receive(datagram: Uint8Array, channel: MessageChannel): void {
    this.exchanges.receive(datagram, channel);
  }

  /** Opens the commissioning window with the onboarding passcode (done at start while no fabric exists). */
  openInitialWindow(timeoutMs?: number): void {
    this.window.openWithPasscode(this.#passcode, timeoutMs);
  }

  /** Resolves once background work started so far (a fail-safe rollback and its writes to the store) is done. */
  get settled(): Promise<void> {
    return this.#background;
  }

  get commissioned(): boolean {
    return this.fabrics.size > 0;
  }

  /** Device types served on each endpoint (0 is the Root Node), as the Descriptor clusters list them. */
  get deviceTypes(): ReadonlyMap<number, readonly number[]> {
    return this.#deviceTypes;
  }

  /**
   * Calls `listener` whenever what DNS-SD advertises may change (spec §4.3): the commissioning window opens or
   * closes, or a fabric is added, updated or removed. Returns the function that stops it.
   */
  onDiscoveryChange(listener: () => void): () => void {
    this.#windowListeners.add(listener);
    const stopFabrics = this.fabrics.onChange(listener);
    return () => {
      this.#windowListeners.delete(listener);
      stopFabrics();
    };
  }

  // ---- DeviceContext -------------------------------------------------------------------------------------------

  fabricOf(context: InteractionContext): number | undefined {
    const attached = context.fabricIndex ?? this.#paseFabric.get(context.session);
    if (attached !== undefined || !this.#shared) return attached;
    // Shared: AddNOC over PASE may have run on another instance; its session (the CSR's) belongs to the new fabric.
    const failSafe = this.failSafe.context;
    return failSafe?.addedFabricIndex !== undefined && context.authMode === 'pase' && failSafe.csr?.sessionId === context.session.id
      && this.failSafe.armedBy(context.session) ? failSafe.addedFabricIndex : undefined;
  }

  attachToFabric(session: SecureSession, fabricIndex: number): void {
    this.#paseFabric.set(session, fabricIndex);
  }

  changed(endpoint: number, cluster: number, attribute: number): void {
    try {
      this.interaction?.attributeChanged(endpoint, cluster, attribute);
    } catch {
      // not served (yet): nothing to report
    }
  }

  wallClock(): number {
    return this.#wallClock();
  }

  async completeCommissioning(): Promise<void> {
    if (this.#shared) {
      // Exactly one instance ends the shared context: a rollback elsewhere that came first wins over this commit.
      const version = this.#sharedVersion;
      this.#sharedVersion = this.#sharedState = undefined;
      if (!version || !(await this.#shared.end(version))) {
        this.failSafe.disarm();
        await this.fabrics.refresh();
        throw new InteractionStatusError(InteractionModelStatus.failsafeRequired, 'CommissioningComplete: the fail-safe ended on another instance');
      }
    }
    const context = this.failSafe.disarm();
    // An UpdateNOC is now final: the key it replaced is no longer needed for a rollback.
    context?.previousRecord?.operationalPrivateKey.fill(0);
    if (context?.addedFabricIndex !== undefined) {
      const record = this.fabrics.record(context.addedFabricIndex);
      if (record?.pending) await this.fabrics.update({ ...record, pending: false });
    }
    this.window.close();
    // Spec §11.10.7.6: the commissioning PASE session ends here (on every instance of a fleet).
    for (const info of this.sessions.getActiveSessionInformation()) {
      if (info.kind === 'pase') this.sessions.removeSession(info.sessionId, 'removed');
    }
    if (this.#shared && context?.sessionKind === 'pase') await this.#shared.endSession(context.sessionId);
  }

  // ---- the fail-safe shared by a fleet -------------------------------------------------------------------------

  /** Whether the fail-safe is shared with other instances (sharedFailSafe was given). */
  get sharesFailSafe(): boolean {
    return this.#shared !== undefined;
  }

  /**
   * Runs one commissioning step against the fail-safe. On one instance: `work()` as is. Shared: the stored context
   * is loaded first (an expired one rolled back, by exactly one instance), `work` runs on it, and what it changed is
   * stored back with a compare-and-set; when another instance wrote in between, the step's result is `conflict()`
   * (ArmFailSafe: BusyWithOtherAdmin), or a Busy status. Steps run one at a time on each instance.
   */
  withFailSafe<T>(work: () => T | Promise<T>, conflict?: () => T): T | Promise<T> {
    if (!this.#shared) return work();
    const step = this.#sharedQueue.then(() => this.#sharedStep(work, conflict));
    this.#sharedQueue = step.catch(() => {});
    return step;
  }

  /** Shared: brings the local fail-safe in line with the stored one (adopted, ended, or rolled back). */
  syncFailSafe(): Promise<void> {
    return Promise.resolve(this.withFailSafe(() => undefined));
  }

  async #sharedStep<T>(work: () => T | Promise<T>, conflict: (() => T) | undefined): Promise<T> {
    await this.#loadShared();
    let result: T;
    this.#inSharedStep = true;
    try {
      result = await work();
    } finally {
      this.#inSharedStep = false;
    }
    // A fresh fail-safe with none stored anywhere: pending fabrics in the store were left by an instance that crashed
    // under its own (their context expired with it), and go before this one adds its own.
    if (this.failSafe.armed && this.#sharedVersion === undefined) await this.fabrics.dropPendingRecords();
    const stored = await this.#storeShared();
    if (stored) return result;
    if (conflict) return conflict();
    throw new InteractionStatusError(InteractionModelStatus.busy, 'the fail-safe was changed on another instance meanwhile: retry');
  }

  async #loadShared(): Promise<void> {
    const shared = this.#shared!;
    const loaded = await shared.load();
    if (!loaded) {
      // Ended elsewhere (committed or rolled back): the generation path brings the fabric table in line.
      if (this.#sharedVersion !== undefined || this.failSafe.armed) {
        this.#sharedVersion = this.#sharedState = undefined;
        const ended = this.failSafe.disarm();
        await this.fabrics.refresh();
        // Either way the commissioning PASE session ended (spec §11.10.7.6, §11.10.7.2.2): this copy of it too.
        const session = ended?.sessionKind === 'pase' ? this.sessions.getSession(ended.sessionId) : undefined;
        if (session && sessionIdentity(session) === ended!.sessionKey) this.sessions.removeSession(session.id, 'removed');
      }
      return;
    }
    // Decoded again when another instance wrote, or when the local timer ended the local copy (expiry check below).
    if (!sameBytes(loaded.version, this.#sharedVersion) || !this.failSafe.armed) {
      const { context, firstArmedAt, expiresAt, breadcrumb } = decodeSharedFailSafe(loaded.state);
      // The pending fabric may have been added on another instance: it must be here for CASE and for a rollback.
      if (context.addedFabricIndex !== undefined) await this.fabrics.adoptPending(context.addedFabricIndex);
      this.failSafe.adopt(context, firstArmedAt, expiresAt);
      if (this.breadcrumb !== breadcrumb) {
        this.breadcrumb = breadcrumb;
        this.changed(0, GeneralCommissioningCluster.id, GeneralCommissioningCluster.attributes.breadcrumb.id);
      }
      this.#sharedVersion = loaded.version;
      this.#sharedState = loaded.state;
    } else {
      loaded.state.fill(0);
    }
    const context = this.failSafe.context;
    if (context && this.failSafe.expiresAt <= this.scheduler.now()) await this.#endShared(context);
  }

  /** Stores what a step changed; false when another instance wrote first (the local copy is then dropped). */
  async #storeShared(): Promise<boolean> {
    const shared = this.#shared!;
    const ended = this.#endRequested;
    this.#endRequested = undefined;
    if (ended) {
      await this.#endShared(ended);
      return true;
    }
    const context = this.failSafe.context;
    if (!context) return true;
    const state = encodeSharedFailSafe({
      context, firstArmedAt: this.failSafe.firstArmedAt, expiresAt: this.failSafe.expiresAt, breadcrumb: this.breadcrumb,
    });
    if (sameBytes(state, this.#sharedState)) {
      state.fill(0);
      return true;
    }
    const ttlMs = Math.max(1, this.failSafe.expiresAt - this.scheduler.now()) + SHARED_CONTEXT_GRACE_MS;
    const version = await shared.save(state, this.#sharedVersion, ttlMs);
    this.#sharedState?.fill(0);
    if (!version) {
      state.fill(0);
      this.#sharedVersion = this.#sharedState = undefined;
      this.failSafe.disarm();
      return false;
    }
    this.#sharedVersion = version;
    this.#sharedState = state;
    return true;
  }

  /** Ends the stored context (expiry, ArmFailSafe(0)); the instance that ends it rolls back, the others refresh. */
  async #endShared(context: FailSafeContext): Promise<void> {
    const version = this.#sharedVersion;
    this.#sharedVersion = undefined;
    this.#sharedState?.fill(0);
    this.#sharedState = undefined;
    this.failSafe.disarm();
    // Never stored (armed and ended within one step): this instance's alone to roll back.
    if (version === undefined || await this.#shared!.end(version)) {
      await this.#rollback(context);
      // Fleet-wide, a moment later as here: the session may be carrying the ArmFailSafe(0) response.
      const shared = this.#shared!;
      if (context.sessionKind === 'pase') this.#later(() => shared.endSession(context.sessionId));
    } else {
      await this.fabrics.refresh();
    }
  }

  async removeFabric(fabricIndex: number): Promise<void> {
    await this.#dropFabric(fabricIndex);
    this.#afterFabricsChanged();
  }

  /**
   * The fabric leaves the table (and CASE) now; its sessions and resumption records a moment later, so the response
   * that says so can still go out on the session that asked.
   */
  async #dropFabric(fabricIndex: number): Promise<void> {
    await this.fabrics.remove(fabricIndex, { keepSessions: true });
    this.#later(async () => {
      if (!this.fabrics.record(fabricIndex) && this.sessions.getFabric(fabricIndex)) await this.sessions.removeFabric(fabricIndex);
    });
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  /** Spec §11.10.7.2.2: everything the fail-safe context added goes; PASE sessions end. */
  async #rollback(context: FailSafeContext): Promise<void> {
    if (context.addedFabricIndex !== undefined) await this.#dropFabric(context.addedFabricIndex);
    if (context.previousRecord) {
      const replaced = this.fabrics.record(context.previousRecord.fabricIndex);
      await this.fabrics.update(context.previousRecord);
      // The key UpdateNOC installed is abandoned with its NOC.
      if (replaced && replaced.operationalPrivateKey !== context.previousRecord.operationalPrivateKey) replaced.operationalPrivateKey.fill(0);
    }
    await this.fabrics.restoreAcl(context.aclSnapshot);
    this.breadcrumb = 0n;
    this.changed(0, GeneralCommissioningCluster.id, GeneralCommissioningCluster.attributes.breadcrumb.id);
    // The PASE session may be carrying the ArmFailSafe(0) response that caused this: it ends just after.
    const pase = this.sessions.getActiveSessionInformation().filter((s) => s.kind === 'pase').map((s) => s.sessionId);
    this.#later(async () => { for (const id of pase) this.sessions.removeSession(id, 'removed'); });
    this.#afterFabricsChanged();
  }

  #afterFabricsChanged(): void {
    const a = OperationalCredentialsCluster.attributes;
    for (const attribute of [a.nocs, a.fabrics, a.commissionedFabrics, a.trustedRootCertificates]) {
      this.changed(0, OperationalCredentialsCluster.id, attribute.id);
    }
    this.changed(0, AccessControlCluster.id, AccessControlCluster.attributes.acl.id);
    // A node with no fabric left is commissionable again (spec §5.5: factory-new behaviour).
    if (this.fabrics.size === 0 && !this.window.isOpen && !this.#closed) this.openInitialWindow();
  }

  #later(work: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      work().catch(this.#onError);
    }, SESSION_CLOSE_GRACE_MS);
    this.#timers.add(timer);
  }

  #authorize(context: InteractionContext, path: AccessPath, privilege: Privilege): boolean {
    if (context.authMode === 'pase') return this.#paseAllows(context, path, privilege);
    const fabricIndex = context.fabricIndex;
    if (fabricIndex === undefined) return false;
    return aclAllows(this.fabrics.acl(), context, fabricIndex, path, privilege, (endpoint) => this.#deviceTypes.get(endpoint) ?? []);
  }

  /**
   * What a PASE session may do. Spec §6.6.2.9 (bootstrapping of the ACL): the commissioning channel holds an implicit
   * Administer privilege that is temporary: §11.10.7.6 (CommissioningComplete, step 3) and §11.10.7.2.2 (fail-safe
   * expiry) revoke it. It is tied here to the fail-safe the session itself armed: from ArmFailSafe over this session
   * to CommissioningComplete or the rollback, the session administers the node (CSR, AddNOC, the ACL...). Without
   * it, a PASE session may read what View allows (a commissioner reads Basic Information and BasicCommissioningInfo
   * before arming; an edge realm's passcode clients read the node over PASE) and invoke ArmFailSafe, which begins a
   * commissioning; nothing else: no command of an app endpoint, no write, no other administration.
   *
   * Once the node has a committed fabric, a PASE session that arms the fail-safe is joining as one more
   * administrator (spec §5.5 multi-admin): the implicit Administer the spec gives the commissioning channel is then
   * narrowed to the commands that add its own fabric. An edge realm's passcode window stays open after
   * commissioning, so without this anyone with the realm's passcode could arm the fail-safe and then remove the
   * existing administrators' fabrics or control the app's endpoints.
   */
  #paseAllows(context: InteractionContext, path: AccessPath, privilege: Privilege): boolean {
    if (this.failSafe.armedBy(context.session)) {
      if (!this.fabrics.records().some((record) => !record.pending)) return true;
      if (path.command === undefined) return privilege === 'view';
      return path.endpoint === 0 && JOINING_COMMANDS.has(commandKey(path.cluster, path.command));
    }
    if (path.command === undefined) return privilege === 'view';
    return path.endpoint === 0 && path.cluster === GeneralCommissioningCluster.id
      && path.command === GeneralCommissioningCluster.commands.armFailSafe.id;
  }

  #serveEndpoints(options: MatterDeviceNodeOptions): void {
    const endpoints = options.endpoints ?? [];
    const ids = endpoints.map((e) => e.endpoint);
    for (const [i, e] of endpoints.entries()) {
      if (!Number.isInteger(e?.endpoint) || e.endpoint < 1 || e.endpoint > 0xfffe) throw new RangeError(`options.endpoints[${i}].endpoint: expected 1 to 65534`);
      if (ids.indexOf(e.endpoint) !== i) throw new RangeError(`options.endpoints[${i}].endpoint: ${e.endpoint} appears twice`);
    }
    const serve = (endpoint: number, clusters: Map<number, ServedCluster>) => {
      for (const [id, cluster] of clusters) this.interaction.addCluster(endpoint, id, cluster);
    };
    const root = new Map<number, ServedCluster>([
      [BasicInformationCluster.id, withGlobalAttributes(basicInformationServer(options.basicInformation, 16), { revision: 3 })],
      [AccessControlCluster.id, withGlobalAttributes(accessControlServer(this), { revision: 1 })],
      [GeneralCommissioningCluster.id, withGlobalAttributes(generalCommissioningServer(this), { revision: 1, generatedCommands: [1, 3, 5] })],
      [OperationalCredentialsCluster.id, withGlobalAttributes(operationalCredentialsServer(this), { revision: 1, generatedCommands: [1, 3, 5, 8] })],
      [AdministratorCommissioningCluster.id, withGlobalAttributes(administratorCommissioningServer(this), { revision: 1 })],
    ]);
    const rootIds = () => [...new Set([...root.keys(), DescriptorCluster.id])].sort((a, b) => a - b);
    root.set(DescriptorCluster.id, withGlobalAttributes(descriptorServer([ROOT_NODE_DEVICE_TYPE], rootIds, () => [...ids].sort((a, b) => a - b)), { revision: 2 }));
    this.#deviceTypes.set(0, [ROOT_NODE_DEVICE_TYPE.deviceType]);
    serve(0, root);
    for (const e of endpoints) {
      const clusters = new Map(Object.entries(e.clusters).map(([id, { revision, featureMap, generatedCommands, ...served }]) =>
        [Number(id), withGlobalAttributes(served, { revision: revision ?? 1, featureMap: featureMap ?? 0, generatedCommands: generatedCommands ?? [] })]));
      if (!clusters.has(DescriptorCluster.id)) {
        const serverIds = () => [...clusters.keys()].sort((a, b) => a - b);
        clusters.set(DescriptorCluster.id, withGlobalAttributes(descriptorServer(e.deviceTypes, serverIds, () => []), { revision: 2 }));
      }
      this.#deviceTypes.set(e.endpoint, e.deviceTypes.map((d) => d.deviceType));
      serve(e.endpoint, clusters);
      e.attach?.(this.interaction);
    }
  }

  /** Stops timers and subscriptions; closes the session layer if this node created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.window.close();
    this.failSafe.disarm();
    this.interaction.close();
    if (this.#ownsSessions) {
      this.exchanges.close();
      await this.sessions.close();
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

function createTestAttestationOrRefuse(info: DeviceBasicInformation, allow: boolean | undefined): CheckedAttestation {
  if (allow !== true) {
    throw new TypeError('options.attestation: give production credentials (DAC, PAI, key, declaration), or set allowTestAttestation: true to use public TEST credentials in development');
  }
  return createTestAttestation({ vendorId: info.vendorId, productId: info.productId, allowTestAttestation: true });
}
