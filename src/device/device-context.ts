// What the root endpoint's commissioning clusters share (Matter Core spec §5.5 "Commissioning Flows"): the fabric
// table, the fail-safe, the commissioning window, and the few node-wide values they read and write. MatterDeviceNode
// implements it; each cluster server is written against this interface only.
import type { InteractionContext } from '../interaction/interaction-server.js';
import type { SecureSession } from '../session/secure-session.js';
import type { SessionManager } from '../session/session-manager.js';
import type { CheckedAttestation } from './attestation-credentials.js';
import type { CommissioningWindow } from './commissioning-window.js';
import type { DeviceScheduler } from './device-scheduler.js';
import type { FailSafe } from './fail-safe.js';
import type { NodeFabricTable } from './node-fabric-table.js';

export interface DeviceContext {
  readonly fabrics: NodeFabricTable;
  readonly failSafe: FailSafe;
  readonly window: CommissioningWindow;
  readonly sessions: SessionManager;
  readonly attestation: CheckedAttestation;
  readonly scheduler: DeviceScheduler;
  /** General Commissioning's Breadcrumb attribute. */
  breadcrumb: bigint;
  /** RegulatoryLocationTypeEnum set by SetRegulatoryConfig; and what the node can be (LocationCapability). */
  regulatoryConfig: number;
  readonly locationCapability: number;
  /** The fabric a request acts on: its CASE session's, or the one AddNOC attached to its PASE session. */
  fabricOf(context: InteractionContext): number | undefined;
  /** AddNOC over PASE: that session now belongs to the new fabric (spec §11.18.6.8). */
  attachToFabric(session: SecureSession, fabricIndex: number): void;
  /** An attribute's value changed (data version, subscriptions). */
  changed(endpoint: number, cluster: number, attribute: number): void;
  /**
   * Runs a commissioning step against the fail-safe: directly on one instance; in a fleet sharing the fail-safe,
   * between loading the shared context and storing it back (`conflict()` answers when another instance wrote first).
   */
  withFailSafe<T>(work: () => T | Promise<T>, conflict?: () => T): T | Promise<T>;
  /** CommissioningComplete: commit what the fail-safe added, close the window, drop PASE sessions. */
  completeCommissioning(): Promise<void>;
  /** RemoveFabric: the records go now, the fabric's sessions once the response is on its way. */
  removeFabric(fabricIndex: number): Promise<void>;
  /** Wall clock (ms since the epoch) for certificate validity. */
  wallClock(): number;
}
