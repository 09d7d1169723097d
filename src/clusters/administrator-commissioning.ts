// Administrator Commissioning cluster (spec 11.19, cluster id 0x003C): an administrator opens a commissioning window
// for another commissioner (enhanced, with a fresh PAKE verifier, or basic) or revokes it. Every command is timed.
import { attribute, commandEncoders, defineCommand } from './cluster-definition.js';
import { enum8, field, nullable, octets, struct, uint } from './field-schema.js';

const ID = 0x003c;

/** The cluster's status codes, sent as the cluster status of a FAILURE. */
export const AdministratorCommissioningStatus = { busy: 2, pakeParameterError: 3, windowNotOpen: 4 } as const;
/** CommissioningWindowStatusEnum. */
export const CommissioningWindowStatus = { windowNotOpen: 0, enhancedWindowOpen: 1, basicWindowOpen: 2 } as const;

export const AdministratorCommissioningCluster = {
  id: ID,
  name: 'AdministratorCommissioning',
  attributes: {
    windowStatus: attribute(0x0000, 'WindowStatus', enum8),
    adminFabricIndex: attribute(0x0001, 'AdminFabricIndex', nullable(uint(8))),
    adminVendorId: attribute(0x0002, 'AdminVendorId', nullable(uint(16))),
  },
  commands: {
    openCommissioningWindow: defineCommand(ID, 0x00, 'OpenCommissioningWindow', {
      timed: true,
      request: struct({
        commissioningTimeout: field(0, uint(16)),
        // The PAKE verifier is w0 (32 bytes) || L (65 bytes, uncompressed point): 97 bytes (spec 5.6.1).
        pakePasscodeVerifier: field(1, octets({ length: 97 })),
        discriminator: field(2, uint(16, { max: 0xfff })),
        iterations: field(3, uint(32, { min: 1000, max: 100000 })),
        salt: field(4, octets({ min: 16, max: 32 })),
      }),
    }),
    openBasicCommissioningWindow: defineCommand(ID, 0x01, 'OpenBasicCommissioningWindow', {
      timed: true, request: struct({ commissioningTimeout: field(0, uint(16)) }),
    }),
    revokeCommissioning: defineCommand(ID, 0x02, 'RevokeCommissioning', { timed: true }),
  },
} as const;

export const administratorCommissioning = commandEncoders(AdministratorCommissioningCluster.commands);
