// The Administrator Commissioning cluster server (Matter Core spec §11.19, cluster 0x003C): an administrator opens
// an enhanced commissioning window with a PAKE verifier it computed from a new passcode (so another controller can
// commission this node into its own fabric: multi-admin), or revokes it; WindowStatus, AdminFabricIndex and
// AdminVendorId say who opened the window. Every command is timed (the cluster definition says so).
import { tlv } from '../codec/tlv.js';
import {
  AdministratorCommissioningCluster as Cluster, AdministratorCommissioningStatus as ClusterStatus,
} from '../clusters/administrator-commissioning.js';
import { serveCommand } from '../clusters/serve-command.js';
import { parseVerifier } from '../crypto/passcode-verifier.js';
import type { ServedCluster } from '../interaction/interaction-server.js';
import { InteractionStatusError } from '../interaction/interaction-status-error.js';
import { InteractionModelStatus as Status } from '../interaction/status-codes.js';
import type { DeviceContext } from './device-context.js';

/** Spec §11.19.8.1: CommissioningTimeout from 3 to 15 minutes. */
export const MIN_COMMISSIONING_TIMEOUT_SECONDS = 180;
export const MAX_COMMISSIONING_TIMEOUT_SECONDS = 900;

const failure = (clusterStatus: number, what: string) => new InteractionStatusError(Status.failure, what, { clusterStatus });

export function administratorCommissioningServer(device: DeviceContext): ServedCluster {
  const { commands: c, attributes: a } = Cluster;
  return {
    attributes: {
      [a.windowStatus.id]: { value: () => tlv.uint(device.window.status) },
      [a.adminFabricIndex.id]: { value: () => (device.window.adminFabricIndex === null ? tlv.null() : tlv.uint(device.window.adminFabricIndex)) },
      [a.adminVendorId.id]: { value: () => (device.window.adminVendorId === null ? tlv.null() : tlv.uint(device.window.adminVendorId)) },
    },
    commands: {
      [c.openCommissioningWindow.id]: serveCommand(c.openCommissioningWindow, (fields, context) => {
        const { commissioningTimeout, pakePasscodeVerifier, iterations, salt } = fields;
        if (device.window.isOpen || device.failSafe.armed) throw failure(ClusterStatus.busy, 'OpenCommissioningWindow: a window is open or a fail-safe is armed');
        if (commissioningTimeout < MIN_COMMISSIONING_TIMEOUT_SECONDS || commissioningTimeout > MAX_COMMISSIONING_TIMEOUT_SECONDS) {
          throw new InteractionStatusError(Status.invalidCommand,
            `CommissioningTimeout: expected ${MIN_COMMISSIONING_TIMEOUT_SECONDS} to ${MAX_COMMISSIONING_TIMEOUT_SECONDS} s, got ${commissioningTimeout}`);
        }
        let verifier;
        try {
          verifier = parseVerifier(pakePasscodeVerifier);
        } catch (error) {
          throw failure(ClusterStatus.pakeParameterError, `PAKEPasscodeVerifier: ${(error as Error).message}`);
        }
        const fabricIndex = device.fabricOf(context);
        const record = fabricIndex === undefined ? undefined : device.fabrics.record(fabricIndex);
        if (!record) throw new InteractionStatusError(Status.unsupportedAccess, 'OpenCommissioningWindow: the session has no fabric');
        device.window.openWithVerifier({ ...verifier, salt: salt.slice(), iterations }, commissioningTimeout * 1000, record.fabricIndex, record.vendorId);
      }, { privilege: 'administer' }),
      [c.revokeCommissioning.id]: serveCommand(c.revokeCommissioning, () => {
        if (!device.window.isOpen) throw failure(ClusterStatus.windowNotOpen, 'RevokeCommissioning: no window is open');
        device.window.close();
        // Spec §11.19.8.3: a fail-safe armed through the revoked window is expired too.
        if (device.failSafe.context?.sessionKind === 'pase') device.failSafe.expire();
      }, { privilege: 'administer' }),
    },
  };
}
