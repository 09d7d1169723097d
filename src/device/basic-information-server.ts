// The Basic Information cluster server (Matter Core spec §11.1, cluster 0x0028) on the root endpoint: who made the
// node and what it runs. NodeLabel and Location are writable (kept in memory); the rest is fixed at start.
import { BasicInformationCluster as Cluster } from '../clusters/basic-information.js';
import { serveAttributes } from '../clusters/cluster-attributes.js';
import type { ServedCluster } from '../interaction/interaction-server.js';

export interface DeviceBasicInformation {
  vendorId: number;
  vendorName: string;
  productId: number;
  productName: string;
  serialNumber: string;
  /** Persistent unique id (spec: not derived from the serial number); default random per start. */
  uniqueId?: string;
  nodeLabel?: string;
  hardwareVersion?: number;
  hardwareVersionString?: string;
  softwareVersion?: number;
  softwareVersionString?: string;
  productLabel?: string;
}

export function basicInformationServer(info: DeviceBasicInformation, maxPathsPerInvoke: number): ServedCluster {
  if (typeof info !== 'object' || info === null) throw new TypeError('basicInformation: expected an object');
  const uniqueId = info.uniqueId ?? Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  return {
    attributes: serveAttributes(Cluster, {
      dataModelRevision: 17, // Matter 1.3
      vendorName: info.vendorName, vendorId: info.vendorId, productName: info.productName, productId: info.productId,
      nodeLabel: info.nodeLabel ?? '', location: 'XX', hardwareVersion: info.hardwareVersion ?? 1,
      hardwareVersionString: info.hardwareVersionString ?? String(info.hardwareVersion ?? 1),
      softwareVersion: info.softwareVersion ?? 1, softwareVersionString: info.softwareVersionString ?? String(info.softwareVersion ?? 1),
      serialNumber: info.serialNumber, uniqueId, productLabel: info.productLabel ?? info.productName,
      capabilityMinima: { caseSessionsPerFabric: 3, subscriptionsPerFabric: 3 },
      specificationVersion: 0x01030000, maxPathsPerInvoke,
    }),
  };
}
