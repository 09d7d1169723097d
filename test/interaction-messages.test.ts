// Invoke, Write, Timed and Subscribe messages and the typed cluster definitions against matter.js 0.17: every message
// of shared/vectors/im-commissioning-encodings.json encodes byte for byte and decodes back; random messages encode to
// the bytes matter.js's own schemas (@matter/types TlvInvokeRequest, TlvInvokeResponse, TlvWriteRequest, ...) write
// and decode what they write; the cluster ids, command ids, response ids and field encodings equal matter.js's model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Bytes } from '@matter/general';
import { Specification } from '@matter/model';
import {
  TlvArray, TlvField, TlvInvokeRequest, TlvInvokeResponse, TlvObject, TlvOfModel, TlvOptionalField, TlvString,
  TlvSubscribeRequest, TlvSubscribeResponse, TlvTimedRequest, TlvUInt16, TlvUInt32, TlvUInt8, TlvWriteRequest,
  TlvWriteResponse, type TlvStream,
} from '@matter/types';
import * as MatterClusters from '@matter/types/clusters';
import { MalformedTlvError, TlvFieldError, decodeTlv, encodeTlv, tlv, type TlvElement } from '../src/codec/tlv.js';
import * as lib from '../src/index.js';
import { INTERACTION_FIXTURES as F } from './conformance/interaction-suite.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Bytes | Uint8Array): string => Buffer.from(Bytes.of(b)).toString('hex');
const REVISION = Specification.INTERACTION_MODEL_REVISION;
const vectors = JSON.parse(readFileSync(new URL('../../shared/vectors/im-commissioning-encodings.json', import.meta.url), 'utf8'));
const V = vectors.messages;

/** A sample command-fields schema of matter.js and random values for it, with our TLV view of the bytes. */
const Sample = TlvObject({ a: TlvField(0, TlvUInt16), b: TlvOptionalField(1, TlvString), c: TlvOptionalField(2, TlvArray(TlvUInt8)) });
const sampleFields = fc.record({ a: fc.integer({ min: 0, max: 0xffff }), b: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  c: fc.option(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }), { nil: undefined }) })
  .map((value) => JSON.parse(JSON.stringify(value)) as { a: number; b?: string; c?: number[] });
const uint16 = fc.integer({ min: 0, max: 0xffff });
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const commandPath = fc.record({ endpoint: uint16, cluster: uint32, command: uint32 }).map((p) => ({ ...p }));
const matterCommandPath = (p: { endpoint?: number; cluster: number; command: number }) =>
  ({ ...(p.endpoint === undefined ? {} : { endpointId: p.endpoint }), clusterId: p.cluster, commandId: p.command }) as any;
const ours = (value: object) => decodeTlv(Bytes.of(Sample.encode(value as any)));
const stream = (value: object) => Sample.encodeTlv(value as any) as TlvStream;

describe('the vectors file: commissioning commands through the cluster definitions', () => {
  const cases: [string, lib.CommandDefinition<any, any>, (f: any) => any][] = [
    ['armFailSafe', lib.GeneralCommissioningCluster.commands.armFailSafe, (f) => ({ ...f, breadcrumb: BigInt(f.breadcrumb) })],
    ['setRegulatoryConfig', lib.GeneralCommissioningCluster.commands.setRegulatoryConfig, (f) => ({ ...f, breadcrumb: BigInt(f.breadcrumb) })],
    ['commissioningComplete', lib.GeneralCommissioningCluster.commands.commissioningComplete, () => undefined],
    ['certificateChainRequestDac', lib.OperationalCredentialsCluster.commands.certificateChainRequest, (f) => f],
    ['attestationRequest', lib.OperationalCredentialsCluster.commands.attestationRequest, (f) => ({ attestationNonce: hex(f.attestationNonce) })],
    ['csrRequest', lib.OperationalCredentialsCluster.commands.csrRequest, (f) => ({ csrNonce: hex(f.csrNonce) })],
    ['addTrustedRootCertificate', lib.OperationalCredentialsCluster.commands.addTrustedRootCertificate, (f) => ({ rootCaCertificate: hex(f.rootCaCertificate) })],
    ['addNoc', lib.OperationalCredentialsCluster.commands.addNoc, (f) => ({
      nocValue: hex(f.nocValue), icacValue: hex(f.icacValue), ipkValue: hex(f.ipkValue), caseAdminSubject: BigInt(f.caseAdminSubject),
      adminVendorId: f.adminVendorId })],
  ];
  for (const [name, definition, fieldsOf] of cases) {
    it(`${name}: the InvokeRequest is the vector's, and decodes back to the same fields`, () => {
      const vector = V[name];
      const fields = fieldsOf(vector.fields);
      const invocation = fields === undefined ? (definition.encode as () => lib.CommandInvocation)() : definition.encode(fields);
      assert.equal(invocation.cluster, Number(vector.cluster));
      assert.equal(invocation.command, Number(vector.command));
      assert.equal(invocation.fields === undefined ? null : toHex(encodeTlv(invocation.fields)), vector.commandFieldsTlv);
      const bytes = lib.encodeInvokeRequest({ commands: [{ path: { endpoint: 0, cluster: invocation.cluster, command: invocation.command },
        ...(invocation.fields ? { fields: invocation.fields } : {}) }] });
      assert.equal(toHex(bytes), vector.invokeRequest);
      const decoded = lib.decodeInvokeRequest(hex(vector.invokeRequest));
      assert.deepStrictEqual(decoded.commands[0]!.path, { endpoint: 0, cluster: invocation.cluster, command: invocation.command });
      assert.equal(decoded.suppressResponse, false);
      assert.equal(decoded.timedRequest, false);
      if (fields !== undefined) assert.deepStrictEqual(definition.decodeRequest(decoded.commands[0]!.fields), fields);
      else assert.equal(decoded.commands[0]!.fields, undefined);
    });
  }

  it('SubscribeRequest, SubscribeResponse and StatusResponse are the vectors', () => {
    const request = { keepSubscriptions: true, minIntervalFloor: 1, maxIntervalCeiling: 60,
      paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }], fabricFiltered: true };
    assert.equal(toHex(lib.encodeSubscribeRequest(request)), V.subscribeRequestVendorName.hex);
    assert.deepStrictEqual(lib.decodeSubscribeRequest(hex(V.subscribeRequestVendorName.hex)), { ...request, dataVersionFilters: [] });
    assert.equal(toHex(lib.encodeSubscribeResponse({ subscriptionId: 0x12345678, maxInterval: 60 })), V.subscribeResponse.hex);
    assert.deepStrictEqual(lib.decodeSubscribeResponse(hex(V.subscribeResponse.hex)), { subscriptionId: 0x12345678, maxInterval: 60 });
    assert.equal(toHex(lib.encodeStatusResponse(0)), V.statusResponseSuccess.hex);
  });
});

describe('the conformance suite\'s new fixtures are matter.js encodings (and the vectors file\'s)', () => {
  it('Invoke, Timed, Write and Subscribe fixtures', () => {
    const ArmResponse = TlvObject({ errorCode: TlvField(0, TlvUInt8), debugText: TlvField(1, TlvString) });
    const path = (endpointId: number, clusterId: number, commandId: number) => ({ endpointId, clusterId, commandId }) as any;
    assert.equal(F.invokeArmFailSafe, V.armFailSafe.invokeRequest);
    assert.equal(F.invokeCommissioningComplete, V.commissioningComplete.invokeRequest);
    assert.equal(F.subscribeVendorName, V.subscribeRequestVendorName.hex);
    assert.equal(F.subscribeResponse, V.subscribeResponse.hex);
    assert.equal(F.invokeResponseArmFailSafe, toHex(TlvInvokeResponse.encode({ suppressResponse: false, interactionModelRevision: REVISION,
      invokeResponses: [{ command: { commandPath: path(0, 0x30, 1), commandFields: ArmResponse.encodeTlv({ errorCode: 0, debugText: '' }) as TlvStream } }] })));
    assert.equal(F.invokeResponseUnsupportedCommand, toHex(TlvInvokeResponse.encode({ suppressResponse: false, interactionModelRevision: REVISION,
      invokeResponses: [{ status: { commandPath: path(1, 6, 2), status: { status: 0x81 } as any } }] })));
    assert.equal(F.timedRequest500, toHex(TlvTimedRequest.encode({ timeout: 500, interactionModelRevision: REVISION })));
    const label = { endpointId: 0, clusterId: 0x28, attributeId: 5 } as any;
    assert.equal(F.writeNodeLabel, toHex(TlvWriteRequest.encode({ suppressResponse: false, timedRequest: false, interactionModelRevision: REVISION,
      writeRequests: [{ path: label, data: TlvString.encodeTlv('Kitchen') as TlvStream, dataVersion: 7 }] })));
    assert.equal(F.writeResponseConstraintError, toHex(TlvWriteResponse.encode({ interactionModelRevision: REVISION,
      writeResponses: [{ path: label, status: { status: 0x87 } as any }] })));
  });
});

describe('InvokeRequest and InvokeResponse against matter.js', () => {
  it('random requests: our bytes are matter.js bytes and both decode them alike', () => {
    fc.assert(fc.property(fc.array(fc.tuple(commandPath, fc.option(sampleFields, { nil: undefined })), { minLength: 1, maxLength: 3 }),
      fc.boolean(), fc.boolean(), (commands, suppressResponse, timedRequest) => {
        const several = commands.length > 1;
        const bytes = lib.encodeInvokeRequest({ suppressResponse, timedRequest, commands: commands.map(([path, f], i) => ({
          path, ...(f ? { fields: ours(f) } : {}), ...(several ? { ref: i } : {}) })) });
        const matter = { suppressResponse, timedRequest, interactionModelRevision: REVISION, invokeRequests: commands.map(([path, f], i) => ({
          commandPath: matterCommandPath(path), ...(f ? { commandFields: stream(f) } : {}), ...(several ? { commandRef: i } : {}) })) };
        assert.equal(toHex(bytes), toHex(TlvInvokeRequest.encode(matter)));
        const back = lib.decodeInvokeRequest(bytes);
        assert.deepStrictEqual(back.commands.map((c) => c.path), commands.map(([p]) => p));
        back.commands.forEach((c, i) => {
          const f = commands[i]![1];
          if (f) assert.deepStrictEqual(Sample.decode(encodeTlv(c.fields!)), f);
          else assert.equal(c.fields, undefined);
        });
        assert.deepStrictEqual(TlvInvokeRequest.decode(bytes).invokeRequests.map((c) => c.commandPath), commands.map(([p]) => matterCommandPath(p)));
      }), { numRuns: 200 });
  });

  const statusArb = fc.record({ status: fc.integer({ min: 0, max: 255 }), clusterStatus: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }) })
    .map((s) => (s.clusterStatus === undefined ? { status: s.status } : { ...s }));
  const entryArb = fc.oneof(
    fc.tuple(commandPath, fc.option(sampleFields, { nil: undefined }), fc.option(uint16, { nil: undefined })).map(([path, f, ref]) => ({ kind: 'command' as const, path, f, ref })),
    fc.tuple(commandPath, statusArb, fc.option(uint16, { nil: undefined })).map(([path, status, ref]) => ({ kind: 'status' as const, path, status, ref })),
  );

  it('random responses (chunked or not): matter.js bytes decode to what it was given, and ours are its bytes', () => {
    fc.assert(fc.property(fc.array(entryArb, { maxLength: 4 }), fc.boolean(), (entries, more) => {
      const refOf = (ref: number | undefined) => (ref === undefined ? {} : { ref });
      const matter = { suppressResponse: false, interactionModelRevision: REVISION, ...(more ? { moreChunkedMessages: true } : {}),
        invokeResponses: entries.map((e) => (e.kind === 'command'
          ? { command: { commandPath: matterCommandPath(e.path), ...(e.f ? { commandFields: stream(e.f) } : {}), ...(e.ref === undefined ? {} : { commandRef: e.ref }) } }
          : { status: { commandPath: matterCommandPath(e.path), status: e.status as any, ...(e.ref === undefined ? {} : { commandRef: e.ref }) } })) };
      const expected: lib.InvokeResponseEntry[] = entries.map((e) => (e.kind === 'command'
        ? { command: { path: e.path, ...(e.f ? { fields: ours(e.f) } : {}), ...refOf(e.ref) } }
        : { status: { path: e.path, status: e.status, ...refOf(e.ref) } }));
      const matterBytes = Bytes.of(TlvInvokeResponse.encode(matter as any));
      assert.deepStrictEqual(lib.decodeInvokeResponse(matterBytes), { suppressResponse: false, responses: expected, moreChunkedMessages: more });
      assert.equal(toHex(lib.encodeInvokeResponse({ responses: expected, moreChunkedMessages: more })), toHex(matterBytes));
    }), { numRuns: 200 });
  });

  it('refuses what it cannot encode, naming the field, and decoding errors are typed', () => {
    assert.throws(() => lib.encodeInvokeRequest({ commands: [] }), /request\.commands/);
    assert.throws(() => lib.encodeInvokeRequest({ commands: [{ path: { endpoint: 0x10000, cluster: 6, command: 2 } }] }), /request\.commands\[0\]\.path\.endpoint/);
    assert.throws(() => lib.encodeInvokeRequest({ commands: [{ path: { endpoint: 1, cluster: 6, command: 2 }, ref: -1 }] }), /request\.commands\[0\]\.ref/);
    assert.throws(() => lib.encodeInvokeRequest({ commands: [{ path: { endpoint: 1, cluster: 6, command: 2 } }], timedRequest: 1 as unknown as boolean }), /request\.timedRequest/);
    assert.throws(() => lib.encodeInvokeResponse({ responses: [{} as lib.InvokeResponseEntry] }), /exactly one of command and status/);
    const both = encodeTlv(tlv.struct([tlv.bool(false, 0), tlv.array([tlv.struct([
      tlv.struct([tlv.list([tlv.uint(1, 0), tlv.uint(6, 1), tlv.uint(2, 2)], 0)], 0),
      tlv.struct([tlv.list([tlv.uint(1, 0), tlv.uint(6, 1), tlv.uint(2, 2)], 0), tlv.struct([tlv.uint(0, 0)], 1)], 1)])], 1)]));
    assert.throws(() => lib.decodeInvokeResponse(both), (e: unknown) => e instanceof TlvFieldError && e.field === 'InvokeResponse.InvokeResponses[0]');
    const pathAsStruct = encodeTlv(tlv.struct([tlv.bool(false, 0), tlv.bool(false, 1), tlv.array([tlv.struct([
      tlv.struct([tlv.uint(1, 0), tlv.uint(6, 1), tlv.uint(2, 2)], 0)])], 2)]));
    assert.throws(() => lib.decodeInvokeRequest(pathAsStruct), (e: unknown) => e instanceof TlvFieldError && e.field === 'InvokeRequest.InvokeRequests[0].path');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      for (const decode of [lib.decodeInvokeRequest, lib.decodeInvokeResponse, lib.decodeWriteRequest, lib.decodeWriteResponse,
        lib.decodeSubscribeRequest, lib.decodeSubscribeResponse, lib.decodeTimedRequest]) {
        try { decode(bytes); } catch (e) { if (!(e instanceof MalformedTlvError || e instanceof TlvFieldError)) throw e; }
      }
    }), { numRuns: 2000 });
  });
});

describe('TimedRequest, WriteRequest, WriteResponse, SubscribeRequest/Response against matter.js', () => {
  it('TimedRequest: every timeout in steps, both ways', () => {
    for (let ms = 0; ms <= 0xffff; ms += 257) {
      const bytes = lib.encodeTimedRequest(ms);
      assert.equal(toHex(bytes), toHex(TlvTimedRequest.encode({ timeout: ms, interactionModelRevision: REVISION })));
      assert.equal(lib.decodeTimedRequest(bytes), ms);
      assert.equal(TlvTimedRequest.decode(bytes).timeout, ms);
    }
    assert.throws(() => lib.encodeTimedRequest(0x10000), /timeoutMs/);
  });

  const attributePath = fc.record({ endpoint: uint16, cluster: uint32, attribute: uint32 }).map((p) => ({ ...p }));
  const matterAttributePath = (p: { endpoint: number; cluster: number; attribute: number }) =>
    ({ endpointId: p.endpoint, clusterId: p.cluster, attributeId: p.attribute }) as any;

  it('WriteRequest: random writes, our bytes are matter.js bytes, and both decode them', () => {
    fc.assert(fc.property(fc.array(fc.tuple(attributePath, sampleFields, fc.option(uint32, { nil: undefined })), { minLength: 1, maxLength: 3 }),
      fc.boolean(), fc.boolean(), (writes, timedRequest, more) => {
        const bytes = lib.encodeWriteRequest({ timedRequest, moreChunkedMessages: more, writes: writes.map(([path, v, dataVersion]) =>
          ({ path, data: ours(v), ...(dataVersion === undefined ? {} : { dataVersion }) })) });
        const matter = { suppressResponse: false, timedRequest, interactionModelRevision: REVISION, ...(more ? { moreChunkedMessages: true } : {}),
          writeRequests: writes.map(([path, v, dataVersion]) => ({ path: matterAttributePath(path), data: stream(v),
            ...(dataVersion === undefined ? {} : { dataVersion }) })) };
        assert.equal(toHex(bytes), toHex(TlvWriteRequest.encode(matter as any)));
        const back = lib.decodeWriteRequest(bytes);
        assert.equal(back.timedRequest, timedRequest);
        assert.equal(back.moreChunkedMessages, more);
        back.writes.forEach((w, i) => {
          assert.deepStrictEqual(w.path, writes[i]![0]);
          assert.deepStrictEqual(Sample.decode(encodeTlv(w.data)), writes[i]![1]);
          assert.equal(w.dataVersion, writes[i]![2]);
        });
      }), { numRuns: 200 });
  });

  it('WriteResponse: random statuses both ways', () => {
    fc.assert(fc.property(fc.array(fc.tuple(attributePath, fc.integer({ min: 0, max: 255 }), fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined })), { maxLength: 4 }),
      (entries) => {
        const statuses = entries.map(([path, status, clusterStatus]) => ({ path, status: clusterStatus === undefined ? { status } : { status, clusterStatus } }));
        const matter = { interactionModelRevision: REVISION, writeResponses: statuses.map((s) => ({ path: matterAttributePath(s.path), status: s.status as any })) };
        const bytes = lib.encodeWriteResponse(statuses);
        assert.equal(toHex(bytes), toHex(TlvWriteResponse.encode(matter)));
        assert.deepStrictEqual(lib.decodeWriteResponse(Bytes.of(TlvWriteResponse.encode(matter))), statuses);
      }), { numRuns: 200 });
  });

  it('SubscribeRequest with data version filters, and SubscribeResponse: random, both ways', () => {
    fc.assert(fc.property(fc.boolean(), uint16, uint16, fc.array(attributePath, { minLength: 1, maxLength: 3 }), fc.boolean(),
      fc.array(fc.record({ endpoint: uint16, cluster: uint32, dataVersion: uint32 }).map((f) => ({ ...f })), { maxLength: 2 }),
      (keepSubscriptions, a, b, paths, fabricFiltered, dataVersionFilters) => {
        const [minIntervalFloor, maxIntervalCeiling] = a <= b ? [a, b] : [b, a];
        const request = { keepSubscriptions, minIntervalFloor, maxIntervalCeiling, paths, fabricFiltered, dataVersionFilters };
        const bytes = lib.encodeSubscribeRequest(request);
        const matter = { keepSubscriptions, minIntervalFloorSeconds: minIntervalFloor, maxIntervalCeilingSeconds: maxIntervalCeiling,
          attributeRequests: paths.map(matterAttributePath), isFabricFiltered: fabricFiltered, interactionModelRevision: REVISION,
          ...(dataVersionFilters.length ? { dataVersionFilters: dataVersionFilters.map((f) => ({ path: { endpointId: f.endpoint, clusterId: f.cluster } as any, dataVersion: f.dataVersion })) } : {}) };
        assert.equal(toHex(bytes), toHex(TlvSubscribeRequest.encode(matter)));
        assert.deepStrictEqual(lib.decodeSubscribeRequest(Bytes.of(TlvSubscribeRequest.encode(matter))), request);
      }), { numRuns: 200 });
    fc.assert(fc.property(uint32, uint16, (subscriptionId, maxInterval) => {
      const bytes = lib.encodeSubscribeResponse({ subscriptionId, maxInterval });
      assert.equal(toHex(bytes), toHex(TlvSubscribeResponse.encode({ subscriptionId, maxInterval, interactionModelRevision: REVISION })));
      assert.deepStrictEqual(TlvSubscribeResponse.decode(bytes), { subscriptionId, maxInterval, interactionModelRevision: REVISION });
    }), { numRuns: 200 });
    assert.throws(() => lib.encodeSubscribeRequest({ keepSubscriptions: true, minIntervalFloor: 10, maxIntervalCeiling: 5, paths: [{}] }), /maxIntervalCeiling/);
    assert.throws(() => lib.encodeSubscribeRequest({ keepSubscriptions: true, minIntervalFloor: 0, maxIntervalCeiling: 5, paths: [] }), /request\.paths/);
  });
});

describe('subscription intervals, as matter.js chooses them', () => {
  it('MaxInterval: the ceiling capped at 180 s, at least 2 s and the floor, plus up to 10 s, at most 60 min', () => {
    assert.equal(lib.selectMaxInterval(0, 60, {}, () => 0), 60);
    assert.equal(lib.selectMaxInterval(0, 60, {}, () => 0.999), 69);
    assert.equal(lib.selectMaxInterval(0, 1000, {}, () => 0), 180);
    assert.equal(lib.selectMaxInterval(0, 0, {}, () => 0), 2);
    assert.equal(lib.selectMaxInterval(300, 400, {}, () => 0), 300);
    assert.equal(lib.selectMaxInterval(4000, 5000, {}, () => 0), 4000, 'never below the floor, even past 60 min');
    assert.equal(lib.selectMaxInterval(0, 1, { minIntervalSeconds: 1, randomizationWindowSeconds: 0 }), 1);
  });

  it('keep-alive: half of MaxInterval, or 80 % when half is under a minute', () => {
    assert.equal(lib.keepAliveIntervalMs(180, 0), 90_000);
    assert.equal(lib.keepAliveIntervalMs(60, 0), 48_000);
    assert.equal(lib.keepAliveIntervalMs(60, 55), 55_000);
    assert.equal(lib.keepAliveIntervalMs(1, 0, { minIntervalSeconds: 0 }), 800);
  });
});

// ---- the cluster definitions against matter.js's model ---------------------------------------------------------------

const pairs: [string, any][] = [
  ['BasicInformation', lib.BasicInformationCluster], ['GeneralCommissioning', lib.GeneralCommissioningCluster],
  ['OperationalCredentials', lib.OperationalCredentialsCluster], ['Descriptor', lib.DescriptorCluster],
  ['AccessControl', lib.AccessControlCluster], ['AdministratorCommissioning', lib.AdministratorCommissioningCluster],
  ['OnOff', lib.OnOffCluster],
];

/** Sample requests and responses per command, encoded by both sides. */
const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const SAMPLES: Record<string, { request?: any; response?: any; matterRequest?: any }> = {
  armFailSafe: { request: { expiryLengthSeconds: 900, breadcrumb: 2n ** 63n }, response: { errorCode: 4, debugText: 'busy' } },
  setRegulatoryConfig: { request: { newRegulatoryConfig: 2, countryCode: 'DE', breadcrumb: 7n }, response: { errorCode: 0, debugText: '' } },
  commissioningComplete: { response: { errorCode: 2, debugText: 'Command must be executed over CASE session' } },
  attestationRequest: { request: { attestationNonce: bytes(32) }, response: { attestationElements: bytes(600), attestationSignature: bytes(64, 2) } },
  certificateChainRequest: { request: { certificateType: 2 }, response: { certificate: bytes(500) } },
  csrRequest: { request: { csrNonce: bytes(32), isForUpdateNoc: true }, response: { nocsrElements: bytes(250), attestationSignature: bytes(64) } },
  addNoc: { request: { nocValue: bytes(300), ipkValue: bytes(16), caseAdminSubject: 0x1122334455667788n, adminVendorId: 0xfff1 },
    response: { statusCode: 0, fabricIndex: 3 } },
  updateNoc: { request: { nocValue: bytes(250), icacValue: bytes(230) }, response: { statusCode: 3, debugText: 'bad' } },
  updateFabricLabel: { request: { label: 'Living room' }, response: { statusCode: 10 } },
  removeFabric: { request: { fabricIndex: 254 }, response: { statusCode: 11 } },
  addTrustedRootCertificate: { request: { rootCaCertificate: bytes(240) } },
  openCommissioningWindow: { request: { commissioningTimeout: 900, pakePasscodeVerifier: bytes(97), discriminator: 3840, iterations: 1000, salt: bytes(32) } },
  openBasicCommissioningWindow: { request: { commissioningTimeout: 180 } },
  revokeCommissioning: {}, off: {}, on: {}, toggle: {},
  // matter.js writes bitmaps from objects of flags: bit 0 of OnOffControl is AcceptOnlyWhenOn.
  onWithTimedOff: { request: { onOffControl: 1, onTime: 300, offWaitTime: 20 }, matterRequest: { onOffControl: { acceptOnlyWhenOn: true }, onTime: 300, offWaitTime: 20 } },
};

describe('cluster definitions equal matter.js 0.17 model', () => {
  for (const [name, cluster] of pairs) {
    it(`${name}: cluster id, attribute ids, command ids, timed flags, response ids`, () => {
      const matter = (MatterClusters as any)[name];
      assert.equal(cluster.id, matter.id);
      for (const [key, attr] of Object.entries<any>(cluster.attributes)) assert.equal(attr.id, matter.attributes[key]?.id, `${name}.${key}`);
      for (const [key, command] of Object.entries<any>(cluster.commands)) {
        const model = matter.commands[key]?.schema;
        assert.ok(model, `${name}.${key} exists in matter.js`);
        assert.equal(command.id, model.id, `${name}.${key} id`);
        assert.equal(command.cluster, cluster.id);
        assert.equal(command.timed, model.effectiveAccess?.timed === true, `${name}.${key} timed`);
        assert.equal(command.response?.id, model.responseModel?.id, `${name}.${key} response id`);
      }
    });
  }

  it('every command\'s request and response fields encode as matter.js does, and decode what matter.js writes', () => {
    let checked = 0;
    for (const [name, cluster] of pairs) {
      for (const [key, command] of Object.entries<lib.CommandDefinition<any, any>>(cluster.commands)) {
        const model = (MatterClusters as any)[name].commands[key].schema;
        const sample = SAMPLES[key];
        assert.ok(sample, `a sample for ${key}`);
        if (command.request) {
          const matterBytes = Bytes.of(TlvOfModel(model).encode(sample.matterRequest ?? sample.request));
          assert.equal(toHex(encodeTlv(command.encode(sample.request).fields!)), toHex(matterBytes), `${key} request`);
          assert.deepStrictEqual(command.decodeRequest(decodeTlv(matterBytes)), sample.request, `${key} request decoded`);
          checked++;
        } else {
          assert.equal(command.encode(undefined as never).fields, undefined);
        }
        if (command.response) {
          const matterBytes = Bytes.of(TlvOfModel(model.responseModel).encode(sample.response));
          const encoded = command.encodeResponse(sample.response);
          assert.equal(toHex(encodeTlv(encoded.fields)), toHex(matterBytes), `${key} response`);
          assert.deepStrictEqual(command.decodeResponse({ responseCommand: command.response.id, fields: decodeTlv(matterBytes) }), sample.response);
          checked++;
        }
      }
    }
    assert.ok(checked >= 20, `${checked} encodings compared`);
  });

  it('the structures equal matter.js: ACL entry, NOC, fabric descriptor, device type', () => {
    const structs: [string, string, lib.StructType<any>, any][] = [
      ['AccessControl', 'AccessControlEntryStruct', lib.AccessControlEntryStruct,
        { privilege: 5, authMode: 2, subjects: [0x1122334455667788n, 3n], targets: [{ cluster: 6, endpoint: null, deviceType: null }], fabricIndex: 1 }],
      ['AccessControl', 'AccessControlEntryStruct', lib.AccessControlEntryStruct, { privilege: 3, authMode: 3, subjects: null, targets: null, fabricIndex: 2 }],
      ['OperationalCredentials', 'NOCStruct', lib.NocStruct, { noc: bytes(200), icac: null, fabricIndex: 1 }],
      ['OperationalCredentials', 'FabricDescriptorStruct', lib.FabricDescriptorStruct,
        { rootPublicKey: bytes(65, 4), vendorId: 0xfff1, fabricId: 1n, nodeId: 0x1234n, label: 'home', fabricIndex: 1 }],
      ['Descriptor', 'DeviceTypeStruct', lib.DeviceTypeStruct, { deviceType: 0x100, revision: 3 }],
    ];
    for (const [cluster, structName, ours, value] of structs) {
      const model = (MatterClusters as any)[cluster].schema.datatypes.find((d: any) => d.name === structName);
      const matterBytes = Bytes.of(TlvOfModel(model).encode(value));
      assert.equal(toHex(encodeTlv(ours.encode(value, 'value'))), toHex(matterBytes), structName);
      assert.deepStrictEqual(ours.decode(decodeTlv(matterBytes), structName), value);
    }
  });

  it('bad fields are refused by name: TypeError/RangeError encoding, TlvFieldError or ConstraintError decoding', () => {
    const arm = lib.GeneralCommissioningCluster.commands.armFailSafe;
    assert.throws(() => lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 70000, breadcrumb: 0n }), (e: unknown) =>
      e instanceof RangeError && /fields\.expiryLengthSeconds/.test(e.message));
    assert.throws(() => lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 60 } as never), (e: unknown) =>
      e instanceof TypeError && /fields\.breadcrumb: missing/.test(e.message));
    assert.throws(() => lib.operationalCredentials.csrRequest({ csrNonce: bytes(31) }), /fields\.csrNonce: expected 32 bytes, got 31/);
    assert.throws(() => lib.generalCommissioning.setRegulatoryConfig({ newRegulatoryConfig: 1, countryCode: 'XXX', breadcrumb: 0n }), /fields\.countryCode/);
    assert.throws(() => arm.decodeRequest(tlv.struct([tlv.uint(60, 0)])), (e: unknown) => e instanceof TlvFieldError && e.field === 'ArmFailSafe.breadcrumb');
    assert.throws(() => arm.decodeRequest(tlv.struct([tlv.utf8('60', 0), tlv.uint(0, 1)])), (e: unknown) => e instanceof TlvFieldError && e.field === 'ArmFailSafe.expiryLengthSeconds');
    assert.throws(() => lib.OperationalCredentialsCluster.commands.csrRequest.decodeRequest(tlv.struct([tlv.bytes(bytes(8), 0)])),
      (e: unknown) => e instanceof lib.ConstraintError && e.status === lib.InteractionModelStatus.constraintError && e.field === 'CSRRequest.csrNonce');
    assert.throws(() => arm.decodeResponse({ responseCommand: 5, fields: tlv.struct([]) }), /expected response command 0x1/);
    assert.throws(() => arm.decodeResponse({}), /got a status/);
    const fields: TlvElement = tlv.struct([tlv.uint(0, 0), tlv.utf8('', 1), tlv.utf8('future', 9)]);
    assert.deepStrictEqual(arm.decodeResponse({ responseCommand: 1, fields }), { errorCode: 0, debugText: '' }, 'unknown tags are skipped');
  });
});

describe('the exports', () => {
  it('src/index.ts exports the clusters and the new interaction API', () => {
    for (const name of ['invoke', 'invokeMany', 'writeAttribute', 'writeAttributes', 'subscribe', 'InteractionServer',
      'GeneralCommissioningCluster', 'generalCommissioning', 'operationalCredentials', 'onOff', 'invokeCommand', 'serveCommand']) {
      assert.ok(name in lib, name);
    }
    assert.equal(typeof TlvUInt32.encode, 'function');
  });
});
