// The messages of a Write interaction (spec "Write Interaction"): WriteRequest {0 SuppressResponse, 1 TimedRequest,
// 2 [AttributeDataIB], 3 MoreChunkedMessages} and WriteResponse {0 [AttributeStatusIB]}. An AttributeDataIB is
// {0 DataVersion, 1 AttributePathIB, 2 Data}; the DataVersion, when given, must equal the cluster's current one.
import { TlvFields, decodeTlv, encodeTlv, tlv, type TlvElement } from '../codec/tlv.js';
import { decodeAttributePath, encodeAttributePath, type AttributePath } from './attribute-path.js';
import { checkUint } from './command-path.js';
import { definedOnly } from './defined-only.js';
import { INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG } from './opcodes.js';
import { decodeStatusIB, encodeStatusIB, type StatusIB } from './status-ib.js';

/** One attribute to write. */
export interface AttributeWrite {
  path: AttributePath;
  /** The value, untagged. */
  data: TlvElement;
  /** uint32: write only if the cluster is still at this data version. */
  dataVersion?: number;
}

/** One AttributeStatusIB of a WriteResponse. */
export interface AttributeWriteStatus { path: AttributePath; status: StatusIB }

export interface WriteRequest {
  suppressResponse?: boolean;
  timedRequest?: boolean;
  writes: readonly AttributeWrite[];
  moreChunkedMessages?: boolean;
}

const REQUEST_TAG = { suppressResponse: 0, timedRequest: 1, writeRequests: 2, moreChunkedMessages: 3 } as const;
const DATA_TAG = { dataVersion: 0, path: 1, data: 2 } as const;
const STATUS_TAG = { path: 0, status: 1 } as const;
const RESPONSE_TAG = { writeResponses: 0 } as const;

const imRevision = () => tlv.uint(INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG);

function bool(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name}: expected a boolean, got ${typeof value}`);
  return value;
}

export function encodeWriteRequest(request: WriteRequest): Uint8Array {
  if (typeof request !== 'object' || request === null) throw new TypeError(`request: expected an object, got ${String(request)}`);
  const { writes } = request;
  if (!Array.isArray(writes) || writes.length === 0) {
    throw new RangeError(`request.writes: expected at least one attribute write, got ${Array.isArray(writes) ? 'none' : typeof writes}`);
  }
  const entries = writes.map((write, i) => {
    const name = `request.writes[${i}]`;
    if (typeof write !== 'object' || write === null) throw new TypeError(`${name}: expected an object, got ${String(write)}`);
    if (write.dataVersion !== undefined) checkUint(write.dataVersion, 0xffffffff, `${name}.dataVersion`);
    if (typeof write.data !== 'object' || write.data === null || !('type' in write.data)) {
      throw new TypeError(`${name}.data: expected a TLV element, got ${String(write.data)}`);
    }
    return tlv.struct([
      write.dataVersion === undefined ? undefined : tlv.uint(write.dataVersion, DATA_TAG.dataVersion),
      { ...encodeAttributePath(write.path, `${name}.path`), tag: { context: DATA_TAG.path } },
      { ...write.data, tag: { context: DATA_TAG.data } },
    ]);
  });
  return encodeTlv(tlv.struct([
    tlv.bool(bool(request.suppressResponse, 'request.suppressResponse'), REQUEST_TAG.suppressResponse),
    tlv.bool(bool(request.timedRequest, 'request.timedRequest'), REQUEST_TAG.timedRequest),
    tlv.array(entries, REQUEST_TAG.writeRequests),
    bool(request.moreChunkedMessages, 'request.moreChunkedMessages') ? tlv.bool(true, REQUEST_TAG.moreChunkedMessages) : undefined,
    imRevision(),
  ]));
}

/** Decodes a WriteRequest; MalformedTlvError for bytes that are not TLV, TlvFieldError naming the field otherwise. */
export function decodeWriteRequest(bytes: Uint8Array): Required<Omit<WriteRequest, 'writes'>> & { writes: AttributeWrite[] } {
  const fields = new TlvFields(decodeTlv(bytes), 'WriteRequest');
  return {
    suppressResponse: fields.optionalBool(REQUEST_TAG.suppressResponse) ?? false,
    timedRequest: fields.bool(REQUEST_TAG.timedRequest),
    writes: fields.array(REQUEST_TAG.writeRequests).map((element, i) => {
      const name = `WriteRequest.WriteRequests[${i}]`;
      const data = new TlvFields(element, name);
      const value = { ...data.element(DATA_TAG.data) };
      delete value.tag;
      return definedOnly({
        path: decodeAttributePath(data.element(DATA_TAG.path), `${name}.Path`),
        data: value,
        dataVersion: data.optionalUint(DATA_TAG.dataVersion, 32),
      });
    }),
    moreChunkedMessages: fields.optionalBool(REQUEST_TAG.moreChunkedMessages) ?? false,
  };
}

export function encodeWriteResponse(statuses: readonly AttributeWriteStatus[]): Uint8Array {
  if (!Array.isArray(statuses)) throw new TypeError('statuses: expected an array of AttributeStatusIBs');
  return encodeTlv(tlv.struct([
    tlv.array(statuses.map((s, i) => tlv.struct([
      { ...encodeAttributePath(s.path, `statuses[${i}].path`), tag: { context: STATUS_TAG.path } },
      encodeStatusIB(s.status, `statuses[${i}].status`, STATUS_TAG.status),
    ])), RESPONSE_TAG.writeResponses),
    imRevision(),
  ]));
}

export function decodeWriteResponse(bytes: Uint8Array): AttributeWriteStatus[] {
  const fields = new TlvFields(decodeTlv(bytes), 'WriteResponse');
  return fields.array(RESPONSE_TAG.writeResponses).map((element, i) => {
    const name = `WriteResponse.WriteResponses[${i}]`;
    const status = new TlvFields(element, name);
    return {
      path: decodeAttributePath(status.element(STATUS_TAG.path), `${name}.Path`),
      status: decodeStatusIB(status.element(STATUS_TAG.status), `${name}.${STATUS_TAG.status}`),
    };
  });
}
