// The server side of Read interactions for a fixed set of attributes: enough for a device or an edge endpoint to
// answer reads such as BasicInformation's, on secure sessions only (spec: the Interaction Model runs on secure
// sessions). Wildcard paths expand over the attributes it has; concrete paths it lacks get the matching status.
import { tlv, type TlvElement } from '../codec/tlv.js';
import type { Exchange, ExchangeMessage } from '../protocol/exchange.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import { ProtocolId } from '../protocol/protocol-ids.js';
import { SecureSession } from '../session/secure-session.js';
import type { AttributePath } from './attribute-path.js';
import { InteractionOpcode } from './opcodes.js';
import { decodeReadRequest, encodeReportData, encodeStatusResponse, type AttributeReport } from './read-interaction.js';
import { InteractionModelStatus } from './status-codes.js';

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

function reportsFor(table: AttributeTable, path: AttributePath): AttributeReport[] {
  const wildcard = path.endpoint === undefined || path.cluster === undefined || path.attribute === undefined;
  const reports: AttributeReport[] = [];
  const endpoints = path.endpoint === undefined ? [...table.keys()] : [path.endpoint];
  for (const endpoint of endpoints) {
    const clusters = table.get(endpoint);
    if (!clusters) {
      if (!wildcard) reports.push({ path, status: { status: InteractionModelStatus.unsupportedEndpoint } });
      continue;
    }
    for (const cluster of path.cluster === undefined ? [...clusters.keys()] : [path.cluster]) {
      const attributes = clusters.get(cluster);
      if (!attributes) {
        if (!wildcard) reports.push({ path, status: { status: InteractionModelStatus.unsupportedCluster } });
        continue;
      }
      for (const attribute of path.attribute === undefined ? [...attributes.keys()] : [path.attribute]) {
        const value = attributes.get(attribute);
        const concrete = { endpoint, cluster, attribute };
        if (value === undefined) {
          if (!wildcard) reports.push({ path: concrete, status: { status: InteractionModelStatus.unsupportedAttribute } });
          continue;
        }
        reports.push({ path: concrete, dataVersion: 1, data: typeof value === 'function' ? value() : value });
      }
    }
  }
  return reports;
}

/** Answers Read interactions from `table` on every secure session of `exchanges`. */
export class AttributeServer {
  constructor(exchanges: ExchangeManager, private readonly table: AttributeTable) {
    exchanges.addProtocolHandler(ProtocolId.interactionModel, (exchange, first) => this.#handle(exchange, first));
  }

  async #handle(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    try {
      if (!(exchange.session instanceof SecureSession)) return;
      let request;
      try {
        if (first.opcode !== InteractionOpcode.readRequest) throw new Error('only reads are served');
        request = decodeReadRequest(first.payload);
      } catch {
        await exchange.send(InteractionOpcode.statusResponse, encodeStatusResponse(InteractionModelStatus.invalidAction),
          { protocolId: ProtocolId.interactionModel });
        return;
      }
      const attributeReports = request.paths.flatMap((path) => reportsFor(this.table, path));
      // One chunk with SuppressResponse, as matter.js and the SDK end a Read: the client only acknowledges it.
      await exchange.send(InteractionOpcode.reportData, encodeReportData({ attributeReports, moreChunkedMessages: false, suppressResponse: true }),
        { protocolId: ProtocolId.interactionModel });
    } finally {
      await exchange.close();
    }
  }
}
