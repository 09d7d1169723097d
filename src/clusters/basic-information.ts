// Basic Information cluster (spec 11.1, cluster id 0x0028): who made the node and what it runs, on the root endpoint.
import { attribute } from './cluster-definition.js';
import { bool, field, string, struct, uint } from './field-schema.js';

export const CapabilityMinimaStruct = struct({ caseSessionsPerFabric: field(0, uint(16)), subscriptionsPerFabric: field(1, uint(16)) });

export const BasicInformationCluster = {
  id: 0x0028,
  name: 'BasicInformation',
  attributes: {
    dataModelRevision: attribute(0x00, 'DataModelRevision', uint(16)),
    vendorName: attribute(0x01, 'VendorName', string({ max: 32 })),
    vendorId: attribute(0x02, 'VendorID', uint(16)),
    productName: attribute(0x03, 'ProductName', string({ max: 32 })),
    productId: attribute(0x04, 'ProductID', uint(16)),
    nodeLabel: attribute(0x05, 'NodeLabel', string({ max: 32 }), true),
    location: attribute(0x06, 'Location', string({ length: 2 }), true),
    hardwareVersion: attribute(0x07, 'HardwareVersion', uint(16)),
    hardwareVersionString: attribute(0x08, 'HardwareVersionString', string({ max: 64 })),
    softwareVersion: attribute(0x09, 'SoftwareVersion', uint(32)),
    softwareVersionString: attribute(0x0a, 'SoftwareVersionString', string({ max: 64 })),
    manufacturingDate: attribute(0x0b, 'ManufacturingDate', string({ max: 16 })),
    partNumber: attribute(0x0c, 'PartNumber', string({ max: 32 })),
    productUrl: attribute(0x0d, 'ProductURL', string({ max: 256 })),
    productLabel: attribute(0x0e, 'ProductLabel', string({ max: 64 })),
    serialNumber: attribute(0x0f, 'SerialNumber', string({ max: 32 })),
    localConfigDisabled: attribute(0x10, 'LocalConfigDisabled', bool, true),
    reachable: attribute(0x11, 'Reachable', bool),
    uniqueId: attribute(0x12, 'UniqueID', string({ max: 32 })),
    capabilityMinima: attribute(0x13, 'CapabilityMinima', CapabilityMinimaStruct),
    specificationVersion: attribute(0x15, 'SpecificationVersion', uint(32)),
    maxPathsPerInvoke: attribute(0x16, 'MaxPathsPerInvoke', uint(16)),
  },
  commands: {},
} as const;
