// AttributePathIB (spec "AttributePathIB"; connectedhomeip AttributePathIB.h): a TLV *list* of context-tagged
// fields, every one optional. An omitted endpoint, cluster or attribute is a wildcard in a request; in a report
// the path names one concrete attribute unless EnableTagCompression says its omitted fields repeat the previous
// path's.
import { TlvFieldError, TlvFields, tlv, type TlvElement, type TlvList } from '../codec/tlv.js';
import { definedOnly } from './defined-only.js';

export interface AttributePath {
  /** When true in a report, omitted fields (other than node) take the previous path's values. */
  enableTagCompression?: boolean;
  /** uint64. */
  node?: bigint;
  /** uint16. */
  endpoint?: number;
  /** uint32. */
  cluster?: number;
  /** uint32. */
  attribute?: number;
  /** Nullable uint16, so 0 to 0xFFFE; null appends to a list (reports and writes of list items). */
  listIndex?: number | null;
  /** uint32 bitmap of WildcardPathFlags (skip the root node, global attributes, ...). */
  wildcardPathFlags?: number;
}

const PATH_TAG = { enableTagCompression: 0, node: 1, endpoint: 2, cluster: 3, attribute: 4, listIndex: 5,
  wildcardPathFlags: 6 } as const;
const UINT16_MAX = 0xffff;
// A nullable uint16 gives up its top value to null (spec "Nullable" data model quality).
const NULLABLE_UINT16_MAX = 0xfffe;
const UINT32_MAX = 0xffffffff;
const UINT64_MAX = 2n ** 64n - 1n;

/** The path as an AttributePathIB list; `name` prefixes argument errors, e.g. "paths[0]". */
export function encodeAttributePath(path: AttributePath, name: string): TlvList {
  if (typeof path !== 'object' || path === null) {
    throw new TypeError(`${name}: expected an object, got ${String(path)}`);
  }
  const { enableTagCompression, node, endpoint, cluster, attribute, listIndex, wildcardPathFlags } = path;
  if (enableTagCompression !== undefined && typeof enableTagCompression !== 'boolean') {
    throw new TypeError(`${name}.enableTagCompression: expected a boolean, got ${typeof enableTagCompression}`);
  }
  if (node !== undefined && (typeof node !== 'bigint' || node < 0n || node > UINT64_MAX)) {
    throw new RangeError(`${name}.node: expected a bigint from 0 to 2^64-1, got ${String(node)}`);
  }
  return tlv.list([
    enableTagCompression === undefined ? undefined : tlv.bool(enableTagCompression, PATH_TAG.enableTagCompression),
    node === undefined ? undefined : tlv.uint(node, PATH_TAG.node),
    optionalUint(endpoint, UINT16_MAX, `${name}.endpoint`, PATH_TAG.endpoint),
    optionalUint(cluster, UINT32_MAX, `${name}.cluster`, PATH_TAG.cluster),
    optionalUint(attribute, UINT32_MAX, `${name}.attribute`, PATH_TAG.attribute),
    listIndex === null
      ? tlv.null(PATH_TAG.listIndex)
      : optionalUint(listIndex, NULLABLE_UINT16_MAX, `${name}.listIndex`, PATH_TAG.listIndex),
    optionalUint(wildcardPathFlags, UINT32_MAX, `${name}.wildcardPathFlags`, PATH_TAG.wildcardPathFlags),
  ]);
}

function optionalUint(value: number | undefined, max: number, name: string, tag: number) {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name}: expected an integer from 0 to ${max}, got ${String(value)}`);
  }
  return tlv.uint(value, tag);
}

/**
 * Reads an AttributePathIB; `field` names it in errors. Unknown tags (e.g. revision 13's
 * WildcardFilterConfigurationVersion, tag 7) are ignored, as the spec asks of readers.
 */
export function decodeAttributePath(element: TlvElement, field: string): AttributePath {
  if (element.type !== 'list') throw new TlvFieldError(field, `expected a list (AttributePathIB), got ${element.type}`);
  // Every AttributePathIB tag appears at most once, so the list reads like a structure of its members.
  const fields = new TlvFields({ type: 'struct', elements: element.elements }, field);
  return definedOnly({
    enableTagCompression: fields.optionalBool(PATH_TAG.enableTagCompression),
    node: fields.optionalBigUint(PATH_TAG.node),
    endpoint: fields.optionalUint(PATH_TAG.endpoint, 16),
    cluster: fields.optionalUint(PATH_TAG.cluster, 32),
    attribute: fields.optionalUint(PATH_TAG.attribute, 32),
    listIndex: fields.isNull(PATH_TAG.listIndex) ? null : listIndex(fields, field),
    wildcardPathFlags: fields.optionalUint(PATH_TAG.wildcardPathFlags, 32),
  });
}

function listIndex(fields: TlvFields, field: string): number | undefined {
  const index = fields.optionalUint(PATH_TAG.listIndex, 16);
  if (index === UINT16_MAX) {
    throw new TlvFieldError(`${field}.${PATH_TAG.listIndex}`, `${index} does not fit a nullable uint16`);
  }
  return index;
}
