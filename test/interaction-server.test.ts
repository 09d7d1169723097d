// Invoke, Write, Timed and Subscribe interactions between our client and our InteractionServer, over a PASE session
// on the in-memory link (UDP-like: reliable messaging on): command responses and every status path (unsupported
// endpoint / cluster / command, constraint error, invalid command, a throwing handler, cluster status, timed
// interactions and their mismatches, access refused by the authorize hook), writes with data versions, and
// subscriptions: priming, change reports, keep-alive reports at MaxInterval, MinInterval respected,
// KeepSubscriptions=false, loss by silence, cancel, and the end of a session ending them (with the session
// manager's event and count following).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { tlv, type TlvElement } from '../src/codec/tlv.js';
import { memoryLink } from './support/memory-link.js';

await lib.ready();
const PASSCODE = 20202021;
const Status = lib.InteractionModelStatus;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Our commissioner and our device paired by PASE, the device serving `setup`'s clusters. */
async function paired(options: lib.InteractionServerOptions = {}) {
  const link = memoryLink(false);
  const commissioner = await lib.SessionManager.create({}), device = await lib.SessionManager.create({});
  const ce = new lib.ExchangeManager(commissioner), de = new lib.ExchangeManager(device);
  link.a.receiver = (d, c) => ce.receive(d, c);
  link.b.receiver = (d, c) => de.receive(d, c);
  const opened: lib.SecureSession[] = [];
  new lib.PaseResponder(de, { passcode: PASSCODE, onSession: (s) => opened.push(s) });
  const server = new lib.InteractionServer(de, options);
  const light = serveLight(server);
  const session = await lib.establishPase(ce, link.a, { passcode: PASSCODE });
  for (let i = 0; i < 50 && opened.length === 0; i++) await sleep(5);
  return {
    link, commissioner, device, ce, de, server, session, light, deviceSession: opened[0]!,
    close: async () => { server.close(); ce.close(); de.close(); await commissioner.close(); await device.close(); },
  };
}

/** Endpoint 1: On/Off (OnOff attribute, Off/On/Toggle); endpoint 0: General Commissioning, a test cluster 0xFFF1FC00. */
function serveLight(server: lib.InteractionServer) {
  const seen: { contexts: lib.InteractionContext[] } = { contexts: [] };
  const { OnOffCluster, GeneralCommissioningCluster, OperationalCredentialsCluster } = lib;
  let on = false;
  const set = (value: boolean) => { on = value; server.setAttribute(1, OnOffCluster.id, OnOffCluster.attributes.onOff.id, tlv.bool(on)); };
  server.addCluster(1, OnOffCluster.id, {
    attributes: { [OnOffCluster.attributes.onOff.id]: { value: tlv.bool(false) } },
    commands: {
      [OnOffCluster.commands.off.id]: lib.serveCommand(OnOffCluster.commands.off, () => set(false)),
      [OnOffCluster.commands.on.id]: lib.serveCommand(OnOffCluster.commands.on, () => set(true)),
      [OnOffCluster.commands.toggle.id]: lib.serveCommand(OnOffCluster.commands.toggle, (_f, context) => {
        seen.contexts.push(context);
        set(!on);
      }),
    },
  });
  server.addCluster(0, GeneralCommissioningCluster.id, {
    attributes: {
      [GeneralCommissioningCluster.attributes.breadcrumb.id]: {
        value: tlv.uint(0), writable: true,
        validate: (value) => { if (value.type !== 'uint') throw new lib.ConstraintError('Breadcrumb', 'expected a uint64'); },
      },
      [GeneralCommissioningCluster.attributes.supportsConcurrentConnection.id]: { value: tlv.bool(true) },
    },
    commands: {
      [GeneralCommissioningCluster.commands.armFailSafe.id]: lib.serveCommand(GeneralCommissioningCluster.commands.armFailSafe,
        ({ expiryLengthSeconds }) => ({ errorCode: expiryLengthSeconds > 900 ? lib.CommissioningErrorCode.valueOutsideRange : 0, debugText: '' })),
      [GeneralCommissioningCluster.commands.commissioningComplete.id]: lib.serveCommand(GeneralCommissioningCluster.commands.commissioningComplete,
        (_f, context) => { throw new lib.InteractionStatusError(Status.failure, 'not over PASE', { clusterStatus: context.authMode === 'pase' ? 2 : 0 }); }),
    },
  });
  server.addCluster(0, OperationalCredentialsCluster.id, {
    commands: {
      [OperationalCredentialsCluster.commands.csrRequest.id]: lib.serveCommand(OperationalCredentialsCluster.commands.csrRequest,
        () => { throw new Error('the key store is broken'); }),
    },
  });
  // A manufacturer cluster with a timed command and a timed, range-checked attribute.
  server.addCluster(0, 0xfff1fc00, {
    attributes: {
      0: { value: tlv.uint(5), writable: true, timed: true },
      1: { value: tlv.uint(1), writable: true, validate: (v) => {
        if (v.type !== 'uint' || Number(v.value) > 10) throw new lib.ConstraintError('limit', 'expected 0 to 10');
      } },
    },
    commands: { 7: { timed: true, handler: (_f, context) => { seen.contexts.push(context); return { command: 8, fields: tlv.struct([tlv.bool(context.timed, 0)]) }; } } },
  });
  return seen;
}

const rejectsWith = (promise: Promise<unknown>, status: number, extra: (e: lib.InteractionStatusError) => boolean = () => true) =>
  assert.rejects(promise, (e: unknown) => e instanceof lib.InteractionStatusError && e.status === status && extra(e));

describe('Invoke against our InteractionServer (PASE, in memory)', () => {
  it('Toggle changes OnOff, read back; the handler sees the PASE context', async () => {
    const p = await paired();
    try {
      const onOff = { endpoint: 1, cluster: 6, attribute: 0 };
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(p.ce, p.session, onOff)), false);
      assert.deepStrictEqual(await lib.invoke(p.ce, p.session, { endpoint: 1, ...lib.onOff.toggle() }), {});
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(p.ce, p.session, onOff)), true);
      const context = p.light.contexts[0]!;
      assert.equal(context.authMode, 'pase');
      assert.equal(context.fabricIndex, undefined);
      assert.equal(context.subject, 0n);
      assert.equal(context.timed, false);
      assert.equal(context.session, p.deviceSession);
    } finally {
      await p.close();
    }
  });

  it('a typed command: ArmFailSafe answers ArmFailSafeResponse, decoded', async () => {
    const p = await paired();
    try {
      const arm = lib.GeneralCommissioningCluster.commands.armFailSafe;
      assert.deepStrictEqual(await lib.invokeCommand(p.ce, p.session, 0, arm, { expiryLengthSeconds: 60, breadcrumb: 1n }), { errorCode: 0, debugText: '' });
      assert.deepStrictEqual(await lib.invokeCommand(p.ce, p.session, 0, arm, { expiryLengthSeconds: 1000, breadcrumb: 1n }), { errorCode: 1, debugText: '' });
      const raw = await lib.invoke(p.ce, p.session, { endpoint: 0, ...lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 5, breadcrumb: 0n }) });
      assert.equal(raw.responseCommand, 0x01);
    } finally {
      await p.close();
    }
  });

  it('each status path, named in the error with its path', async () => {
    const p = await paired();
    try {
      const toggle = lib.onOff.toggle();
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 9, ...toggle }), Status.unsupportedEndpoint,
        (e) => e.path?.endpoint === 9 && e.path?.command === 2 && /9\/0x6\/cmd 0x2/.test(e.message));
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 0, ...toggle }), Status.unsupportedCluster);
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 1, cluster: 6, command: 0x40 }), Status.unsupportedCommand);
      // CSRRequest with a short nonce: the definition's constraint; with a string nonce: not the command's fields.
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 0, cluster: 0x3e, command: 4, fields: tlv.struct([tlv.bytes(new Uint8Array(8), 0)]) }),
        Status.constraintError);
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 0, cluster: 0x3e, command: 4, fields: tlv.struct([tlv.utf8('nonce', 0)]) }),
        Status.invalidCommand);
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 0, cluster: 0x3e, command: 4, fields: tlv.struct([tlv.bytes(new Uint8Array(32), 0)]) }),
        Status.failure, (e) => e.clusterStatus === undefined);
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 0, ...lib.generalCommissioning.commissioningComplete() }),
        Status.failure, (e) => e.clusterStatus === 2);
      // Fields missing altogether: the handler's decoder refuses them.
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 0, cluster: 0x30, command: 0 }), Status.invalidCommand);
    } finally {
      await p.close();
    }
  });

  it('timed commands: refused untimed, accepted timed; the flag and the TimedRequest must agree, and in time', async () => {
    const p = await paired();
    try {
      const timedCommand = { endpoint: 0, cluster: 0xfff1fc00, command: 7 };
      await rejectsWith(lib.invoke(p.ce, p.session, timedCommand), Status.needsTimedInteraction);
      const result = await lib.invoke(p.ce, p.session, { ...timedCommand, timedRequestTimeoutMs: 2000 });
      assert.equal(result.responseCommand, 8);
      assert.deepStrictEqual(lib.tlvToPlainValue(result.fields!), { 0: true });
      assert.equal(p.light.contexts.at(-1)!.timed, true);
      // A command with the timed quality in its definition sends the TimedRequest by itself.
      assert.equal(lib.AdministratorCommissioningCluster.commands.revokeCommissioning.encode().timed, true);

      const request = (timedRequest: boolean) => lib.encodeInvokeRequest({ timedRequest, commands: [{ path: timedCommand }] });
      const statusOf = async (steps: (x: lib.Exchange) => Promise<void>) => {
        const exchange = p.ce.initiate(p.session);
        try {
          await steps(exchange);
          const answer = await exchange.next(5000);
          assert.equal(answer.opcode, lib.InteractionOpcode.statusResponse);
          return lib.decodeStatusResponse(answer.payload);
        } finally {
          await exchange.close();
        }
      };
      const im = { protocolId: lib.ProtocolId.interactionModel };
      const timed = async (x: lib.Exchange, ms: number) => {
        await x.send(lib.InteractionOpcode.timedRequest, lib.encodeTimedRequest(ms), im);
        assert.equal(lib.decodeStatusResponse((await x.next(5000)).payload), Status.success);
      };
      // TimedRequest flag without a TimedRequest first.
      assert.equal(await statusOf((x) => x.send(lib.InteractionOpcode.invokeRequest, request(true), im)), Status.timedRequestMismatch);
      // A TimedRequest first, then an InvokeRequest that does not say so.
      assert.equal(await statusOf(async (x) => { await timed(x, 2000); await x.send(lib.InteractionOpcode.invokeRequest, request(false), im); }),
        Status.timedRequestMismatch);
      // The action after the timeout ran out.
      assert.equal(await statusOf(async (x) => { await timed(x, 20); await sleep(120); await x.send(lib.InteractionOpcode.invokeRequest, request(true), im); }),
        Status.timeout);
      // A Read is not an action a TimedRequest may announce.
      assert.equal(await statusOf(async (x) => { await timed(x, 2000); await x.send(lib.InteractionOpcode.readRequest,
        lib.encodeReadRequest({ paths: [{ endpoint: 1, cluster: 6, attribute: 0 }] }), im); }), Status.invalidAction);
      // Garbage where an InvokeRequest should be.
      assert.equal(await statusOf((x) => x.send(lib.InteractionOpcode.invokeRequest, new Uint8Array([0x15, 0x18]), im)), Status.invalidAction);
    } finally {
      await p.close();
    }
  });

  it('invokeMany: commands with CommandRefs, outcomes in order; duplicate paths refused as a whole', async () => {
    const p = await paired();
    try {
      const outcomes = await lib.invokeMany(p.ce, p.session, [
        { endpoint: 1, ...lib.onOff.on() },
        { endpoint: 0, ...lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 30, breadcrumb: 0n }) },
        { endpoint: 1, cluster: 6, command: 0x33 },
      ]);
      assert.equal(outcomes.length, 3);
      assert.deepStrictEqual(outcomes[0], { path: { endpoint: 1, cluster: 6, command: 1 }, status: { status: 0 } });
      assert.equal(outcomes[1]!.responseCommand, 1);
      assert.deepStrictEqual(outcomes[2]!.status, { status: Status.unsupportedCommand });
      await rejectsWith(lib.invokeMany(p.ce, p.session, [{ endpoint: 1, ...lib.onOff.on() }, { endpoint: 1, ...lib.onOff.on() }]), Status.invalidAction);
    } finally {
      await p.close();
    }
  });

  it('the authorize hook decides access: UNSUPPORTED_ACCESS for commands, reads and writes it refuses', async () => {
    const asked: [lib.AccessPath, lib.Privilege][] = [];
    const p = await paired({ authorize: (_context, path, privilege) => {
      asked.push([path, privilege]);
      return path.cluster !== 6;
    } });
    try {
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 1, ...lib.onOff.toggle() }), Status.unsupportedAccess);
      await rejectsWith(lib.readAttribute(p.ce, p.session, { endpoint: 1, cluster: 6, attribute: 0 }), Status.unsupportedAccess);
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { endpoint: 1, cluster: 6, attribute: 0, value: tlv.bool(true) }), Status.unsupportedAccess);
      assert.deepStrictEqual(asked.slice(0, 3), [
        [{ endpoint: 1, cluster: 6, command: 2 }, 'operate'], [{ endpoint: 1, cluster: 6, attribute: 0 }, 'view'],
        [{ endpoint: 1, cluster: 6, attribute: 0 }, 'operate'],
      ]);
      assert.deepStrictEqual(await lib.invokeCommand(p.ce, p.session, 0, lib.GeneralCommissioningCluster.commands.armFailSafe,
        { expiryLengthSeconds: 1, breadcrumb: 0n }), { errorCode: 0, debugText: '' });
      const wildcard = await lib.readAttributes(p.ce, p.session, [{ cluster: 6 }]);
      assert.deepStrictEqual(wildcard, [], 'a wildcard read silently skips what access refuses');
    } finally {
      await p.close();
    }
  });
});

describe('InvokeResponse in chunks, and handler errors reported', () => {
  it('three 700-byte responses come back in three InvokeResponse messages, all matched to their commands', async () => {
    const errors: unknown[] = [];
    const p = await paired({ onHandlerError: (e) => errors.push(e) });
    try {
      const big = (n: number) => ({ handler: () => ({ command: 0x80 + n, fields: tlv.struct([tlv.bytes(new Uint8Array(700).fill(n), 0)]) }) });
      p.server.addCluster(3, 0xfff1fc02, { commands: { 1: big(1), 2: big(2), 3: big(3) } });
      let invokeResponses = 0;
      const receive = p.link.a.receiver!;
      p.link.a.receiver = (d, c) => {
        const decoded = p.commissioner.decode(d.slice(), c);
        if (decoded.payloadHeader.opcode === lib.InteractionOpcode.invokeResponse && decoded.payloadHeader.protocolId === 1) invokeResponses++;
        p.ce.dispatch(decoded, c);
      };
      const outcomes = await lib.invokeMany(p.ce, p.session, [1, 2, 3].map((command) => ({ endpoint: 3, cluster: 0xfff1fc02, command })));
      p.link.a.receiver = receive;
      assert.deepStrictEqual(outcomes.map((o) => o.responseCommand), [0x81, 0x82, 0x83]);
      outcomes.forEach((o, i) => assert.deepStrictEqual(lib.tlvToPlainValue(o.fields!), { 0: new Uint8Array(700).fill(i + 1) }));
      assert.equal(invokeResponses, 3, 'one response per chunk (moreChunkedMessages on the first two)');
      // A handler that throws something other than a status: FAILURE to the client, the error to the server's owner.
      await rejectsWith(lib.invoke(p.ce, p.session, { endpoint: 0, cluster: 0x3e, command: 4, fields: tlv.struct([tlv.bytes(new Uint8Array(32), 0)]) }),
        Status.failure);
      assert.match(String(errors.at(-1)), /the key store is broken/);
    } finally {
      await p.close();
    }
  });
});

describe('Write against our InteractionServer', () => {
  it('writes, data versions, and the refusals', async () => {
    const p = await paired();
    try {
      const breadcrumb = { endpoint: 0, cluster: 0x30, attribute: 0 };
      const before = p.server.dataVersion(0, 0x30)!;
      await lib.writeAttribute(p.ce, p.session, { ...breadcrumb, value: tlv.uint(77), dataVersion: before });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(p.ce, p.session, breadcrumb)), 77);
      assert.equal(p.server.dataVersion(0, 0x30), (before + 1) >>> 0, 'the data version moved on');
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { ...breadcrumb, value: tlv.uint(78), dataVersion: before }), Status.dataVersionMismatch,
        (e) => e.path?.attribute === 0);
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { ...breadcrumb, value: tlv.utf8('x') }), Status.constraintError);
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { endpoint: 0, cluster: 0x30, attribute: 4, value: tlv.bool(false) }), Status.unsupportedWrite);
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { endpoint: 0, cluster: 0x30, attribute: 99, value: tlv.bool(false) }), Status.unsupportedAttribute);
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { endpoint: 5, cluster: 0x30, attribute: 0, value: tlv.uint(1) }), Status.unsupportedEndpoint);
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { endpoint: 0, cluster: 0x31, attribute: 0, value: tlv.uint(1) }), Status.unsupportedCluster);
      const timedAttribute = { endpoint: 0, cluster: 0xfff1fc00, attribute: 0 };
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { ...timedAttribute, value: tlv.uint(6) }), Status.needsTimedInteraction);
      await lib.writeAttribute(p.ce, p.session, { ...timedAttribute, value: tlv.uint(6) }, { timedRequestTimeoutMs: 2000 });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(p.ce, p.session, timedAttribute)), 6);
      const statuses = await lib.writeAttributes(p.ce, p.session, [
        { endpoint: 0, cluster: 0xfff1fc00, attribute: 1, value: tlv.uint(11) }, { endpoint: 0, cluster: 0xfff1fc00, attribute: 1, value: tlv.uint(9) },
      ]);
      assert.deepStrictEqual(statuses.map((s) => s.status.status), [Status.constraintError, Status.success]);
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(p.ce, p.session, { endpoint: 0, cluster: 0xfff1fc00, attribute: 1 })), 9);
    } finally {
      await p.close();
    }
  });
});

describe('attributes by their cluster definition', () => {
  it('serveAttributes, readClusterAttribute and writeClusterAttribute: typed both ways, the type enforced on writes', async () => {
    const p = await paired();
    try {
      const { BasicInformationCluster: B, GeneralCommissioningCluster: G } = lib;
      p.server.addCluster(0, B.id, { attributes: lib.serveAttributes(B, { vendorName: 'Acme', vendorId: 0xfff1, nodeLabel: '',
        capabilityMinima: { caseSessionsPerFabric: 3, subscriptionsPerFabric: 3 } }) });
      p.server.addCluster(2, G.id, { attributes: lib.serveAttributes(G, { breadcrumb: 0n,
        basicCommissioningInfo: { failSafeExpiryLengthSeconds: 60, maxCumulativeFailsafeSeconds: 900 } }) });
      assert.equal(await lib.readClusterAttribute(p.ce, p.session, 0, B, B.attributes.vendorName), 'Acme');
      assert.deepStrictEqual(await lib.readClusterAttribute(p.ce, p.session, 0, B, B.attributes.capabilityMinima), { caseSessionsPerFabric: 3, subscriptionsPerFabric: 3 });
      assert.deepStrictEqual(await lib.readClusterAttribute(p.ce, p.session, 2, G, G.attributes.basicCommissioningInfo),
        { failSafeExpiryLengthSeconds: 60, maxCumulativeFailsafeSeconds: 900 });
      await lib.writeClusterAttribute(p.ce, p.session, 0, B, B.attributes.nodeLabel, 'Kitchen');
      assert.equal(await lib.readClusterAttribute(p.ce, p.session, 0, B, B.attributes.nodeLabel), 'Kitchen');
      await lib.writeClusterAttribute(p.ce, p.session, 2, G, G.attributes.breadcrumb, 2n ** 64n - 1n);
      assert.equal(await lib.readClusterAttribute(p.ce, p.session, 2, G, G.attributes.breadcrumb), 2n ** 64n - 1n);
      const label = { endpoint: 0, cluster: B.id, attribute: B.attributes.nodeLabel.id };
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { ...label, value: tlv.utf8('x'.repeat(33)) }), Status.constraintError);
      await rejectsWith(lib.writeAttribute(p.ce, p.session, { ...label, value: tlv.uint(1) }), Status.invalidDataType);
      await rejectsWith(lib.writeClusterAttribute(p.ce, p.session, 0, B, B.attributes.vendorName, 'Other'), Status.unsupportedWrite);
      assert.throws(() => lib.serveAttributes(B, { vendorId: 0x10000 }), /values\.vendorId/);
      assert.throws(() => p.server.addCluster(4, B.id, lib.serveAttributes(B, { vendorId: 1 }) as never), /definition\.2: unknown member/);
      assert.throws(() => p.server.addCluster(4, 6, { commands: { 1: {} as never } }), /definition\.commands\.1\.handler/);
      assert.throws(() => p.server.addCluster(0x10000, 6, {}), /endpoint/);
      assert.equal(p.server.dataVersion(4, B.id), undefined, 'nothing was added');
      // A computed attribute that throws: its own status, the other attributes of the wildcard still read.
      p.server.addCluster(5, 0xfff1fc03, { attributes: {
        0: { value: () => { throw new lib.InteractionStatusError(Status.busy, 'busy'); } },
        1: { value: () => { throw new Error('sensor unplugged'); } },
        2: { value: () => tlv.uint(42) },
      } });
      const reports = await lib.readAttributes(p.ce, p.session, [{ endpoint: 5 }]);
      assert.deepStrictEqual(reports.map((r) => r.status?.status ?? lib.tlvToPlainValue(r.data!)), [Status.busy, Status.failure, 42]);
      await assert.rejects(lib.writeClusterAttribute(p.ce, p.session, 0, B, B.attributes.nodeLabel, 'x'.repeat(40)), RangeError,
        'refused before anything is sent');
    } finally {
      await p.close();
    }
  });
});

describe('reads that need several ReportData chunks', () => {
  it('a wildcard read of large attributes comes back whole, in chunks under the payload budget', async () => {
    const p = await paired();
    try {
      const big = 'x'.repeat(200);
      p.server.addCluster(2, 0xfff1fc01, { attributes: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [i, { value: tlv.utf8(`${i}${big}`) }])) });
      let reportMessages = 0;
      const receive = p.link.a.receiver!;
      p.link.a.receiver = (d, c) => { reportMessages++; receive(d, c); };
      const reports = await lib.readAttributes(p.ce, p.session, [{ endpoint: 2 }]);
      assert.equal(reports.length, 12);
      assert.deepStrictEqual(reports.map((r) => (lib.tlvToPlainValue(r.data!) as string).slice(0, 2)), Array.from({ length: 12 }, (_, i) => `${i}x`.slice(0, 2)));
      assert.ok(reportMessages >= 3, `the device sent ${reportMessages} messages`);
      const chunks = lib.chunkReports(reports, lib.REPORT_PAYLOAD_BUDGET);
      assert.ok(chunks.length >= 3);
      for (const chunk of chunks) assert.ok(lib.encodeReportData({ attributeReports: chunk, moreChunkedMessages: true, suppressResponse: false }).length <= lib.REPORT_PAYLOAD_BUDGET);
    } finally {
      await p.close();
    }
  });
});

describe('Subscribe against our InteractionServer', () => {
  // MaxInterval 1 s exactly (no random spread), keep-alive every second.
  const fastSubscriptions = { subscriptions: { minIntervalSeconds: 1, randomizationWindowSeconds: 0 } };
  const onOffPath = { endpoint: 1, cluster: 6, attribute: 0 };

  it('priming, a change report after Toggle, a keep-alive at MaxInterval; the session manager counts it', async () => {
    const p = await paired(fastSubscriptions);
    const changes: number[] = [];
    p.device.events.on('subscriptionsChanged', (s) => changes.push(s.subscriptionCount));
    try {
      const subscription = await lib.subscribe(p.ce, p.session, [onOffPath], { minIntervalFloorSeconds: 0, maxIntervalCeilingSeconds: 1, livenessSlackMs: 2000 });
      assert.equal(subscription.maxInterval, 1);
      assert.equal(subscription.priming.length, 1);
      assert.equal(lib.tlvToPlainValue(subscription.priming[0]!.data!), false);
      assert.deepStrictEqual(changes, [1]);
      assert.equal(p.device.getActiveSessionInformation()[0]!.subscriptionCount, 1);
      assert.equal(p.server.subscriptions.list(p.deviceSession)[0]!.id, subscription.id);

      const reports = subscription[Symbol.asyncIterator]();
      await lib.invoke(p.ce, p.session, { endpoint: 1, ...lib.onOff.toggle() });
      const change = await reports.next();
      assert.equal(change.done, false);
      assert.deepStrictEqual(change.value!.map((r) => [r.path, lib.tlvToPlainValue(r.data!)]), [[onOffPath, true]]);
      assert.equal(change.value![0]!.dataVersion, p.server.dataVersion(1, 6));

      const changeArrived = Date.now();
      const keepAlive = await reports.next();
      assert.deepStrictEqual(keepAlive.value, [], 'an empty report keeps the subscription alive');
      // The keep-alive is due one keep-alive interval (here MaxInterval, 1 s) after the change report went out.
      const gap = Date.now() - changeArrived;
      assert.ok(gap >= 800 && gap < 2000, `the keep-alive came ${gap} ms after the change report`);
      subscription.cancel();
      assert.equal((await reports.next()).done, true, 'cancel ends the iteration');
    } finally {
      await p.close();
    }
  });

  it('MinIntervalFloor holds changes back; several changes make one report with the last value', async () => {
    const p = await paired({ subscriptions: { minIntervalSeconds: 1, randomizationWindowSeconds: 0, maxIntervalSeconds: 5 } });
    try {
      const seen: { at: number; values: unknown[] }[] = [];
      const subscription = await lib.subscribe(p.ce, p.session, [onOffPath], { minIntervalFloorSeconds: 1, maxIntervalCeilingSeconds: 5,
        onReport: (reports) => seen.push({ at: Date.now(), values: reports.map((r) => lib.tlvToPlainValue(r.data!)) }) });
      const subscribedAt = Date.now();
      p.server.setAttribute(1, 6, 0, tlv.bool(true));
      p.server.setAttribute(1, 6, 0, tlv.bool(false));
      p.server.setAttribute(1, 6, 0, tlv.bool(true));
      for (let i = 0; i < 100 && seen.length === 0; i++) await sleep(20);
      assert.equal(seen.length, 1);
      assert.deepStrictEqual(seen[0]!.values, [true]);
      assert.ok(seen[0]!.at - subscribedAt >= 900, `the report waited for MinIntervalFloor (${seen[0]!.at - subscribedAt} ms)`);
      subscription.cancel();
    } finally {
      await p.close();
    }
  });

  it('KeepSubscriptions=false ends the peer\'s other subscriptions; a cancelled one is refused at its next report', async () => {
    const p = await paired(fastSubscriptions);
    const ended: [number, lib.SubscriptionEndReason][] = [];
    p.server.subscriptions.onEnded = (s, reason) => ended.push([s.id, reason]);
    try {
      const options = { maxIntervalCeilingSeconds: 1, livenessSlackMs: 5000 };
      const a = await lib.subscribe(p.ce, p.session, [onOffPath], options);
      const b = await lib.subscribe(p.ce, p.session, [onOffPath], options);
      assert.equal(p.server.subscriptions.count, 2);
      assert.equal(p.deviceSession.subscriptionCount, 2);
      const c = await lib.subscribe(p.ce, p.session, [{ endpoint: 0, cluster: 0x30 }], { ...options, keepSubscriptions: false });
      assert.deepStrictEqual(ended.map(([id, why]) => [id, why]).sort(), [[a.id, 'replaced'], [b.id, 'replaced']].sort());
      assert.equal(p.server.subscriptions.count, 1);
      assert.equal(p.deviceSession.subscriptionCount, 1);
      assert.equal(c.priming.length, 2, 'the cluster wildcard primed both attributes');
      assert.equal(a.ended, 'cancelled', 'the replaced subscriptions ended on our side too');
      assert.equal(b.ended, 'cancelled');
      assert.equal(c.ended, undefined);
      c.cancel();
      for (let i = 0; i < 100 && p.server.subscriptions.count > 0; i++) await sleep(20);
      assert.deepStrictEqual(ended.at(-1), [c.id, 'refused-by-peer'], 'our InvalidSubscription answer ended it on the server');
      assert.equal(p.deviceSession.subscriptionCount, 0);
    } finally {
      await p.close();
    }
  });

  it('a silent publisher: the subscription is lost after MaxInterval + slack', async () => {
    const p = await paired(fastSubscriptions);
    try {
      const lost: lib.SubscriptionLostError[] = [];
      const subscription = await lib.subscribe(p.ce, p.session, [onOffPath], { maxIntervalCeilingSeconds: 1, livenessSlackMs: 300,
        onLost: (e) => lost.push(e) });
      const subscribedAt = Date.now();
      p.server.close(); // no more reports
      await assert.rejects(subscription[Symbol.asyncIterator]().next(), (e: unknown) => e instanceof lib.SubscriptionLostError && e.reason === 'timeout');
      const silence = Date.now() - subscribedAt;
      // Not before MaxInterval (1 s) + slack (0.3 s) since the last message; well before any other timeout.
      assert.ok(silence >= 1250 && silence < 3000, `declared lost after ${silence} ms of silence`);
      assert.equal(lost.length, 1);
      assert.equal(subscription.ended, lost[0]);
    } finally {
      await p.close();
    }
  });

  it('closing the session ends the subscriptions on both sides; the event fires with the count at 0', async () => {
    const p = await paired(fastSubscriptions);
    try {
      const counts: [lib.SecureSession, number][] = [];
      p.device.events.on('subscriptionsChanged', (s) => counts.push([s, s.subscriptionCount]));
      const subscription = await lib.subscribe(p.ce, p.session, [onOffPath], { maxIntervalCeilingSeconds: 1 });
      assert.deepStrictEqual(counts, [[p.deviceSession, 1]]);
      await lib.closeSession(p.ce, p.session);
      for (let i = 0; i < 100 && counts.length < 2; i++) await sleep(10);
      assert.deepStrictEqual(counts, [[p.deviceSession, 1], [p.deviceSession, 0]]);
      assert.equal(p.deviceSession.closed, true);
      assert.equal(p.server.subscriptions.count, 0);
      assert.ok(subscription.ended instanceof lib.SubscriptionLostError && subscription.ended.reason === 'session-closed');
    } finally {
      await p.close();
    }
  });

  it('refusals: a ceiling below the floor, nothing to subscribe to, too many subscriptions', async () => {
    const p = await paired({ subscriptions: { maxPerSession: 1, minIntervalSeconds: 1, randomizationWindowSeconds: 0 } });
    try {
      const raw = async (payload: Uint8Array) => {
        const x = p.ce.initiate(p.session);
        try {
          await x.send(lib.InteractionOpcode.subscribeRequest, payload, { protocolId: lib.ProtocolId.interactionModel });
          return lib.decodeStatusResponse((await x.next(5000)).payload);
        } finally {
          await x.close();
        }
      };
      const { encodeTlv } = lib;
      assert.equal(await raw(encodeTlv(tlv.struct([tlv.bool(true, 0), tlv.uint(10, 1), tlv.uint(5, 2),
        tlv.array([tlv.list([tlv.uint(1, 2)])], 3), tlv.bool(true, 7)]))), Status.invalidAction);
      assert.equal(await raw(encodeTlv(tlv.struct([tlv.bool(true, 0), tlv.uint(0, 1), tlv.uint(5, 2), tlv.bool(true, 7)]))), Status.invalidAction);
      const first = await lib.subscribe(p.ce, p.session, [onOffPath], { maxIntervalCeilingSeconds: 1 });
      await rejectsWith(lib.subscribe(p.ce, p.session, [onOffPath], { maxIntervalCeilingSeconds: 1 }), Status.resourceExhausted);
      first.cancel();
    } finally {
      await p.close();
    }
  });

  it('data version filters leave a cluster the client already holds out of the priming report', async () => {
    const p = await paired(fastSubscriptions);
    try {
      const version = p.server.dataVersion(1, 6)!;
      const s = await lib.subscribe(p.ce, p.session, [onOffPath, { endpoint: 0, cluster: 0x30, attribute: 4 }], {
        maxIntervalCeilingSeconds: 1, dataVersionFilters: [{ endpoint: 1, cluster: 6, dataVersion: version }] });
      assert.deepStrictEqual(s.priming.map((r) => r.path), [{ endpoint: 0, cluster: 0x30, attribute: 4 }]);
      s.cancel();
    } finally {
      await p.close();
    }
  });
});

describe('the AttributeServer still answers reads (now through the InteractionServer)', () => {
  it('reads a table, and refuses an invoke with the endpoint status', async () => {
    const link = memoryLink(false);
    const commissioner = await lib.SessionManager.create({}), device = await lib.SessionManager.create({});
    const ce = new lib.ExchangeManager(commissioner), de = new lib.ExchangeManager(device);
    link.a.receiver = (d, c) => ce.receive(d, c);
    link.b.receiver = (d, c) => de.receive(d, c);
    new lib.PaseResponder(de, { passcode: PASSCODE });
    const server = new lib.AttributeServer(de, lib.basicInformationAttributes({ vendorName: 'Acme', vendorId: 0xfff1, productName: 'Lamp', productId: 1 }));
    try {
      const session = await lib.establishPase(ce, link.a, { passcode: PASSCODE });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(ce, session, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'Acme');
      await rejectsWith(lib.invoke(ce, session, { endpoint: 1, ...lib.onOff.toggle() }), Status.unsupportedEndpoint);
      await rejectsWith(lib.writeAttribute(ce, session, { endpoint: 0, cluster: 0x28, attribute: 1, value: tlv.utf8('x') }), Status.unsupportedWrite);
    } finally {
      server.server.close(); ce.close(); de.close(); await commissioner.close(); await device.close();
    }
  });
});

export type { TlvElement };

describe('on CASE sessions (keys set up directly, as test/exchange.test.ts does; the CASE handshake is elsewhere)', () => {
  const fabric = (nodeId: bigint) => ({ fabricIndex: 1, fabricId: 1n, nodeId, compressedFabricId: new Uint8Array(8) });

  async function casePair() {
    const link = memoryLink(false);
    const controller = await lib.SessionManager.create({ fabrics: { initial: [fabric(0x1111n)] } });
    const device = await lib.SessionManager.create({ fabrics: { initial: [fabric(0x2222n)] } });
    const ce = new lib.ExchangeManager(controller), de = new lib.ExchangeManager(device);
    link.a.receiver = (d, c) => ce.receive(d, c);
    link.b.receiver = (d, c) => de.receive(d, c);
    const server = new lib.InteractionServer(de, { subscriptions: { minIntervalSeconds: 1, randomizationWindowSeconds: 0 } });
    const seen = serveLight(server);
    /** One more CASE session between the same two nodes. */
    const open = async () => {
      const secret = crypto.getRandomValues(new Uint8Array(32)), salt = new Uint8Array(0);
      const idC = controller.getNextAvailableSessionId(), idD = device.getNextAvailableSessionId();
      const common = { sharedSecret: secret, salt, isResumption: false, fabricIndex: 1 };
      const mine = await controller.createSecureSession({ ...common, sessionId: idC, peerSessionId: idD, isInitiator: true,
        peerNodeId: 0x2222n, channel: link.a });
      const theirs = await device.createSecureSession({ ...common, sessionId: idD, peerSessionId: idC, isInitiator: false,
        peerNodeId: 0x1111n, caseAuthenticatedTags: [0x00010001], channel: link.b });
      return { mine, theirs };
    };
    return { ce, de, server, seen, open, device,
      close: async () => { server.close(); ce.close(); de.close(); await controller.close(); await device.close(); } };
  }

  it('handlers see CASE: the fabric, the peer node as subject, its CATs', async () => {
    const p = await casePair();
    try {
      const { mine, theirs } = await p.open();
      assert.equal(mine.kind, 'case');
      await lib.invoke(p.ce, mine, { endpoint: 1, ...lib.onOff.toggle() });
      const context = p.seen.contexts.at(-1)!;
      assert.equal(context.authMode, 'case');
      assert.equal(context.fabricIndex, 1);
      assert.equal(context.subject, 0x1111n);
      assert.deepStrictEqual(context.caseAuthenticatedTags, [0x00010001]);
      assert.equal(context.session, theirs);
    } finally {
      await p.close();
    }
  });

  it('KeepSubscriptions=false on a second session from the same node ends the first session\'s subscription', async () => {
    const p = await casePair();
    try {
      const first = await p.open(), second = await p.open();
      const path = { endpoint: 1, cluster: 6, attribute: 0 };
      const a = await lib.subscribe(p.ce, first.mine, [path], { maxIntervalCeilingSeconds: 1 });
      assert.equal(first.theirs.subscriptionCount, 1);
      const b = await lib.subscribe(p.ce, second.mine, [path], { maxIntervalCeilingSeconds: 1, keepSubscriptions: false });
      assert.equal(first.theirs.subscriptionCount, 0, 'the same peer (fabric 1, node 0x1111) replaced it');
      assert.equal(second.theirs.subscriptionCount, 1);
      assert.equal(a.ended, 'cancelled');
      assert.deepStrictEqual(p.server.subscriptions.list().map((s) => s.id), [b.id]);
      b.cancel();
    } finally {
      await p.close();
    }
  });
});
