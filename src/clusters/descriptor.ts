// Descriptor cluster (spec 9.5, cluster id 0x001D): on every endpoint, its device types, the clusters it serves
// and uses, and (on the root and aggregators) the endpoints below it.
import { attribute } from './cluster-definition.js';
import { field, list, struct, uint } from './field-schema.js';

export const DeviceTypeStruct = struct({ deviceType: field(0, uint(32)), revision: field(1, uint(16, { min: 1 })) });

export const DescriptorCluster = {
  id: 0x001d,
  name: 'Descriptor',
  attributes: {
    deviceTypeList: attribute(0x0000, 'DeviceTypeList', list(DeviceTypeStruct)),
    serverList: attribute(0x0001, 'ServerList', list(uint(32))),
    clientList: attribute(0x0002, 'ClientList', list(uint(32))),
    partsList: attribute(0x0003, 'PartsList', list(uint(16))),
  },
  commands: {},
} as const;
