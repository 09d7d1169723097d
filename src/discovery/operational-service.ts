// The operational node advertisement (Matter Core spec §4.3.2 "Operational Discovery"): service `_matter._tcp`
// (the name is historical: the node is reached over UDP too), instance `<CompressedFabricId>-<NodeId>` in 16
// uppercase hex digits each, subtype `_I<CompressedFabricId>` so a commissioner can browse one fabric, and the MRP
// TXT keys. A node advertises one such instance per fabric it belongs to.
import type { SessionParameters } from '../session/session-parameters.js';
import { checkTxt, mrpTxt, OPERATIONAL_SERVICE_TYPE, upperHex, type DnssdService } from './dnssd-service.js';

export interface OperationalServiceInput {
  /** The fabric's 8-byte compressed fabric id (credentials/compressed-fabric-id.ts). */
  compressedFabricId: Uint8Array;
  /** This node's operational node id on that fabric. */
  nodeId: bigint;
  sessionParameters: Pick<SessionParameters, 'idleInterval' | 'activeInterval' | 'activeThreshold'>;
}

export function operationalInstanceName(compressedFabricId: Uint8Array, nodeId: bigint): string {
  if (!(compressedFabricId instanceof Uint8Array) || compressedFabricId.length !== 8) {
    throw new RangeError('compressedFabricId: expected 8 bytes');
  }
  if (typeof nodeId !== 'bigint' || nodeId < 0n || nodeId > 0xffffffffffffffffn) {
    throw new RangeError(`nodeId: expected a 64-bit unsigned bigint, got ${String(nodeId)}`);
  }
  return `${upperHex(compressedFabricId)}-${nodeId.toString(16).toUpperCase().padStart(16, '0')}`;
}

export function operationalService(input: OperationalServiceInput): DnssdService {
  if (typeof input !== 'object' || input === null) throw new TypeError('operational service: expected an object');
  const instance = operationalInstanceName(input.compressedFabricId, input.nodeId);
  return {
    type: OPERATIONAL_SERVICE_TYPE,
    instance,
    subtypes: [`_I${upperHex(input.compressedFabricId)}`],
    txt: checkTxt(mrpTxt(input.sessionParameters)),
  };
}
