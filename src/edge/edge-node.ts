// An edge realm as a Matter node (Matter Core spec §5.5 commissioning, §4.14.2 CASE, §11 root-node clusters): a
// MatterDeviceNode on the realm's own session table and exchanges, so whatever reaches the realm (HTTP, WebSocket,
// UDP) meets one node — its fabrics, ACL and app endpoints, with records in the realm's store.
//
// Secure-channel routing: the realm's passcode PASE responder (many clients at once, with the realm's window and
// back-off) answers PBKDFParamRequest, except while an administrator's enhanced window (OpenCommissioningWindow,
// spec §11.19.8.1) is open: then the node's own window answers with the administrator's verifier. Sigma1 goes to a
// CASE responder sized for an edge (many handshakes at once) over the node's fabric table.
import type { CaseError } from '../protocol/case/case-error.js';
import { CaseResponder } from '../protocol/case/case-responder.js';
import type { ExchangeManager, ProtocolHandler } from '../protocol/exchange-manager.js';
import type { ParkedHandshakes } from '../protocol/parked-handshakes.js';
import { ProtocolId, SecureChannelOpcode } from '../protocol/protocol-ids.js';
import type { SessionManager } from '../session/session-manager.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import type { AttestationCredentials } from '../device/attestation-credentials.js';
import type { DeviceBasicInformation } from '../device/basic-information-server.js';
import { WindowStatus } from '../device/commissioning-window.js';
import type { DeviceEndpoint } from '../device/device-endpoint.js';
import { MatterDeviceNode } from '../device/matter-device-node.js';
import type { SharedFailSafeStore } from '../device/shared-fail-safe.js';

/** What an app gives a realm to make it a Matter node. */
export interface RealmNodeConfig {
  /** The app's endpoints (1 and above) with their clusters and handlers. */
  endpoints: readonly DeviceEndpoint[];
  /** 12-bit discriminator (default 3840). */
  discriminator?: number;
  /** Production attestation credentials (DAC, PAI, key, Certification Declaration). */
  attestation?: AttestationCredentials;
  /** Public TEST credentials instead: development only (a controller with test PAAs trusted accepts them). */
  allowTestAttestation?: boolean;
  /** Basic Information beyond what the realm's basicInformation says. */
  basicInformation?: Partial<DeviceBasicInformation>;
  /** CASE handshakes the realm serves at once; beyond it Sigma1 is answered Busy. Default 64. */
  maxCaseHandshakes?: number;
  /** Background errors of the node (a rollback that failed to persist...). Default: console.error. */
  onError?: (error: unknown) => void;
}

export interface RealmNodeParts {
  realm: string;
  passcode: number;
  storage: KeyValueStore;
  sessions: SessionManager;
  exchanges: ExchangeManager;
  /** The realm's Basic Information (vendor, product...). */
  basicInformation?: Partial<DeviceBasicInformation>;
  /** Told of each CASE session (resumed or not) and each failed CASE handshake. */
  onCaseSession?: (resumed: boolean) => void;
  onCaseFailure?: (error: CaseError) => void;
  /** A fleet's store for CASE handshakes between Sigma2 and Sigma3 (src/protocol/parked-handshakes.ts). */
  parked?: ParkedHandshakes;
  /** A fleet's store for the node's fail-safe context (src/edge/fleet-fail-safe.ts). */
  sharedFailSafe?: SharedFailSafeStore;
}

const DEFAULT_CASE_HANDSHAKES = 64;

/**
 * Makes the realm a Matter node. Call after the realm's PASE responder is installed on `exchanges` (its handler is
 * taken here and kept for PBKDFParamRequest).
 */
export async function createRealmNode(config: RealmNodeConfig, parts: RealmNodeParts): Promise<MatterDeviceNode> {
  if (typeof config !== 'object' || config === null) throw new TypeError(`realm ${parts.realm}: node: expected an object`);
  if (!Array.isArray(config.endpoints)) throw new TypeError(`realm ${parts.realm}: node.endpoints: expected an array of endpoints`);
  const maxCase = config.maxCaseHandshakes ?? DEFAULT_CASE_HANDSHAKES;
  if (!Number.isInteger(maxCase) || maxCase < 1 || maxCase > 1024) {
    throw new RangeError(`realm ${parts.realm}: node.maxCaseHandshakes: expected 1 to 1024, got ${String(maxCase)}`);
  }
  const realmPase = parts.exchanges.protocolHandler(ProtocolId.secureChannel);
  if (!realmPase) throw new TypeError(`realm ${parts.realm}: the realm's PASE responder must be installed first`);
  const node = await MatterDeviceNode.create({
    storage: parts.storage, sessions: parts.sessions, exchanges: parts.exchanges,
    passcode: parts.passcode, discriminator: config.discriminator ?? 3840,
    basicInformation: {
      vendorId: 0xfff1, vendorName: 'matter-sessions', productId: 0x8000, productName: 'matter-sessions edge',
      serialNumber: `edge-${parts.realm}`, ...parts.basicInformation, ...config.basicInformation,
    },
    endpoints: config.endpoints,
    ...(config.attestation ? { attestation: config.attestation } : {}),
    allowTestAttestation: config.allowTestAttestation === true,
    ...(config.onError ? { onError: config.onError } : {}),
    ...(parts.sharedFailSafe ? { sharedFailSafe: parts.sharedFailSafe } : {}),
  });
  // Above the node's own chain (its CASE responder, then its window's router): a CASE responder for many clients.
  new CaseResponder(parts.exchanges, {
    fabrics: node.fabrics, maxConcurrentHandshakes: maxCase,
    onSession: (_session, info) => parts.onCaseSession?.(info.resumed),
    onFailure: (error) => parts.onCaseFailure?.(error),
    ...(parts.parked ? { parked: parts.parked } : {}),
  });
  const nodeChain = parts.exchanges.protocolHandler(ProtocolId.secureChannel) as ProtocolHandler;
  parts.exchanges.addProtocolHandler(ProtocolId.secureChannel, (exchange, first) => {
    const adminWindow = node.window.status === WindowStatus.enhancedWindowOpen;
    // In a fleet, Pake1 and Pake3 may open an exchange here: the realm's handshake parked by another instance.
    const realmStep = first.opcode === SecureChannelOpcode.pbkdfParamRequest || (parts.parked !== undefined
      && (first.opcode === SecureChannelOpcode.pake1 || first.opcode === SecureChannelOpcode.pake3));
    if (realmStep && !adminWindow) return realmPase(exchange, first);
    // A fail-safe armed in the fleet: the commissioner's CASE handshake may name the fabric AddNOC added on another
    // instance a moment ago. Read while a fail-safe is known to be armed only, so strangers' Sigma1s cost nothing.
    if (node.sharesFailSafe && node.failSafe.armed
      && (first.opcode === SecureChannelOpcode.sigma1 || first.opcode === SecureChannelOpcode.sigma3)) {
      return node.syncFailSafe().catch(() => {}).then(() => nodeChain(exchange, first));
    }
    return nodeChain(exchange, first);
  });
  // Opening a window installs a PASE responder and then puts back the handler kept here: keep this router.
  node.window.keepCaseHandler();
  return node;
}
