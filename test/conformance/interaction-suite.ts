// The Interaction Model (Read interaction) conformance suite. Like the other suites it has no imports at run time:
// the library comes in as an argument, so the compiled file runs unchanged in Node, Deno, Bun, workerd and Chromium.
// The fixtures are matter.js 0.17's own encodings (test/interaction.test.ts re-derives each from its TLV schemas and
// from the encoder its device side sends reports with), plus hand-built malformed reports.
import type * as Interaction from '../../src/interaction/index.js';
import type { Check } from './check.js';
import { equal, fail, hex, throwsNamed, toHex } from './check.js';

export type InteractionModule = typeof Interaction;

export const INTERACTION_FIXTURES = {
  /** ReadRequest for BasicInformation.VendorName (0/0x28/1), fabric filtered. */
  readVendorName: '153600172402002403282404011818290324ff0c18',
  /** ReadRequest for every attribute of BasicInformation on endpoint 0 (attribute wildcard), not fabric filtered. */
  readAllBasicInformation: '153600172402002403281818280324ff0c18',
  /** ReadRequest for VendorName and VendorID. */
  readTwoAttributes: '1536001724020024032824040118172402002403282404021818290324ff0c18',
  statusResponseSuccess: '1524000024ff0c18',
  statusResponseUnsupportedAttribute: '1524008624ff0c18',
  /** A device's whole answer to readVendorName: "matter-node.js", data version 0x1a2b3c4d, SuppressResponse. */
  reportVendorName:
    '15360115350126004d3c2b1a3701240200240328240401182c020e6d61747465722d6e6f64652e6a73181818290424ff0c18',
  /** Three AttributeStatusIBs: UnsupportedAttribute, UnsupportedEndpoint, Failure with cluster status 2. */
  reportStatuses:
    '1536011535003700240200240328240499183501240086181818153500370024020124032824040118350124007f181818153500370024' +
    '02002503341224040018350124000124010218181818290424ff0c18',
  /** CapabilityMinima (0/0x28/0x13): the structure {0: 3, 1: 65535}. */
  reportCapabilityMinima: '15360115350124000737012402002403282404131835022400032501ffff18181818290424ff0c18',
  /** A subscription's first chunk: PartsList replaced by [] then item 1 appended (ListIndex null), node id in path. */
  reportChunk:
    '152600efbeadde360115350126000000008037012701112233445566778824020024031d24040318360218181815350126000000008037' +
    '012701112233445566778824020024031d240403340518240201181818290324ff0c18',
  reportEmpty: '15290424ff0c18',
  /** AttributeDataIB without its Path (tag 1). */
  reportMissingPath: '1536011535012400012c02014118181824ff0c18',
  /** AttributeReportIB with both AttributeStatus and AttributeData. */
  reportStatusAndData:
    '1536011535003700240200240328240401183501240000181835013701240200240328240401182c02014118181824ff0c18',
  /** AttributeDataIB whose Path is a structure, not a list. */
  reportPathStructure: '1536011535013501240200240328240401182c02014118181824ff0c18',
  statusResponseWithoutStatus: '1524ff0c18',
  /** InvokeRequest ArmFailSafe(60, 0) on 0/0x30 (shared/vectors/im-commissioning-encodings.json). */
  invokeArmFailSafe: '1528002801360215370024000024013024020018350124003c24010018181824ff0c18',
  /** InvokeRequest CommissioningComplete: a command without fields. */
  invokeCommissioningComplete: '1528002801360215370024000024013024020418181824ff0c18',
  /** InvokeResponse ArmFailSafeResponse {0: 0, 1: ""}. */
  invokeResponseArmFailSafe: '152800360115350037002400002401302402011835012400002c01001818181824ff0c18',
  /** InvokeResponse CommandStatusIB UnsupportedCommand for 1/0x6/cmd 2. */
  invokeResponseUnsupportedCommand: '152800360115350137002400012401062402021835012400811818181824ff0c18',
  /** TimedRequest of 500 ms. */
  timedRequest500: '152500f40124ff0c18',
  /** WriteRequest NodeLabel (0/0x28/5) = "Kitchen" at data version 7. */
  writeNodeLabel: '15280028013602152400073701240200240328240405182c02074b69746368656e181824ff0c18',
  /** WriteResponse ConstraintError for 0/0x28/5. */
  writeResponseConstraintError: '15360015370024020024032824040518350124008718181824ff0c18',
  /** SubscribeRequest keep=true, 1..60 s, 0/0x28/1, fabric filtered (the vectors file). */
  subscribeVendorName: '15290024010124023c3603172402002403282404011818290724ff0c18',
  /** SubscribeResponse id 0x12345678, MaxInterval 60 s. */
  subscribeResponse: '1526007856341224023c24ff0c18',
} as const;

const F = INTERACTION_FIXTURES;

/** One string per value, distinguishing bigint from number and bytes from arrays, object keys sorted. */
function canonical(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `bytes:${toHex(value)}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${k}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? String(value);
}
function same(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [canonical(actual), canonical(expected)];
  if (a !== e) fail(`${what}: got ${a}, expected ${e}`);
}
const BASIC_INFORMATION = 0x28;
const vendorNamePath = { endpoint: 0, cluster: BASIC_INFORMATION, attribute: 1 };

export function interactionChecks(lib: InteractionModule): Check[] {
  const checks: Check[] = [];
  const check = (name: string, run: () => void) => checks.push({ name, run });

  check('opcodes and interaction model revision', () => {
    same(lib.InteractionOpcode, {
      statusResponse: 1, readRequest: 2, subscribeRequest: 3, subscribeResponse: 4, reportData: 5, writeRequest: 6,
      writeResponse: 7, invokeRequest: 8, invokeResponse: 9, timedRequest: 10,
    }, 'InteractionOpcode');
    equal(lib.INTERACTION_MODEL_REVISION, 12, 'INTERACTION_MODEL_REVISION');
  });

  check('status codes of a read and their names', () => {
    const { success, failure, unsupportedEndpoint, unsupportedCluster, unsupportedAttribute, unsupportedAccess,
      unsupportedRead } = lib.InteractionModelStatus;
    same([success, failure, unsupportedEndpoint, unsupportedCluster, unsupportedAttribute, unsupportedAccess,
      unsupportedRead], [0, 1, 0x7f, 0xc3, 0x86, 0x7e, 0x8f], 'InteractionModelStatus');
    equal(lib.describeInteractionModelStatus(0x86), 'unsupportedAttribute (0x86)', 'name of 0x86');
    equal(lib.describeInteractionModelStatus(0x42), '0x42', 'name of an unlisted code');
  });

  check('ReadRequest bytes equal matter.js', () => {
    equal(toHex(lib.encodeReadRequest({ paths: [vendorNamePath] })), F.readVendorName, 'VendorName, fabric filtered');
    equal(toHex(lib.encodeReadRequest({ paths: [{ endpoint: 0, cluster: BASIC_INFORMATION }], fabricFiltered: false })),
      F.readAllBasicInformation, 'attribute wildcard, not fabric filtered');
    equal(toHex(lib.encodeReadRequest({ paths: [vendorNamePath, { ...vendorNamePath, attribute: 2 }] })),
      F.readTwoAttributes, 'two paths');
  });

  check('ReadRequest refuses bad arguments, naming them', () => {
    throwsNamed(() => lib.encodeReadRequest({ paths: [] }), 'RangeError', 'request.paths', 'no paths');
    throwsNamed(() => lib.encodeReadRequest({ paths: [{ endpoint: 0x10000, cluster: 0x28, attribute: 1 }] }),
      'RangeError', 'request.paths[0].endpoint', 'endpoint above uint16');
    throwsNamed(() => lib.encodeReadRequest({ paths: [vendorNamePath, { cluster: -1 }] }), 'RangeError',
      'request.paths[1].cluster', 'negative cluster');
    throwsNamed(() => lib.encodeReadRequest({ paths: [{ attribute: 1.5 }] }), 'RangeError',
      'request.paths[0].attribute', 'fractional attribute');
  });

  check('StatusResponse encodes and decodes', () => {
    equal(toHex(lib.encodeStatusResponse(lib.InteractionModelStatus.success)), F.statusResponseSuccess, 'Success');
    equal(lib.decodeStatusResponse(hex(F.statusResponseSuccess)), 0, 'decode Success');
    equal(lib.decodeStatusResponse(hex(F.statusResponseUnsupportedAttribute)), 0x86, 'decode UnsupportedAttribute');
    throwsNamed(() => lib.encodeStatusResponse(256), 'RangeError', 'status', 'status above uint8');
    throwsNamed(() => lib.decodeStatusResponse(hex(F.statusResponseWithoutStatus)), 'TlvFieldError',
      'StatusResponse.0', 'no status');
  });

  check('ReportData with VendorName, as a matter.js device sends it', () => {
    const report = lib.decodeReportData(hex(F.reportVendorName));
    same(report, {
      attributeReports: [{ path: vendorNamePath, dataVersion: 0x1a2b3c4d, data: { type: 'utf8', value: 'matter-node.js' } }],
      moreChunkedMessages: false, suppressResponse: true,
    }, 'report');
    const data = report.attributeReports[0]?.data ?? fail('no data');
    equal(lib.tlvToPlainValue(data), 'matter-node.js', 'plain value');
    equal(lib.expectsStatusResponse(report), false, 'a suppressed last report gets no StatusResponse');
  });

  check('ReportData with attribute statuses', () => {
    same(lib.decodeReportData(hex(F.reportStatuses)).attributeReports, [
      { path: { endpoint: 0, cluster: BASIC_INFORMATION, attribute: 0x99 }, status: { status: 0x86 } },
      { path: { endpoint: 1, cluster: BASIC_INFORMATION, attribute: 1 }, status: { status: 0x7f } },
      { path: { endpoint: 0, cluster: 0x1234, attribute: 0 }, status: { status: 1, clusterStatus: 2 } },
    ], 'attribute reports');
  });

  check('ReportData with a structure value', () => {
    const [report] = lib.decodeReportData(hex(F.reportCapabilityMinima)).attributeReports;
    same(report?.path, { endpoint: 0, cluster: BASIC_INFORMATION, attribute: 0x13 }, 'path');
    same(lib.tlvToPlainValue(report?.data ?? fail('no data')), { 0: 3, 1: 65535 }, 'plain value');
  });

  check('ReportData chunk of a subscription, with node id and list append', () => {
    const report = lib.decodeReportData(hex(F.reportChunk));
    const path = { node: 0x8877665544332211n, endpoint: 0, cluster: 0x1d, attribute: 3 };
    same(report, {
      subscriptionId: 0xdeadbeef,
      attributeReports: [
        { path, dataVersion: 0x80000000, data: { type: 'array', elements: [] } },
        { path: { ...path, listIndex: null }, dataVersion: 0x80000000, data: { type: 'uint', value: 1 } },
      ],
      moreChunkedMessages: true, suppressResponse: false,
    }, 'report');
    equal(lib.expectsStatusResponse(report), true, 'a chunk with more to come gets a StatusResponse');
  });

  check('ReportData without attribute reports', () => {
    same(lib.decodeReportData(hex(F.reportEmpty)),
      { attributeReports: [], moreChunkedMessages: false, suppressResponse: true }, 'report');
  });

  check('malformed ReportData throws typed errors naming the field', () => {
    throwsNamed(() => lib.decodeReportData(hex(F.reportVendorName).subarray(0, 30)), 'MalformedTlvError', 'byte',
      'truncated');
    throwsNamed(() => lib.decodeReportData(hex(F.reportMissingPath)), 'TlvFieldError',
      'ReportData.AttributeReports[0].AttributeData.1', 'missing path');
    throwsNamed(() => lib.decodeReportData(hex(F.reportStatusAndData)), 'TlvFieldError',
      'ReportData.AttributeReports[0]', 'status and data');
    throwsNamed(() => lib.decodeReportData(hex(F.reportPathStructure)), 'TlvFieldError',
      'ReportData.AttributeReports[0].AttributeData.Path', 'path not a list');
    throwsNamed(() => lib.decodeReportData(hex('1618')), 'TlvFieldError', 'ReportData', 'an array, not a structure');
  });

  check('attribute path syntax: valid paths', () => {
    same(lib.parseAttributePath('0/0x28/1'), vendorNamePath, '0/0x28/1');
    same(lib.parseAttributePath('65535/0xFFFFFFFF/4294967295'),
      { endpoint: 65535, cluster: 0xffffffff, attribute: 0xffffffff }, 'maxima');
    same(lib.parseAttributePath('1/6/0X0'), { endpoint: 1, cluster: 6, attribute: 0 }, 'upper-case 0X');
  });

  check('attribute path syntax: invalid paths name the part', () => {
    for (const [text, part] of [
      ['0/0x28', 'ENDPOINT/CLUSTER/ATTRIBUTE'], ['0/0x28/1/2', 'ENDPOINT/CLUSTER/ATTRIBUTE'], ['', 'ENDPOINT'],
      ['x/0x28/1', 'endpoint'], ['65536/0x28/1', 'endpoint'], ['-1/0x28/1', 'endpoint'],
      ['0/0x100000000/1', 'cluster'], ['0//1', 'cluster'], ['0/0x/1', 'cluster'],
      ['0/0x28/4294967296', 'attribute'], ['0/0x28/1.0', 'attribute'], ['0/0x28/ 1', 'attribute'],
    ] as const) {
      throwsNamed(() => lib.parseAttributePath(text), 'InvalidAttributePathError', part, JSON.stringify(text));
    }
  });

  check('InvokeRequest bytes equal matter.js, and decode back', () => {
    const arm = { path: { endpoint: 0, cluster: 0x30, command: 0 },
      fields: { type: 'struct' as const, elements: [{ type: 'uint' as const, value: 60, tag: { context: 0 } }, { type: 'uint' as const, value: 0, tag: { context: 1 } }] } };
    equal(toHex(lib.encodeInvokeRequest({ commands: [arm] })), F.invokeArmFailSafe, 'ArmFailSafe');
    equal(toHex(lib.encodeInvokeRequest({ commands: [{ path: { endpoint: 0, cluster: 0x30, command: 4 } }] })),
      F.invokeCommissioningComplete, 'CommissioningComplete');
    same(lib.decodeInvokeRequest(hex(F.invokeArmFailSafe)), { suppressResponse: false, timedRequest: false, commands: [arm] }, 'decoded');
    throwsNamed(() => lib.encodeInvokeRequest({ commands: [] }), 'RangeError', 'request.commands', 'no commands');
  });

  check('InvokeResponse: a response command and a status', () => {
    same(lib.decodeInvokeResponse(hex(F.invokeResponseArmFailSafe)), { suppressResponse: false, moreChunkedMessages: false, responses: [{
      command: { path: { endpoint: 0, cluster: 0x30, command: 1 }, fields: { type: 'struct', elements: [
        { type: 'uint', value: 0, tag: { context: 0 } }, { type: 'utf8', value: '', tag: { context: 1 } }] } } }] }, 'ArmFailSafeResponse');
    const status = { status: { path: { endpoint: 1, cluster: 6, command: 2 }, status: { status: 0x81 } } };
    same(lib.decodeInvokeResponse(hex(F.invokeResponseUnsupportedCommand)).responses, [status], 'status');
    equal(toHex(lib.encodeInvokeResponse({ responses: [status] })), F.invokeResponseUnsupportedCommand, 'encoded status');
  });

  check('TimedRequest, WriteRequest and WriteResponse equal matter.js', () => {
    equal(toHex(lib.encodeTimedRequest(500)), F.timedRequest500, 'TimedRequest');
    equal(lib.decodeTimedRequest(hex(F.timedRequest500)), 500, 'timeout');
    const write = { path: { endpoint: 0, cluster: 0x28, attribute: 5 }, data: { type: 'utf8' as const, value: 'Kitchen' }, dataVersion: 7 };
    equal(toHex(lib.encodeWriteRequest({ writes: [write] })), F.writeNodeLabel, 'WriteRequest');
    same(lib.decodeWriteRequest(hex(F.writeNodeLabel)).writes, [write], 'decoded write');
    const statuses = [{ path: { endpoint: 0, cluster: 0x28, attribute: 5 }, status: { status: 0x87 } }];
    equal(toHex(lib.encodeWriteResponse(statuses)), F.writeResponseConstraintError, 'WriteResponse');
    same(lib.decodeWriteResponse(hex(F.writeResponseConstraintError)), statuses, 'decoded statuses');
  });

  check('SubscribeRequest and SubscribeResponse equal the vectors', () => {
    const request = { keepSubscriptions: true, minIntervalFloor: 1, maxIntervalCeiling: 60, paths: [vendorNamePath], fabricFiltered: true };
    equal(toHex(lib.encodeSubscribeRequest(request)), F.subscribeVendorName, 'SubscribeRequest');
    same(lib.decodeSubscribeRequest(hex(F.subscribeVendorName)), { ...request, dataVersionFilters: [] }, 'decoded request');
    equal(toHex(lib.encodeSubscribeResponse({ subscriptionId: 0x12345678, maxInterval: 60 })), F.subscribeResponse, 'SubscribeResponse');
    same(lib.decodeSubscribeResponse(hex(F.subscribeResponse)), { subscriptionId: 0x12345678, maxInterval: 60 }, 'decoded response');
    throwsNamed(() => lib.encodeSubscribeRequest({ ...request, minIntervalFloor: 61 }), 'RangeError', 'maxIntervalCeiling', 'ceiling below floor');
  });

  return checks;
}
