// The client's messages of a Read interaction (spec "Read Interaction"): it sends a ReadRequest, the server answers
// with one or more ReportData, and the client answers each ReportData with a StatusResponse unless the report's
// SuppressResponse is true. All three are anonymous TLV structures (connectedhomeip MessageDef/*Message.h).
import { TlvFieldError, TlvFields, decodeTlv, encodeTlv, tlv, type TlvElement } from '../codec/tlv.js';
import { withTag } from '../codec/tlv-build.js';
import { decodeAttributePath, encodeAttributePath, type AttributePath } from './attribute-path.js';
import { definedOnly } from './defined-only.js';
import { INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG } from './opcodes.js';

export interface ReadRequest {
  /** Attribute paths to read; omitted endpoint, cluster or attribute are wildcards. At least one. */
  paths: readonly AttributePath[];
  /** Limit fabric-scoped lists to the reader's fabric (default true, as matter.js and chip-tool read). */
  fabricFiltered?: boolean;
}

/** StatusIB: an Interaction Model status and, for cluster-specific failures, the cluster's own code. */
export interface AttributeStatus { status: number; clusterStatus?: number }

/** One AttributeReportIB: either the attribute's data (AttributeDataIB) or why there is none (AttributeStatusIB). */
export interface AttributeReport {
  path: AttributePath;
  dataVersion?: number;
  /** The attribute's value, untagged. */
  data?: TlvElement;
  status?: AttributeStatus;
}

export interface ReportData {
  /** Present only when the report belongs to a subscription. */
  subscriptionId?: number;
  attributeReports: AttributeReport[];
  /** More ReportData follow in this interaction. */
  moreChunkedMessages: boolean;
  /** The server expects no StatusResponse for this report. */
  suppressResponse: boolean;
}

const READ_REQUEST_TAG = { attributeRequests: 0, fabricFiltered: 3 } as const;
const REPORT_DATA_TAG = {
  subscriptionId: 0, attributeReports: 1, moreChunkedMessages: 3, suppressResponse: 4,
} as const;
const ATTRIBUTE_REPORT_TAG = { attributeStatus: 0, attributeData: 1 } as const;
const ATTRIBUTE_STATUS_TAG = { path: 0, status: 1 } as const;
const ATTRIBUTE_DATA_TAG = { dataVersion: 0, path: 1, data: 2 } as const;
const STATUS_TAG = { status: 0, clusterStatus: 1 } as const;
const STATUS_RESPONSE_TAG = { status: 0 } as const;

const imRevision = () => tlv.uint(INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG);

export function encodeReadRequest(request: ReadRequest): Uint8Array {
  const { paths, fabricFiltered = true } = request;
  if (!Array.isArray(paths) || paths.length === 0) {
    const got = Array.isArray(paths) ? 'none' : typeof paths;
    throw new RangeError(`request.paths: expected at least one attribute path, got ${got}`);
  }
  if (typeof fabricFiltered !== 'boolean') {
    throw new TypeError(`request.fabricFiltered: expected a boolean, got ${typeof fabricFiltered}`);
  }
  return encodeTlv(tlv.struct([
    tlv.array(paths.map((path, i) => encodeAttributePath(path, `request.paths[${i}]`)),
      READ_REQUEST_TAG.attributeRequests),
    tlv.bool(fabricFiltered, READ_REQUEST_TAG.fabricFiltered),
    imRevision(),
  ]));
}

/**
 * Decodes a ReportData payload. Event reports are not read. Paths are returned as sent: a path with
 * enableTagCompression is not filled in from the previous one. Throws MalformedTlvError for bytes that are not TLV
 * and TlvFieldError, naming the field, for TLV that is not a ReportData.
 */
export function decodeReportData(bytes: Uint8Array): ReportData {
  const fields = new TlvFields(decodeTlv(bytes), 'ReportData');
  const reports = fields.optionalArray(REPORT_DATA_TAG.attributeReports) ?? [];
  return definedOnly({
    subscriptionId: fields.optionalUint(REPORT_DATA_TAG.subscriptionId, 32),
    attributeReports: reports.map((report, i) => decodeAttributeReport(report, `ReportData.AttributeReports[${i}]`)),
    moreChunkedMessages: fields.optionalBool(REPORT_DATA_TAG.moreChunkedMessages) ?? false,
    suppressResponse: fields.optionalBool(REPORT_DATA_TAG.suppressResponse) ?? false,
  });
}

function decodeAttributeReport(element: TlvElement, name: string): AttributeReport {
  const report = new TlvFields(element, name);
  const statusElement = report.optionalElement(ATTRIBUTE_REPORT_TAG.attributeStatus);
  const dataElement = report.optionalElement(ATTRIBUTE_REPORT_TAG.attributeData);
  // Spec "AttributeReportIB": exactly one of AttributeStatus and AttributeData.
  if ((statusElement === undefined) === (dataElement === undefined)) {
    throw new TlvFieldError(name, 'expected exactly one of AttributeStatus (tag 0) and AttributeData (tag 1)');
  }
  if (statusElement !== undefined) {
    const attributeStatus = new TlvFields(statusElement, `${name}.AttributeStatus`);
    const status = attributeStatus.struct(ATTRIBUTE_STATUS_TAG.status);
    return {
      path: decodeAttributePath(attributeStatus.element(ATTRIBUTE_STATUS_TAG.path), `${name}.AttributeStatus.Path`),
      status: definedOnly({
        status: status.uint(STATUS_TAG.status, 8),
        clusterStatus: status.optionalUint(STATUS_TAG.clusterStatus, 8),
      }),
    };
  }
  const attributeData = new TlvFields(dataElement as TlvElement, `${name}.AttributeData`);
  return definedOnly({
    path: decodeAttributePath(attributeData.element(ATTRIBUTE_DATA_TAG.path), `${name}.AttributeData.Path`),
    dataVersion: attributeData.optionalUint(ATTRIBUTE_DATA_TAG.dataVersion, 32),
    data: untagged(attributeData.element(ATTRIBUTE_DATA_TAG.data)),
  });
}

/**
 * Whether the client must answer this report with StatusResponse(Success): after every chunk but the last, and
 * after the last unless it suppresses the response (matter.js and connectedhomeip end a Read with SuppressResponse).
 */
export function expectsStatusResponse(report: ReportData): boolean {
  return report.moreChunkedMessages || !report.suppressResponse;
}

/** The client's answer to a ReportData (and the server's to a failed request): one status code. */
export function encodeStatusResponse(status: number): Uint8Array {
  if (!Number.isInteger(status) || status < 0 || status > 0xff) {
    throw new RangeError(`status: expected an integer from 0 to 255, got ${String(status)}`);
  }
  return encodeTlv(tlv.struct([tlv.uint(status, STATUS_RESPONSE_TAG.status), imRevision()]));
}

/** The status code of a StatusResponse payload; errors as decodeReportData's. */
export function decodeStatusResponse(bytes: Uint8Array): number {
  return new TlvFields(decodeTlv(bytes), 'StatusResponse').uint(STATUS_RESPONSE_TAG.status, 8);
}

function untagged(element: TlvElement): TlvElement {
  return element.tag === undefined ? element : withTag(element, undefined);
}

// ---- the server's side of the same messages ---------------------------------------------------------------------

/** Decodes a ReadRequest payload (attribute paths only; event requests are not served). Errors as above. */
export function decodeReadRequest(bytes: Uint8Array): ReadRequest {
  const fields = new TlvFields(decodeTlv(bytes), 'ReadRequest');
  const paths = (fields.optionalArray(READ_REQUEST_TAG.attributeRequests) ?? [])
    .map((path, i) => decodeAttributePath(path, `ReadRequest.AttributeRequests[${i}]`));
  return { paths, fabricFiltered: fields.bool(READ_REQUEST_TAG.fabricFiltered) };
}

/** Encodes a ReportData payload: each report carries either data or a status. */
export function encodeReportData(report: ReportData): Uint8Array {
  const reports = report.attributeReports.map((r, i) => {
    const name = `report.attributeReports[${i}]`;
    if ((r.data === undefined) === (r.status === undefined)) {
      throw new TypeError(`${name}: expected exactly one of data and status`);
    }
    if (r.status) {
      return tlv.struct([tlv.struct([
        tagged(encodeAttributePath(r.path, `${name}.path`), ATTRIBUTE_STATUS_TAG.path),
        tlv.struct([tlv.uint(r.status.status, STATUS_TAG.status),
          r.status.clusterStatus === undefined ? undefined : tlv.uint(r.status.clusterStatus, STATUS_TAG.clusterStatus)],
        ATTRIBUTE_STATUS_TAG.status),
      ], ATTRIBUTE_REPORT_TAG.attributeStatus)]);
    }
    return tlv.struct([tlv.struct([
      r.dataVersion === undefined ? undefined : tlv.uint(r.dataVersion, ATTRIBUTE_DATA_TAG.dataVersion),
      tagged(encodeAttributePath(r.path, `${name}.path`), ATTRIBUTE_DATA_TAG.path),
      tagged(r.data!, ATTRIBUTE_DATA_TAG.data),
    ], ATTRIBUTE_REPORT_TAG.attributeData)]);
  });
  return encodeTlv(tlv.struct([
    report.subscriptionId === undefined ? undefined : tlv.uint(report.subscriptionId, REPORT_DATA_TAG.subscriptionId),
    tlv.array(reports, REPORT_DATA_TAG.attributeReports),
    report.moreChunkedMessages ? tlv.bool(true, REPORT_DATA_TAG.moreChunkedMessages) : undefined,
    report.suppressResponse ? tlv.bool(true, REPORT_DATA_TAG.suppressResponse) : undefined,
    imRevision(),
  ]));
}

function tagged(element: TlvElement, context: number): TlvElement {
  return withTag(element, { context });
}
