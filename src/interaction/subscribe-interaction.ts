// The messages that open a subscription (spec "Subscribe Interaction"): SubscribeRequest {0 KeepSubscriptions,
// 1 MinIntervalFloor s, 2 MaxIntervalCeiling s, 3 [AttributePathIB], 4 event paths, 5 event filters,
// 7 IsFabricFiltered, 8 [DataVersionFilterIB]} and SubscribeResponse {0 SubscriptionId uint32, 2 MaxInterval s}.
// Tags 6 (request) and 1 (response) are unused. Event paths and filters are not served, and are ignored on decode.
import { TlvFieldError, TlvFields, decodeTlv, encodeTlv, tlv, type TlvElement } from '../codec/tlv.js';
import { decodeAttributePath, encodeAttributePath, type AttributePath } from './attribute-path.js';
import { checkUint } from './command-path.js';
import { definedOnly } from './defined-only.js';
import { INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG } from './opcodes.js';

/** DataVersionFilterIB: the client already holds this cluster at this data version (skip it in the priming report). */
export interface DataVersionFilter { endpoint: number; cluster: number; dataVersion: number; node?: bigint }

export interface SubscribeRequest {
  /** false: the server ends this peer's other subscriptions first. */
  keepSubscriptions: boolean;
  /** uint16 seconds: the server sends no report sooner than this after the previous one. */
  minIntervalFloor: number;
  /** uint16 seconds: the most the client wants to wait between reports (the server may go up to 60 min). */
  maxIntervalCeiling: number;
  paths: readonly AttributePath[];
  /** Default true. */
  fabricFiltered?: boolean;
  dataVersionFilters?: readonly DataVersionFilter[];
}

export interface SubscribeResponse { subscriptionId: number; maxInterval: number }

const REQUEST_TAG = {
  keepSubscriptions: 0, minIntervalFloor: 1, maxIntervalCeiling: 2, attributeRequests: 3, fabricFiltered: 7,
  dataVersionFilters: 8,
} as const;
const RESPONSE_TAG = { subscriptionId: 0, maxInterval: 2 } as const;
const FILTER_TAG = { path: 0, dataVersion: 1 } as const;
const CLUSTER_PATH_TAG = { node: 0, endpoint: 1, cluster: 2 } as const;

const imRevision = () => tlv.uint(INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG);

export function encodeSubscribeRequest(request: SubscribeRequest): Uint8Array {
  if (typeof request !== 'object' || request === null) throw new TypeError(`request: expected an object, got ${String(request)}`);
  const { keepSubscriptions, minIntervalFloor, maxIntervalCeiling, paths, fabricFiltered = true, dataVersionFilters } = request;
  if (typeof keepSubscriptions !== 'boolean') throw new TypeError(`request.keepSubscriptions: expected a boolean, got ${typeof keepSubscriptions}`);
  if (typeof fabricFiltered !== 'boolean') throw new TypeError(`request.fabricFiltered: expected a boolean, got ${typeof fabricFiltered}`);
  checkUint(minIntervalFloor, 0xffff, 'request.minIntervalFloor');
  checkUint(maxIntervalCeiling, 0xffff, 'request.maxIntervalCeiling');
  if (maxIntervalCeiling < minIntervalFloor) {
    throw new RangeError(`request.maxIntervalCeiling: expected at least minIntervalFloor (${minIntervalFloor}), got ${maxIntervalCeiling}`);
  }
  if (!Array.isArray(paths) || paths.length === 0) {
    throw new RangeError(`request.paths: expected at least one attribute path, got ${Array.isArray(paths) ? 'none' : typeof paths}`);
  }
  return encodeTlv(tlv.struct([
    tlv.bool(keepSubscriptions, REQUEST_TAG.keepSubscriptions),
    tlv.uint(minIntervalFloor, REQUEST_TAG.minIntervalFloor),
    tlv.uint(maxIntervalCeiling, REQUEST_TAG.maxIntervalCeiling),
    tlv.array(paths.map((p, i) => encodeAttributePath(p, `request.paths[${i}]`)), REQUEST_TAG.attributeRequests),
    tlv.bool(fabricFiltered, REQUEST_TAG.fabricFiltered),
    dataVersionFilters === undefined || dataVersionFilters.length === 0 ? undefined
      : tlv.array(dataVersionFilters.map((f, i) => encodeFilter(f, `request.dataVersionFilters[${i}]`)), REQUEST_TAG.dataVersionFilters),
    imRevision(),
  ]));
}

function encodeFilter(filter: DataVersionFilter, name: string): TlvElement {
  if (typeof filter !== 'object' || filter === null) throw new TypeError(`${name}: expected an object, got ${String(filter)}`);
  checkUint(filter.endpoint, 0xffff, `${name}.endpoint`);
  checkUint(filter.cluster, 0xffffffff, `${name}.cluster`);
  checkUint(filter.dataVersion, 0xffffffff, `${name}.dataVersion`);
  if (filter.node !== undefined && (typeof filter.node !== 'bigint' || filter.node < 0n || filter.node >= 2n ** 64n)) {
    throw new RangeError(`${name}.node: expected a bigint from 0 to 2^64-1, got ${String(filter.node)}`);
  }
  return tlv.struct([
    tlv.list([
      filter.node === undefined ? undefined : tlv.uint(filter.node, CLUSTER_PATH_TAG.node),
      tlv.uint(filter.endpoint, CLUSTER_PATH_TAG.endpoint), tlv.uint(filter.cluster, CLUSTER_PATH_TAG.cluster),
    ], FILTER_TAG.path),
    tlv.uint(filter.dataVersion, FILTER_TAG.dataVersion),
  ]);
}

/** Decodes a SubscribeRequest; MalformedTlvError / TlvFieldError (naming the field) for bad input. */
export function decodeSubscribeRequest(bytes: Uint8Array): Required<SubscribeRequest> {
  const fields = new TlvFields(decodeTlv(bytes), 'SubscribeRequest');
  const filters = (fields.optionalArray(REQUEST_TAG.dataVersionFilters) ?? []).map((element, i) => {
    const name = `SubscribeRequest.DataVersionFilters[${i}]`;
    const filter = new TlvFields(element, name);
    const path = filter.element(FILTER_TAG.path);
    if (path.type !== 'list') throw new TlvFieldError(`${name}.0`, `expected a list (ClusterPathIB), got ${path.type}`);
    const clusterPath = new TlvFields({ type: 'struct', elements: path.elements }, `${name}.0`);
    return definedOnly({
      node: clusterPath.optionalBigUint(CLUSTER_PATH_TAG.node),
      endpoint: clusterPath.uint(CLUSTER_PATH_TAG.endpoint, 16),
      cluster: clusterPath.uint(CLUSTER_PATH_TAG.cluster, 32),
      dataVersion: filter.uint(FILTER_TAG.dataVersion, 32),
    });
  });
  return {
    keepSubscriptions: fields.bool(REQUEST_TAG.keepSubscriptions),
    minIntervalFloor: fields.uint(REQUEST_TAG.minIntervalFloor, 16),
    maxIntervalCeiling: fields.uint(REQUEST_TAG.maxIntervalCeiling, 16),
    paths: (fields.optionalArray(REQUEST_TAG.attributeRequests) ?? [])
      .map((p, i) => decodeAttributePath(p, `SubscribeRequest.AttributeRequests[${i}]`)),
    fabricFiltered: fields.bool(REQUEST_TAG.fabricFiltered),
    dataVersionFilters: filters,
  };
}

export function encodeSubscribeResponse(response: SubscribeResponse): Uint8Array {
  checkUint(response?.subscriptionId, 0xffffffff, 'response.subscriptionId');
  checkUint(response.maxInterval, 0xffff, 'response.maxInterval');
  return encodeTlv(tlv.struct([
    tlv.uint(response.subscriptionId, RESPONSE_TAG.subscriptionId), tlv.uint(response.maxInterval, RESPONSE_TAG.maxInterval),
    imRevision(),
  ]));
}

export function decodeSubscribeResponse(bytes: Uint8Array): SubscribeResponse {
  const fields = new TlvFields(decodeTlv(bytes), 'SubscribeResponse');
  return { subscriptionId: fields.uint(RESPONSE_TAG.subscriptionId, 32), maxInterval: fields.uint(RESPONSE_TAG.maxInterval, 16) };
}
