// Interaction Model read messages against matter.js 0.17: the conformance suite, its fixtures re-derived from
// matter.js's TLV schemas and from the encoder its device side sends reports with, byte-for-byte agreement both ways
// on random messages, the facts (opcodes, revision, status codes) read from matter.js itself, the path syntax, the
// plain-value view, and fuzzing: random and mutated bytes must decode or throw MalformedTlvError / TlvFieldError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Bytes } from '@matter/general';
import { Specification } from '@matter/model';
import { MessageType, encodeAttributePayload } from '@matter/protocol';
import {
  AttributeId, ClusterId, EndpointNumber, NodeId, Status, TlvArray, TlvBoolean, TlvByteString, TlvDataReport,
  TlvDataReportForSend, TlvField, TlvInt16, TlvInt64, TlvNullable, TlvObject, TlvReadRequest, TlvStatusResponse,
  TlvString, TlvUInt16, TlvUInt32, TlvUInt64, TlvUInt8, WildcardPathFlagsBitmap, type TlvSchema, type TlvStream,
} from '@matter/types';
import { MalformedTlvError, TlvFieldError, decodeTlv, encodeTlv, tlv, type TlvElement } from '../src/codec/tlv.js';
import * as lib from '../src/interaction/index.js';
import {
  InteractionModelStatus, InvalidAttributePathError, decodeAttributePath, decodeReportData, decodeStatusResponse,
  encodeAttributePath, encodeReadRequest, encodeStatusResponse, parseAttributePath, tlvToPlainValue,
  type AttributePath, type AttributeReport,
} from '../src/interaction/index.js';
import { INTERACTION_FIXTURES as F, interactionChecks } from './conformance/interaction-suite.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Bytes): string => Buffer.from(Bytes.of(b)).toString('hex');
const REVISION = Specification.INTERACTION_MODEL_REVISION;
const UINT32_MAX = 0xffffffff;

/** matter.js's WildcardPathFlags bit names, bit 0 first. */
const FLAG_NAMES = Object.keys(WildcardPathFlagsBitmap) as (keyof typeof WildcardPathFlagsBitmap)[];

/**
 * Our path in matter.js's shape: its ids are branded numbers (cast, as its constructors refuse ids outside the
 * spec's allocated ranges, which the wire format does not), its flags an object of booleans.
 */
function matterPath(path: AttributePath) {
  const { enableTagCompression, node, endpoint, cluster, attribute, listIndex, wildcardPathFlags } = path;
  return {
    ...(enableTagCompression === undefined ? {} : { enableTagCompression }),
    ...(node === undefined ? {} : { nodeId: node as NodeId }),
    ...(endpoint === undefined ? {} : { endpointId: endpoint as EndpointNumber }),
    ...(cluster === undefined ? {} : { clusterId: cluster as ClusterId }),
    ...(attribute === undefined ? {} : { attributeId: attribute as AttributeId }),
    ...(listIndex === undefined ? {} : { listIndex }),
    ...(wildcardPathFlags === undefined ? {} : {
      wildcardPathFlags: Object.fromEntries(FLAG_NAMES.map((name, bit) => [name, (wildcardPathFlags & (1 << bit)) !== 0])),
    }),
  };
}

const uint16 = fc.integer({ min: 0, max: 0xffff });
const uint32 = fc.integer({ min: 0, max: UINT32_MAX });
const pathArbitrary: fc.Arbitrary<AttributePath> = fc.record({
  enableTagCompression: fc.boolean(),
  node: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  endpoint: uint16,
  cluster: uint32,
  attribute: uint32,
  listIndex: fc.option(fc.integer({ min: 0, max: 0xfffe }), { nil: null }),
  wildcardPathFlags: fc.integer({ min: 0, max: 2 ** FLAG_NAMES.length - 1 }),
}, { requiredKeys: [] });

/** A value, the matter.js schema that encodes it, and what tlvToPlainValue gives for it. */
interface SampleValue { schema: TlvSchema<any>; value: unknown; plain: unknown }
const Capability = TlvObject({ cases: TlvField(0, TlvUInt16), subscriptions: TlvField(1, TlvUInt16) });
const sampleValue: fc.Arbitrary<SampleValue> = fc.oneof(
  fc.string({ maxLength: 32 }).map((v) => ({ schema: TlvString, value: v, plain: v })),
  fc.integer({ min: 0, max: 255 }).map((v) => ({ schema: TlvUInt8, value: v, plain: v })),
  uint32.map((v) => ({ schema: TlvUInt32, value: v, plain: v })),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }).map((v) => ({ schema: TlvUInt64, value: v, plain: v })),
  fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) }).map((v) => ({ schema: TlvInt64, value: v, plain: v })),
  fc.integer({ min: -32768, max: 32767 }).map((v) => ({ schema: TlvInt16, value: v, plain: v })),
  fc.boolean().map((v) => ({ schema: TlvBoolean, value: v, plain: v })),
  fc.constant({ schema: TlvNullable(TlvUInt8), value: null, plain: null }),
  fc.uint8Array({ maxLength: 16 }).map((v) => ({ schema: TlvByteString, value: v, plain: v })),
  fc.array(uint16, { maxLength: 5 }).map((v) => ({ schema: TlvArray(TlvUInt16), value: v, plain: v })),
  fc.tuple(uint16, uint16).map(([cases, subscriptions]) =>
    ({ schema: Capability, value: { cases, subscriptions }, plain: { 0: cases, 1: subscriptions } })),
);

/** A report as matter.js builds one, and what decodeReportData must give for it. */
interface SampleReport { matter: Parameters<typeof encodeAttributePayload>[0]; ours: AttributeReport }
const concretePath = fc.record({ endpoint: uint16, cluster: uint32, attribute: uint32 });
const sampleReport: fc.Arbitrary<SampleReport> = fc.oneof(
  fc.tuple(concretePath, fc.option(uint32, { nil: undefined }), sampleValue).map(([path, dataVersion, sample]) => ({
    matter: {
      hasFabricSensitiveData: false,
      attributeData: { path: matterPath(path), tlv: sample.schema, payload: sample.value, dataVersion },
    },
    ours: {
      path: { ...path }, ...(dataVersion === undefined ? {} : { dataVersion }),
      data: decodeTlv(Bytes.of(sample.schema.encode(sample.value))),
    },
  })),
  fc.tuple(concretePath, fc.integer({ min: 0, max: 255 }), fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }))
    .map(([path, status, clusterStatus]) => ({
      matter: { hasFabricSensitiveData: false, attributeStatus: { path: matterPath(path), status: { status, clusterStatus } } },
      ours: { path: { ...path }, status: { status, ...(clusterStatus === undefined ? {} : { clusterStatus }) } },
    })),
);

describe('Interaction conformance suite (Node)', () => {
  for (const check of interactionChecks(lib)) it(check.name, () => check.run());
});

describe('facts read from matter.js', () => {
  it('opcodes equal matter.js MessageType', () => {
    for (const [name, code] of Object.entries(lib.InteractionOpcode)) {
      const matterName = name[0]!.toUpperCase() + name.slice(1);
      assert.equal(MessageType[matterName as keyof typeof MessageType], code, name);
    }
    assert.equal(Object.keys(lib.InteractionOpcode).length, Object.keys(MessageType).filter((k) => isNaN(Number(k))).length);
  });

  it('the revision is matter.js Specification.INTERACTION_MODEL_REVISION', () => {
    assert.equal(lib.INTERACTION_MODEL_REVISION, REVISION);
  });

  it('status codes equal matter.js Status, entry for entry', () => {
    const matterStatuses = Object.entries(Status).filter(([, code]) => typeof code === 'number');
    assert.equal(Object.keys(InteractionModelStatus).length, matterStatuses.length);
    for (const [matterName, code] of matterStatuses) {
      const name = matterName[0]!.toLowerCase() + matterName.slice(1);
      assert.equal(InteractionModelStatus[name as keyof typeof InteractionModelStatus], code, matterName);
    }
  });
});

describe('the suite fixtures are matter.js encodings', () => {
  const path = (endpoint: number, cluster: number, attribute?: number) => matterPath({ endpoint, cluster, attribute });
  const device = (reports: SampleReport['matter'][], rest: { subscriptionId?: number; moreChunkedMessages?: boolean;
    suppressResponse?: boolean }) => toHex(TlvDataReportForSend.encode({
    ...rest, interactionModelRevision: REVISION,
    attributeReports: reports.length ? reports.map((r) => encodeAttributePayload(r)) : undefined,
  }));
  const data = (p: object, schema: TlvSchema<any>, payload: unknown, dataVersion?: number): SampleReport['matter'] =>
    ({ hasFabricSensitiveData: false, attributeData: { path: p, tlv: schema, payload, dataVersion } });
  const status = (p: object, code: number, clusterStatus?: number): SampleReport['matter'] =>
    ({ hasFabricSensitiveData: false, attributeStatus: { path: p, status: { status: code, clusterStatus } } });

  it('ReadRequests', () => {
    const read = (paths: object[], isFabricFiltered: boolean) => toHex(TlvReadRequest.encode({
      attributeRequests: paths, isFabricFiltered, interactionModelRevision: REVISION,
    }));
    assert.equal(F.readVendorName, read([path(0, 0x28, 1)], true));
    assert.equal(F.readAllBasicInformation, read([path(0, 0x28)], false));
    assert.equal(F.readTwoAttributes, read([path(0, 0x28, 1), path(0, 0x28, 2)], true));
  });

  it('StatusResponses', () => {
    assert.equal(F.statusResponseSuccess,
      toHex(TlvStatusResponse.encode({ status: Status.Success, interactionModelRevision: REVISION })));
    assert.equal(F.statusResponseUnsupportedAttribute,
      toHex(TlvStatusResponse.encode({ status: Status.UnsupportedAttribute, interactionModelRevision: REVISION })));
  });

  it('ReportData as matter.js devices encode it', () => {
    assert.equal(F.reportVendorName,
      device([data(path(0, 0x28, 1), TlvString, 'matter-node.js', 0x1a2b3c4d)], { suppressResponse: true }));
    assert.equal(F.reportStatuses, device([
      status(path(0, 0x28, 0x99), Status.UnsupportedAttribute), status(path(1, 0x28, 1), Status.UnsupportedEndpoint),
      status(path(0, 0x1234, 0), Status.Failure, 2),
    ], { suppressResponse: true }));
    assert.equal(F.reportCapabilityMinima, device([data(path(0, 0x28, 0x13), Capability,
      { cases: 3, subscriptions: 65535 }, 7)], { suppressResponse: true }));
    const parts = { ...matterPath({ node: 0x8877665544332211n }), ...path(0, 0x1d, 3) };
    assert.equal(F.reportChunk, device([
      data(parts, TlvArray(TlvUInt16), [], 0x80000000), data({ ...parts, listIndex: null }, TlvUInt16, 1, 0x80000000),
    ], { subscriptionId: 0xdeadbeef, moreChunkedMessages: true }));
    assert.equal(F.reportEmpty, device([], { suppressResponse: true }));
  });

  it('the malformed reports are what they say, and matter.js refuses the ones its schema can see', () => {
    const revision = tlv.uint(REVISION, 0xff);
    const vendorPath = (tag: number) => tlv.list([tlv.uint(0, 2), tlv.uint(0x28, 3), tlv.uint(1, 4)], tag);
    const report = (members: TlvElement[]) => toHex(encodeTlv(tlv.struct([tlv.array([tlv.struct(members)], 1), revision])));
    assert.equal(F.reportMissingPath, report([tlv.struct([tlv.uint(1, 0), tlv.utf8('A', 2)], 1)]));
    assert.equal(F.reportStatusAndData, report([
      tlv.struct([vendorPath(0), tlv.struct([tlv.uint(0, 0)], 1)], 0), tlv.struct([vendorPath(1), tlv.utf8('A', 2)], 1),
    ]));
    assert.equal(F.reportPathStructure, report([
      tlv.struct([tlv.struct([tlv.uint(0, 2), tlv.uint(0x28, 3), tlv.uint(1, 4)], 1), tlv.utf8('A', 2)], 1),
    ]));
    assert.equal(F.statusResponseWithoutStatus, toHex(encodeTlv(tlv.struct([revision]))));
    assert.throws(() => TlvDataReport.decode(hex(F.reportMissingPath)), /path/);
    assert.throws(() => TlvDataReport.decode(hex(F.reportPathStructure)), /expected 23/);
    assert.throws(() => TlvStatusResponse.decode(hex(F.statusResponseWithoutStatus)), /status/);
  });
});

describe('ReadRequest against matter.js', () => {
  it('decodes with matter.js TlvReadRequest to the request', () => {
    const bytes = encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }] });
    assert.deepStrictEqual(TlvReadRequest.decode(bytes), {
      attributeRequests: [{ endpointId: 0, clusterId: 0x28, attributeId: 1 }], isFabricFiltered: true,
      interactionModelRevision: REVISION,
    });
  });

  it('random requests: our bytes are matter.js bytes and decode to the same paths', () => {
    fc.assert(fc.property(fc.array(pathArbitrary, { minLength: 1, maxLength: 4 }), fc.option(fc.boolean(), { nil: undefined }),
      (paths, fabricFiltered) => {
        const bytes = encodeReadRequest({ paths, ...(fabricFiltered === undefined ? {} : { fabricFiltered }) });
        const expected = { attributeRequests: paths.map(matterPath), isFabricFiltered: fabricFiltered ?? true,
          interactionModelRevision: REVISION };
        assert.equal(toHex(bytes), toHex(TlvReadRequest.encode(expected)));
        assert.deepStrictEqual(TlvReadRequest.decode(bytes), expected);
      }), { numRuns: 300 });
  });

  it('AttributePathIB round-trips through our encoder and decoder', () => {
    fc.assert(fc.property(pathArbitrary, (path) => {
      const element = decodeTlv(encodeTlv(encodeAttributePath(path, 'path')));
      assert.deepStrictEqual(decodeAttributePath(element, 'path'), { ...path });
    }), { numRuns: 300 });
  });

  it('refuses paths it cannot encode, naming the field', () => {
    const bad: [AttributePath, RegExp][] = [
      [{ node: 1 as unknown as bigint }, /paths\[0\]\.node/], [{ node: 2n ** 64n }, /paths\[0\]\.node/],
      [{ endpoint: -1 }, /paths\[0\]\.endpoint/], [{ cluster: 2 ** 32 }, /paths\[0\]\.cluster/],
      [{ attribute: Number.NaN }, /paths\[0\]\.attribute/], [{ listIndex: 0xffff }, /paths\[0\]\.listIndex/],
      [{ wildcardPathFlags: 2 ** 32 }, /paths\[0\]\.wildcardPathFlags/],
      [{ enableTagCompression: 1 as unknown as boolean }, /paths\[0\]\.enableTagCompression/],
    ];
    for (const [path, message] of bad) assert.throws(() => encodeReadRequest({ paths: [path] }), message);
    assert.throws(() => encodeReadRequest({ paths: [null as unknown as AttributePath] }), TypeError);
    assert.throws(() => encodeReadRequest({ paths: [{}], fabricFiltered: 'yes' as unknown as boolean }), /fabricFiltered/);
    assert.throws(() => encodeReadRequest({ paths: undefined as unknown as AttributePath[] }), /request\.paths/);
  });
});

describe('ReportData from matter.js', () => {
  it('random device reports decode to the reports matter.js was given', () => {
    fc.assert(fc.property(
      fc.array(sampleReport, { maxLength: 4 }), fc.option(uint32, { nil: undefined }), fc.boolean(), fc.boolean(),
      (reports, subscriptionId, moreChunkedMessages, suppressResponse) => {
        const bytes = Bytes.of(TlvDataReportForSend.encode({
          ...(subscriptionId === undefined ? {} : { subscriptionId }), moreChunkedMessages, suppressResponse,
          interactionModelRevision: REVISION, attributeReports: reports.map((r) => encodeAttributePayload(r.matter)),
        }));
        assert.deepStrictEqual(decodeReportData(bytes), {
          ...(subscriptionId === undefined ? {} : { subscriptionId }),
          attributeReports: reports.map((r) => r.ours), moreChunkedMessages, suppressResponse,
        });
      }), { numRuns: 300 });
  });

  it('a value decodes to the bytes its matter.js schema writes and to the plain value', () => {
    fc.assert(fc.property(sampleValue, ({ schema, value, plain }) => {
      const bytes = Bytes.of(TlvDataReport.encode({
        attributeReports: [{ attributeData: { path: matterPath({ endpoint: 0, cluster: 0x28, attribute: 1 }),
          data: schema.encodeTlv(value) as TlvStream } }],
      }));
      const data = decodeReportData(bytes).attributeReports[0]?.data;
      assert.ok(data);
      assert.equal(toHex(encodeTlv(data)), toHex(schema.encode(value)));
      assert.deepStrictEqual(tlvToPlainValue(data), plain);
    }), { numRuns: 300 });
  });

  it('ignores event reports, the revision and unknown tags', () => {
    const bytes = encodeTlv(tlv.struct([
      tlv.array([tlv.struct([tlv.struct([tlv.list([tlv.uint(0, 2), tlv.uint(6, 3), tlv.uint(0, 4), tlv.uint(9, 7)], 1),
        tlv.bool(true, 2), tlv.utf8('future', 9)], 1)])], 1),
      tlv.array([tlv.struct([])], 2), tlv.uint(99, 0xfe), tlv.uint(13, 0xff),
    ]));
    assert.deepStrictEqual(decodeReportData(bytes), {
      attributeReports: [{ path: { endpoint: 0, cluster: 6, attribute: 0 }, data: { type: 'bool', value: true } }],
      moreChunkedMessages: false, suppressResponse: false,
    });
  });

  it('names the field that is wrong', () => {
    const wrong: [TlvElement, string][] = [
      [tlv.struct([tlv.uint(2 ** 32, 0)]), 'ReportData.0'],
      [tlv.struct([tlv.struct([], 1)]), 'ReportData.1'],
      [tlv.struct([tlv.uint(1, 3)]), 'ReportData.3'],
      [tlv.struct([tlv.array([tlv.uint(1)], 1)]), 'ReportData.AttributeReports[0]'],
      [tlv.struct([tlv.array([tlv.struct([])], 1)]), 'ReportData.AttributeReports[0]'],
      [tlv.struct([tlv.array([tlv.struct([tlv.struct([tlv.list([], 0)], 0)])], 1)]),
        'ReportData.AttributeReports[0].AttributeStatus.1'],
      [tlv.struct([tlv.array([tlv.struct([tlv.struct([tlv.list([], 0), tlv.struct([tlv.uint(256, 0)], 1)], 0)])], 1)]),
        'ReportData.AttributeReports[0].AttributeStatus.1.0'],
      [tlv.struct([tlv.array([tlv.struct([tlv.struct([tlv.list([tlv.uint(0x10000, 2)], 1), tlv.null(2)], 1)])], 1)]),
        'ReportData.AttributeReports[0].AttributeData.Path.2'],
      [tlv.struct([tlv.array([tlv.struct([tlv.struct([tlv.list([tlv.uint(1, 2), tlv.uint(2, 2)], 1), tlv.null(2)], 1)])],
        1)]), 'ReportData.AttributeReports[0].AttributeData.Path.2'],
      [tlv.struct([tlv.array([tlv.struct([tlv.struct([tlv.list([tlv.uint(0xffff, 5)], 1), tlv.null(2)], 1)])], 1)]),
        'ReportData.AttributeReports[0].AttributeData.Path.5'],
      [tlv.struct([tlv.array([tlv.struct([tlv.struct([tlv.list([], 1)], 1)])], 1)]),
        'ReportData.AttributeReports[0].AttributeData.2'],
      [tlv.struct([tlv.array([tlv.struct([tlv.struct([tlv.list([], 1), tlv.int(1, 0), tlv.null(2)], 1)])], 1)]),
        'ReportData.AttributeReports[0].AttributeData.0'],
    ];
    for (const [element, field] of wrong) {
      assert.throws(() => decodeReportData(encodeTlv(element)), (e: unknown) =>
        e instanceof TlvFieldError && e.field === field, field);
    }
  });
});

describe('StatusResponse', () => {
  it('every status code: our bytes are matter.js bytes, and both decode each other', () => {
    for (let code = 0; code <= 0xff; code++) {
      const ours = encodeStatusResponse(code);
      assert.equal(toHex(ours), toHex(TlvStatusResponse.encode({ status: code, interactionModelRevision: REVISION })));
      assert.equal(TlvStatusResponse.decode(ours).status, code);
      assert.equal(decodeStatusResponse(Bytes.of(TlvStatusResponse.encode({ status: code }))), code);
    }
  });

  it('refuses codes that are not a byte, and a status that is not a uint8', () => {
    for (const code of [-1, 256, 1.5, Number.NaN]) assert.throws(() => encodeStatusResponse(code), RangeError);
    assert.throws(() => decodeStatusResponse(encodeTlv(tlv.struct([tlv.uint(256, 0)]))), TlvFieldError);
    assert.throws(() => decodeStatusResponse(encodeTlv(tlv.struct([tlv.bool(true, 0)]))), TlvFieldError);
  });
});

describe('attribute path syntax', () => {
  it('any in-range path, each part decimal or hexadecimal, parses back', () => {
    const part = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.constantFrom('dec', 'hex', 'HEX')).map(
      ([value, form]) => ({
        value, text: form === 'dec' ? String(value) : `0${form === 'hex' ? 'x' : 'X'}${value.toString(16)}`,
      }));
    fc.assert(fc.property(part(0xffff), part(UINT32_MAX), part(UINT32_MAX), (endpoint, cluster, attribute) => {
      assert.deepStrictEqual(parseAttributePath(`${endpoint.text}/${cluster.text}/${attribute.text}`),
        { endpoint: endpoint.value, cluster: cluster.value, attribute: attribute.value });
    }));
  });

  it('an out-of-range part is named', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 }), fc.bigInt({ min: 2n ** 32n, max: 2n ** 80n }), (index, value) => {
      const parts = ['0', '0x28', '1'];
      parts[index] = String(value);
      assert.throws(() => parseAttributePath(parts.join('/')), (e: unknown) => e instanceof InvalidAttributePathError
        && e.part === ['endpoint', 'cluster', 'attribute'][index] && e.message.includes(String(value)));
    }));
  });

  it('refuses a non-string', () => {
    assert.throws(() => parseAttributePath(1 as unknown as string), TypeError);
  });
});

describe('tlvToPlainValue', () => {
  it('gives every element type its JavaScript value', () => {
    assert.equal(tlvToPlainValue(tlv.utf8('Vendor')), 'Vendor');
    assert.equal(tlvToPlainValue(tlv.uint(2n ** 64n - 1n)), 2n ** 64n - 1n);
    assert.equal(tlvToPlainValue(tlv.int(-5)), -5);
    assert.equal(tlvToPlainValue(tlv.float32(1.5)), 1.5);
    assert.equal(tlvToPlainValue(tlv.float64(-0.25)), -0.25);
    assert.equal(tlvToPlainValue(tlv.bool(false)), false);
    assert.equal(tlvToPlainValue(tlv.null()), null);
    assert.deepStrictEqual(tlvToPlainValue(tlv.bytes(hex('0102'))), hex('0102'));
    assert.deepStrictEqual(tlvToPlainValue(tlv.list([tlv.uint(1, 3), tlv.utf8('a')])), [1, 'a']);
    assert.deepStrictEqual(tlvToPlainValue(tlv.array([tlv.struct([tlv.uint(1, 0), tlv.array([], 1), tlv.null(254)])])),
      [{ 0: 1, 1: [], 254: null }]);
    assert.deepStrictEqual(tlvToPlainValue(tlv.struct([
      tlv.uint(1, { common: 5 }), tlv.uint(2, { implicit: 6 }), tlv.uint(3, { vendor: 0xfff1, profile: 1, tag: 7 }),
    ])), { 'common:5': 1, 'implicit:6': 2, '65521:1:7': 3 });
  });
});

function untagged(element: TlvElement): TlvElement {
  const copy = { ...element };
  delete copy.tag;
  return copy;
}

describe('fuzzing: only typed errors', () => {
  const typed = (e: unknown) => e instanceof MalformedTlvError || e instanceof TlvFieldError;
  const decodesOrTypedError = (decode: (bytes: Uint8Array) => unknown) => (bytes: Uint8Array) => {
    try {
      decode(bytes);
    } catch (e) {
      if (!typed(e)) throw e;
    }
  };
  const reports = [F.reportVendorName, F.reportStatuses, F.reportCapabilityMinima, F.reportChunk, F.reportEmpty,
    F.reportStatusAndData].map(hex);
  const flips = fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 });
  const mutated = fc.tuple(fc.constantFrom(...reports), flips, fc.nat()).map(([bytes, changes, cut]) => {
    const copy = bytes.slice();
    for (const [at, value] of changes) copy[at % copy.length] = value;
    return copy.subarray(0, cut % (copy.length + 1) || copy.length);
  });
  // Well-formed TLV shaped like a report, so the fields' checks (not the TLV decoder) are what the input reaches.
  const { element } = fc.letrec<{ element: TlvElement }>((next) => ({
    element: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }))
        .map(([v, tag]) => tlv.uint(v, tag)),
      fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 7 })).map(([v, tag]) => tlv.bool(v, tag)),
      fc.integer({ min: 0, max: 7 }).map((tag) => tlv.null(tag)),
      fc.tuple(fc.array(next('element'), { maxLength: 4 }), fc.integer({ min: 0, max: 7 }))
        .map(([members, tag]) => tlv.list(members, tag)),
      fc.tuple(fc.uniqueArray(next('element'), { maxLength: 4, selector: (m) => JSON.stringify(m.tag) }),
        fc.integer({ min: 0, max: 7 })).map(([members, tag]) => tlv.struct(members.filter((m) => m.tag), tag)),
      fc.tuple(fc.array(next('element'), { maxLength: 3 }), fc.integer({ min: 0, max: 7 }))
        .map(([members, tag]) => tlv.array(members.map(untagged), tag)),
    ),
  }));
  const reportShaped = element.map(untagged).map((root) =>
    encodeTlv(root.type === 'struct' ? root : tlv.struct([tlv.array([root], 1)])));

  const decoders = [['decodeReportData', decodeReportData], ['decodeStatusResponse', decodeStatusResponse]] as const;
  for (const [name, decode] of decoders) {
    it(`${name}: random bytes`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), decodesOrTypedError(decode)), { numRuns: 3000 });
    });
    it(`${name}: mutated reports`, () => {
      fc.assert(fc.property(mutated, decodesOrTypedError(decode)), { numRuns: 3000 });
    });
    it(`${name}: well-formed TLV of any shape`, () => {
      fc.assert(fc.property(reportShaped, decodesOrTypedError(decode)), { numRuns: 2000 });
    });
  }
});
