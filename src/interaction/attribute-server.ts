// A fixed table of attributes served for reading: enough for a device or an edge endpoint to answer reads such as
// BasicInformation's, on secure sessions only (spec: the Interaction Model runs on secure sessions). Wildcard paths
// expand over the attributes it has; concrete paths it lacks get the matching status (see InteractionServer).
import { tlv, type TlvElement } from '../codec/tlv.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import { InteractionServer, type InteractionServerOptions } from './interaction-server.js';

export type AttributeValue = TlvElement | (() => TlvElement);

/** endpoint -> cluster -> attribute -> value */
export type AttributeTable = Map<number, Map<number, Map<number, AttributeValue>>>;

export const BASIC_INFORMATION_CLUSTER = 0x0028;

export interface BasicInformation {
  vendorName: string;
  vendorId: number;
  productName: string;
  productId: number;
  nodeLabel?: string;
  hardwareVersion?: number;
  softwareVersion?: number;
  softwareVersionString?: string;
  serialNumber?: string;
}

/** BasicInformation (cluster 0x0028) on endpoint 0, attribute ids from the spec's cluster definition. */
export function basicInformationAttributes(info: BasicInformation): AttributeTable {
  const attributes = new Map<number, AttributeValue>([
    [0x00, tlv.uint(17)], // DataModelRevision
    [0x01, tlv.utf8(info.vendorName)],
    [0x02, tlv.uint(info.vendorId)],
    [0x03, tlv.utf8(info.productName)],
    [0x04, tlv.uint(info.productId)],
    [0x05, tlv.utf8(info.nodeLabel ?? '')],
    [0x07, tlv.uint(info.hardwareVersion ?? 0)],
    [0x09, tlv.uint(info.softwareVersion ?? 0)],
    [0x0a, tlv.utf8(info.softwareVersionString ?? '0.0.0')],
  ]);
  if (info.serialNumber !== undefined) attributes.set(0x0f, tlv.utf8(info.serialNumber));
  return new Map([[0, new Map([[BASIC_INFORMATION_CLUSTER, attributes]])]]);
}

/**
 * Answers Read interactions from `table` on every secure session of `exchanges`: an InteractionServer serving those
 * attributes read-only (so Subscribe works on them too, and Write/Invoke get the statuses the spec gives).
 */
export class AttributeServer {
  readonly server: InteractionServer;

  constructor(exchanges: ExchangeManager, table: AttributeTable, options: InteractionServerOptions = {}) {
    this.server = new InteractionServer(exchanges, options);
    for (const [endpoint, clusters] of table) {
      for (const [cluster, attributes] of clusters) {
        this.server.addCluster(endpoint, cluster, {
          attributes: Object.fromEntries([...attributes].map(([id, value]) =>
            [id, { value: typeof value === 'function' ? () => value() : value }])),
        });
      }
    }
  }
}
