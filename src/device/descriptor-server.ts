// The Descriptor cluster server (Matter Core spec §9.5, cluster 0x001D), on every endpoint: the endpoint's device
// types, the clusters it serves, none it uses as a client, and — on the root endpoint — every other endpoint
// (PartsList), which is how a controller finds endpoint 1's light.
import { DescriptorCluster as Cluster } from '../clusters/descriptor.js';
import type { ServedCluster } from '../interaction/interaction-server.js';

export interface DeviceTypeRevision { deviceType: number; revision: number }

export function descriptorServer(deviceTypes: readonly DeviceTypeRevision[], serverClusters: () => number[],
  parts: () => number[]): ServedCluster {
  const { attributes: a } = Cluster;
  return {
    attributes: {
      [a.deviceTypeList.id]: { value: a.deviceTypeList.type.encode([...deviceTypes], 'DeviceTypeList') },
      [a.serverList.id]: { value: () => a.serverList.type.encode(serverClusters(), 'ServerList') },
      [a.clientList.id]: { value: a.clientList.type.encode([], 'ClientList') },
      [a.partsList.id]: { value: () => a.partsList.type.encode(parts(), 'PartsList') },
    },
  };
}
