// StatusIB (spec "StatusIB"): an Interaction Model status and, for cluster-specific failures, the cluster's own
// status, as carried inside AttributeStatusIB and CommandStatusIB.
import { TlvFields, tlv, type TlvElement, type TlvStructure, type TlvTagArgument } from '../codec/tlv.js';
import { definedOnly } from './defined-only.js';

export interface StatusIB { status: number; clusterStatus?: number }

const STATUS_TAG = { status: 0, clusterStatus: 1 } as const;

export function encodeStatusIB(value: StatusIB, name: string, tag?: TlvTagArgument): TlvStructure {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name}: expected an object, got ${String(value)}`);
  checkByte(value.status, `${name}.status`);
  if (value.clusterStatus !== undefined) checkByte(value.clusterStatus, `${name}.clusterStatus`);
  return tlv.struct([
    tlv.uint(value.status, STATUS_TAG.status),
    value.clusterStatus === undefined ? undefined : tlv.uint(value.clusterStatus, STATUS_TAG.clusterStatus),
  ], tag);
}

export function decodeStatusIB(element: TlvElement, name: string): StatusIB {
  const fields = new TlvFields(element, name);
  return definedOnly({ status: fields.uint(STATUS_TAG.status, 8), clusterStatus: fields.optionalUint(STATUS_TAG.clusterStatus, 8) });
}

function checkByte(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`${name}: expected an integer from 0 to 255, got ${String(value)}`);
  }
}
