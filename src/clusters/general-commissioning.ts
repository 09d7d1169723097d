// General Commissioning cluster (spec 11.10, cluster id 0x0030): the fail-safe a commissioner arms before it changes
// anything, the regulatory configuration, and CommissioningComplete (which must come over CASE).
import { attribute, commandEncoders, defineCommand } from './cluster-definition.js';
import { bool, enum8, field, optional, string, struct, uint, uint64 } from './field-schema.js';

const ID = 0x0030;

/** CommissioningErrorEnum: the ErrorCode of every response of this cluster. */
export const CommissioningErrorCode = { ok: 0, valueOutsideRange: 1, invalidAuthentication: 2, noFailSafe: 3, busyWithOtherAdmin: 4 } as const;
/** RegulatoryLocationTypeEnum. */
export const RegulatoryLocationType = { indoor: 0, outdoor: 1, indoorOutdoor: 2 } as const;

const commissioningResponse = struct({ errorCode: field(0, enum8), debugText: field(1, string({ max: 128 })) });

export const BasicCommissioningInfo = struct({
  failSafeExpiryLengthSeconds: field(0, uint(16)),
  maxCumulativeFailsafeSeconds: field(1, uint(16)),
});

export const GeneralCommissioningCluster = {
  id: ID,
  name: 'GeneralCommissioning',
  attributes: {
    breadcrumb: attribute(0x0000, 'Breadcrumb', uint64, true),
    basicCommissioningInfo: attribute(0x0001, 'BasicCommissioningInfo', BasicCommissioningInfo),
    regulatoryConfig: attribute(0x0002, 'RegulatoryConfig', enum8),
    locationCapability: attribute(0x0003, 'LocationCapability', enum8),
    supportsConcurrentConnection: attribute(0x0004, 'SupportsConcurrentConnection', bool),
  },
  commands: {
    armFailSafe: defineCommand(ID, 0x00, 'ArmFailSafe', {
      request: struct({ expiryLengthSeconds: field(0, uint(16)), breadcrumb: field(1, uint64) }),
      response: { id: 0x01, name: 'ArmFailSafeResponse', type: commissioningResponse },
    }),
    setRegulatoryConfig: defineCommand(ID, 0x02, 'SetRegulatoryConfig', {
      request: struct({
        newRegulatoryConfig: field(0, enum8), countryCode: field(1, string({ length: 2 })), breadcrumb: field(2, uint64),
      }),
      response: { id: 0x03, name: 'SetRegulatoryConfigResponse', type: commissioningResponse },
    }),
    commissioningComplete: defineCommand(ID, 0x04, 'CommissioningComplete', {
      response: { id: 0x05, name: 'CommissioningCompleteResponse', type: commissioningResponse },
    }),
  },
} as const;

/** `generalCommissioning.armFailSafe({ expiryLengthSeconds: 60, breadcrumb: 0n })` -> what `invoke()` sends. */
export const generalCommissioning = commandEncoders(GeneralCommissioningCluster.commands);
