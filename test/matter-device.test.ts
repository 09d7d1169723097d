// The matter.js device harness (test/peers/matter-device.ts) on its own: the device starts commissionable on a
// random loopback UDP port, answers a hand-built PBKDFParamRequest (the captured request from
// ../shared/vectors/pase-messages.json, with a fresh initiatorRandom), takes an aborted handshake back without
// blocking the next one, pairs with matter.js's own commissioner (PASE) and serves a read of BasicInformation
// VendorName on the PASE session, and stop() releases its port, process and storage. Also: '::1', and the two ways
// a start fails (matter.js error, deadline). No code from src/: this checks the peer, not our implementation.
//
//   node --import tsx --test test/matter-device.test.ts        (MATTER_DEVICE_LOG=info to see matter.js's logs)
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import {
  loopbackInterface,
  MatterDeviceStartError,
  randomPasscode,
  startMatterDevice,
  type MatterDevice,
} from './peers/matter-device.js';

const testTimeout = 30_000;

// ---------------------------------------------------------------------------------------------------------------
// Minimal Matter TLV reader (Core spec appendix A), enough for PBKDFParamResponse. Structures become objects keyed
// by context tag number (anonymous/other tags keyed by position); unsigned/signed ints as bigint when > 2^53.

type TlvValue = number | bigint | boolean | null | string | Uint8Array | TlvValue[] | { [tag: string]: TlvValue };

function readTlv(bytes: Uint8Array): TlvValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const uint = (size: number): number | bigint => {
    const v =
      size === 1 ? view.getUint8(pos)
      : size === 2 ? view.getUint16(pos, true)
      : size === 4 ? view.getUint32(pos, true)
      : view.getBigUint64(pos, true);
    pos += size;
    return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const element = (): { tag: string | undefined; value: TlvValue | typeof END } => {
    const control = view.getUint8(pos++);
    const tagControl = control >> 5;
    const type = control & 0x1f;
    let tag: string | undefined;
    const tagSizes = [0, 1, 2, 4, 2, 4, 6, 8];
    if (tagControl === 1) tag = String(view.getUint8(pos));
    else if (tagControl !== 0) tag = `t${tagControl}:${Buffer.from(bytes.subarray(pos, pos + tagSizes[tagControl]!)).toString('hex')}`;
    pos += tagSizes[tagControl]!;
    const sizes = [1, 2, 4, 8];
    if (type <= 0x03) {
      const size = sizes[type]!;
      const v =
        size === 1 ? view.getInt8(pos)
        : size === 2 ? view.getInt16(pos, true)
        : size === 4 ? view.getInt32(pos, true)
        : view.getBigInt64(pos, true);
      pos += size;
      return { tag, value: v };
    }
    if (type <= 0x07) return { tag, value: uint(sizes[type - 0x04]!) };
    if (type === 0x08 || type === 0x09) return { tag, value: type === 0x09 };
    if (type === 0x0a) return { tag, value: (pos += 4, view.getFloat32(pos - 4, true)) };
    if (type === 0x0b) return { tag, value: (pos += 8, view.getFloat64(pos - 8, true)) };
    if (type >= 0x0c && type <= 0x13) {
      const length = Number(uint(sizes[(type - 0x0c) & 3]!));
      const data = bytes.subarray(pos, pos + length);
      pos += length;
      return { tag, value: type <= 0x0f ? new TextDecoder().decode(data) : Uint8Array.from(data) };
    }
    if (type === 0x14) return { tag, value: null };
    if (type === 0x18) return { tag, value: END };
    if (type === 0x15 || type === 0x16 || type === 0x17) {
      const members: Array<[string | undefined, TlvValue]> = [];
      for (;;) {
        const member = element();
        if (member.value === END) break;
        members.push([member.tag, member.value]);
      }
      if (type === 0x16) return { tag, value: members.map(([, v]) => v) };
      return { tag, value: Object.fromEntries(members.map(([t, v], i) => [t ?? `#${i}`, v])) };
    }
    throw new Error(`TLV element type 0x${type.toString(16)} at ${pos - 1}`);
  };
  const END = Symbol('end');
  const { value } = element();
  if (value === END) throw new Error('TLV starts with an end-of-container');
  assert.equal(pos, bytes.length, 'TLV has trailing bytes');
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Unsecured Matter messages (message header + protocol header), by hand.

interface PaseProbe {
  socket: Socket;
  host: string;
  port: number;
  sourceNodeId: Buffer;
  exchangeId: number;
  counter: number;
}

const vectors = JSON.parse(readFileSync(new URL('../../shared/vectors/pase-messages.json', import.meta.url), 'utf8')) as {
  messages: Array<{ id: string; hex: string }>;
};
const capturedRequest = Buffer.from(vectors.messages.find((m) => m.id === 'chip-captured-request')!.hex, 'hex');

/** The captured PBKDFParamRequest with a fresh initiatorRandom (its only field a device must see unique). */
function pbkdfParamRequest(): { payload: Buffer; initiatorRandom: Buffer } {
  // 15 | 30 01 20 <32 bytes initiatorRandom> | 25 02 <sessionId> | 24 03 00 | 28 04 (false) | 35 05 ... 18 | 18
  assert.deepEqual([...capturedRequest.subarray(0, 4)], [0x15, 0x30, 0x01, 0x20], 'captured request layout changed');
  const payload = Buffer.from(capturedRequest);
  const initiatorRandom = randomBytes(32);
  initiatorRandom.copy(payload, 4);
  return { payload, initiatorRandom };
}

function frame(p: PaseProbe, exchangeFlags: number, opcode: number, payload: Buffer, ackedCounter?: number): Buffer {
  const header = Buffer.alloc(8 + 8 + 6 + (ackedCounter === undefined ? 0 : 4));
  header[0] = 0x04; // version 0, S: source node id present, DSIZ 0
  header.writeUInt16LE(0, 1); // unsecured session
  header[3] = 0x00; // security flags: unicast, no privacy, no control message
  header.writeUInt32LE(p.counter++ >>> 0, 4);
  p.sourceNodeId.copy(header, 8);
  header[16] = exchangeFlags | (ackedCounter === undefined ? 0 : 0x02);
  header[17] = opcode;
  header.writeUInt16LE(p.exchangeId, 18);
  header.writeUInt16LE(0x0000, 20); // Secure Channel protocol
  if (ackedCounter !== undefined) header.writeUInt32LE(ackedCounter, 22);
  return Buffer.concat([header, payload]);
}

interface ParsedMessage {
  flags: number;
  sessionId: number;
  securityFlags: number;
  counter: number;
  destinationNodeId?: Buffer;
  exchangeFlags: number;
  opcode: number;
  exchangeId: number;
  protocolId: number;
  ackedCounter?: number;
  payload: Buffer;
}

function parse(datagram: Buffer): ParsedMessage {
  let pos = 0;
  const flags = datagram[pos++]!;
  const sessionId = datagram.readUInt16LE(pos);
  pos += 2;
  const securityFlags = datagram[pos++]!;
  const counter = datagram.readUInt32LE(pos);
  pos += 4;
  if (flags & 0x04) pos += 8; // source node id
  let destinationNodeId: Buffer | undefined;
  if ((flags & 0x03) === 1) destinationNodeId = datagram.subarray(pos, (pos += 8));
  else if ((flags & 0x03) === 2) pos += 2;
  if (securityFlags & 0x20) pos += 2 + datagram.readUInt16LE(pos); // message extensions
  const exchangeFlags = datagram[pos++]!;
  const opcode = datagram[pos++]!;
  const exchangeId = datagram.readUInt16LE(pos);
  pos += 2;
  if (exchangeFlags & 0x10) pos += 2; // vendor id
  const protocolId = datagram.readUInt16LE(pos);
  pos += 2;
  let ackedCounter: number | undefined;
  if (exchangeFlags & 0x02) {
    ackedCounter = datagram.readUInt32LE(pos);
    pos += 4;
  }
  if (exchangeFlags & 0x08) pos += 2 + datagram.readUInt16LE(pos); // secured extensions
  const payload = datagram.subarray(pos);
  return {
    flags, sessionId, securityFlags, counter, destinationNodeId,
    exchangeFlags, opcode, exchangeId, protocolId, ackedCounter, payload,
  };
}

async function openProbe(host: string, port: number): Promise<PaseProbe> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return { socket, host, port, sourceNodeId: randomBytes(8), exchangeId: randomInt(0x10000), counter: randomInt(2 ** 28) };
}

function send(p: PaseProbe, datagram: Buffer): Promise<void> {
  return new Promise((resolve, reject) => p.socket.send(datagram, p.port, p.host, (error) => (error ? reject(error) : resolve())));
}

/** The next datagram on the probe's exchange that is not a standalone ack, or undefined after `timeoutMs`. */
function nextMessage(p: PaseProbe, timeoutMs: number): Promise<ParsedMessage | undefined> {
  return new Promise((resolve) => {
    const onMessage = (datagram: Buffer) => {
      const message = parse(datagram);
      if (message.exchangeId !== p.exchangeId || message.opcode === 0x10) return;
      done(message);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (message: ParsedMessage | undefined) => {
      clearTimeout(timer);
      p.socket.off('message', onMessage);
      resolve(message);
    };
    p.socket.on('message', onMessage);
  });
}

interface PbkdfResult {
  request: { counter: number; initiatorRandom: Buffer };
  response: ParsedMessage;
  tlv: { [tag: string]: TlvValue };
  elapsedMs: number;
}

/**
 * Sends a PBKDFParamRequest and reads the PBKDFParamResponse; then, unless `abort` is false, ends the handshake as
 * a commissioner that gives up should: a StatusReport (FAILURE, Secure Channel, INVALID_PARAMETER) that acks it.
 */
async function pbkdfHandshake(host: string, port: number, abort = true): Promise<PbkdfResult> {
  const p = await openProbe(host, port);
  try {
    const { payload, initiatorRandom } = pbkdfParamRequest();
    const requestCounter = p.counter;
    const t = performance.now();
    await send(p, frame(p, 0x01 | 0x04, 0x20, payload)); // I + R
    const response = await nextMessage(p, 5000);
    const elapsedMs = performance.now() - t;
    assert.ok(response, `no PBKDFParamResponse from ${host}:${port} within 5 s`);
    const tlv = readTlv(response.payload);
    assert.ok(tlv && typeof tlv === 'object' && !Array.isArray(tlv) && !(tlv instanceof Uint8Array), 'response is not a TLV structure');
    if (abort) {
      const statusReport = Buffer.from('0100000000000200', 'hex'); // general FAILURE, protocol 0, INVALID_PARAMETER
      await send(p, frame(p, 0x01, 0x40, statusReport, response.counter)); // I + A, not reliable
    }
    return { request: { counter: requestCounter, initiatorRandom }, response, tlv: tlv as { [tag: string]: TlvValue }, elapsedMs };
  } finally {
    p.socket.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: host.includes(':') });
    socket.once('error', () => resolve(false));
    socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function randomVendorName(): string {
  return `Vendor ${randomBytes(6).toString('hex')}`;
}

async function assertStoppedClean(t: TestContext, device: MatterDevice): Promise<void> {
  const start = performance.now();
  await device.stop();
  const stopMs = performance.now() - start;
  assert.deepEqual(await device.exited, { code: 0, signal: null }, `device exited uncleanly:\n${device.logs().join('\n')}`);
  assert.equal(processAlive(device.pid), false, 'device process still alive');
  assert.equal(existsSync(device.storagePath), false, 'storage directory left behind');
  for (const address of device.boundAddresses) {
    assert.equal(await portIsFree(address, device.port), true, `UDP ${address}:${device.port} still bound after stop()`);
  }
  t.diagnostic(`stop(): ${stopMs.toFixed(0)} ms; ${device.boundAddresses.join(', ')} port ${device.port} free again`);
}

describe('matter.js device harness (127.0.0.1, random port)', () => {
  // One device for the whole sequence, started lazily by the first test (a failed before() hook is not a failed test).
  const options = { passcode: randomPasscode(), discriminator: randomInt(0x1000), vendorName: randomVendorName() };
  let started: Promise<MatterDevice> | undefined;
  const device = () => (started ??= startMatterDevice(options));
  // The last test stops it and checks the stop; this is for runs that skip or filter tests (stop() is idempotent).
  after(async () => {
    const d = await started?.catch(() => undefined);
    await d?.stop();
  });

  it('starts commissionable and answers a hand-built PBKDFParamRequest', { timeout: testTimeout }, async (t) => {
    const d = await device();
    assert.equal(d.host, '127.0.0.1');
    assert.ok(d.port > 0 && d.port < 0x10000);
    assert.equal(d.passcode, options.passcode);
    assert.equal(d.discriminator, options.discriminator);
    assert.equal(d.vendorName, options.vendorName);
    assert.deepEqual(d.boundAddresses, ['127.0.0.1', '::1']);
    t.diagnostic(
      `device ${d.host}:${d.port} up in ${d.timings.totalStartMs.toFixed(0)} ms ` +
        `(matter.js import ${d.timings.importMs.toFixed(0)} ms, node start ${d.timings.nodeStartMs.toFixed(0)} ms), ` +
        `matter.js ${d.matterVersion}`,
    );

    const { request, response, tlv, elapsedMs } = await pbkdfHandshake(d.host, d.port);
    // Message header: unsecured, no source node id, our ephemeral node id as 64-bit destination.
    assert.equal(response.flags, 0x01, 'device frames start 0x01 (DSIZ = 64-bit destination node id)');
    assert.equal(response.sessionId, 0);
    assert.equal(response.securityFlags, 0);
    assert.ok(response.destinationNodeId, 'no destination node id');
    // Protocol header: responder (no I), acks our request, reliable.
    assert.equal(response.protocolId, 0x0000);
    assert.equal(response.opcode, 0x21, 'PBKDFParamResponse');
    assert.equal(response.exchangeFlags & 0x01, 0, 'I flag set on a responder message');
    assert.equal(response.exchangeFlags & 0x04, 0x04, 'response not sent reliably');
    assert.equal(response.ackedCounter, request.counter, 'response does not piggy-back the ack of our request');
    // Payload: initiatorRandom echoed, a responder session id, PBKDF parameters (we sent hasPBKDFParameters false).
    assert.deepEqual(Buffer.from(tlv['1'] as Uint8Array), request.initiatorRandom);
    assert.equal((tlv['2'] as Uint8Array).length, 32);
    assert.ok(typeof tlv['3'] === 'number' && tlv['3'] > 0 && tlv['3'] <= 0xffff, 'responderSessionId');
    const pbkdf = tlv['4'] as { [tag: string]: TlvValue };
    assert.ok(typeof pbkdf['1'] === 'number' && pbkdf['1'] >= 1000 && pbkdf['1'] <= 100000, 'iterations');
    assert.ok((pbkdf['2'] as Uint8Array).length >= 16 && (pbkdf['2'] as Uint8Array).length <= 32, 'salt');
    const sessionParams = tlv['5'] as { [tag: string]: TlvValue };
    assert.equal(sessionParams['1'], d.sessionParameters.idleInterval, 'SII in the response = what the harness reports');
    assert.equal(sessionParams['2'], d.sessionParameters.activeInterval);
    t.diagnostic(
      `PBKDFParamResponse after ${elapsedMs.toFixed(1)} ms: iterations ${pbkdf['1']}, salt ${(pbkdf['2'] as Uint8Array).length} B, ` +
        `session params ${JSON.stringify(sessionParams, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
    );
  });

  it('takes an aborted handshake back at once: the next PBKDFParamRequest is answered', { timeout: testTimeout }, async () => {
    const d = await device();
    const first = await pbkdfHandshake(d.host, d.port);
    const second = await pbkdfHandshake(d.host, d.port);
    assert.notEqual(second.tlv['3'], undefined);
    // The salt is chosen when the commissioning window opens: the same for every attempt in it.
    assert.deepEqual((second.tlv['4'] as { [k: string]: TlvValue })['2'], (first.tlv['4'] as { [k: string]: TlvValue })['2']);
  });

  const pairs = 'pairs with matter.js\'s own commissioner (PASE) and serves a read of VendorName (0/0x28/1) on the PASE session';
  it(pairs, { timeout: testTimeout }, async (t) => {
    const d = await device();
    // matter.js in this test process: configure its Node.js environment before it loads (not from this process's
    // env/argv/config file, no signal handlers) and keep its storage in a temporary directory.
    const storage = await mkdtemp(join(tmpdir(), 'matter-controller-'));
    const { config } = await import('@matter/nodejs/config');
    config.loadProcessEnv = false;
    config.loadProcessArgv = false;
    config.loadConfigFile = false;
    config.trapProcessSignals = false;
    config.setProcessExitCodeOnError = false;
    config.defaultStoragePath = storage;
    const { Environment, ServerNode, EndpointNumber, ClusterId, AttributeId } = await import('@matter/main');
    const { ControllerCommissioner, ClientInteraction, DedicatedChannelExchangeProvider, ExchangeManager, Read } =
      await import('@matter/main/protocol');
    const logSetting = process.env.MATTER_DEVICE_LOG?.trim().toLowerCase();
    const logOn = logSetting !== undefined && logSetting !== '' && logSetting !== '0' && logSetting !== 'false';
    Environment.default.vars.set('log.level', logOn ? (logSetting === '1' || logSetting === 'true' ? 'info' : logSetting) : 'error');
    Environment.default.vars.set('storage.path', storage);
    const lo = loopbackInterface();
    if (lo !== undefined) Environment.default.vars.set('mdns.networkInterface', lo);

    const controller = await ServerNode.create({
      id: 'controller',
      network: { port: 0, listeningAddressIpv4: '127.0.0.1', listeningAddressIpv6: '::1' },
      commissioning: { enabled: false },
    });
    try {
      await controller.start();
      const commissioner = controller.env.get(ControllerCommissioner);
      const t0 = performance.now();
      const { paseSession } = await commissioner.establishPase({
        addresses: [{ type: 'udp', ip: d.host, port: d.port }],
        passcode: d.passcode,
      });
      const paseMs = performance.now() - t0;
      try {
        const interaction = new ClientInteraction({
          environment: controller.env,
          exchangeProvider: new DedicatedChannelExchangeProvider(controller.env.get(ExchangeManager), paseSession),
        });
        const values: unknown[] = [];
        const t1 = performance.now();
        const request = Read({ attributes: [{ endpointId: EndpointNumber(0), clusterId: ClusterId(0x28), attributeId: AttributeId(1) }] });
        for await (const chunk of interaction.read(request)) {
          for await (const report of chunk) {
            assert.equal(report.kind, 'attr-value', `read failed: ${JSON.stringify(report)}`);
            if (report.kind === 'attr-value') values.push(report.value);
          }
        }
        const readMs = performance.now() - t1;
        assert.deepEqual(values, [d.vendorName]);
        const p = paseSession.parameters;
        t.diagnostic(
          `matter.js PASE ${paseMs.toFixed(0)} ms, read ${readMs.toFixed(0)} ms -> VendorName ${JSON.stringify(values[0])}; ` +
            `device session parameters: SII ${p.idleInterval} ms, SAI ${p.activeInterval} ms, SAT ${p.activeThreshold} ms, ` +
            `DM rev ${p.dataModelRevision}, IM rev ${p.interactionModelRevision}, spec 0x${p.specificationVersion.toString(16)}`,
        );
      } finally {
        await paseSession.initiateClose();
      }
    } finally {
      await controller.close();
      await rm(storage, { recursive: true, force: true });
    }
  });

  it('stop() ends the process, removes the storage and releases the UDP port', { timeout: testTimeout }, async (t) => {
    const d = await device();
    await assertStoppedClean(t, d);
    await d.stop(); // idempotent
  });
});

describe('matter.js device harness (other cases)', () => {
  it('listens on ::1 (IPv6 only) when asked', { timeout: testTimeout }, async (t) => {
    const d = await startMatterDevice({
      passcode: randomPasscode(),
      discriminator: randomInt(0x1000),
      vendorName: randomVendorName(),
      host: '::1',
    });
    try {
      assert.deepEqual(d.boundAddresses, ['::1']);
      const { response } = await pbkdfHandshake('::1', d.port);
      assert.equal(response.opcode, 0x21);
    } finally {
      await assertStoppedClean(t, d);
    }
  });

  it('rejects with matter.js\'s own error when the port is taken, and leaves nothing behind', { timeout: testTimeout }, async () => {
    const blocker = createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind({ port: 0, address: '127.0.0.1', exclusive: true }, resolve));
    const port = blocker.address().port;
    try {
      const error = await startMatterDevice({ passcode: randomPasscode(), discriminator: 1, vendorName: 'x', port }).then(
        (d) => (void d.stop(), assert.fail(`device started on a taken port ${port}`)),
        (e: unknown) => e,
      );
      assert.ok(error instanceof MatterDeviceStartError, String(error));
      assert.match(error.message, /failed to start: .*(in use|EADDRINUSE)/i);
      assert.equal(processAlive(error.pid), false, 'device process still alive');
      assert.equal(existsSync(error.storagePath), false, 'storage directory left behind');
    } finally {
      blocker.close();
    }
  });

  it('rejects when the device is not up by the deadline, and kills it', { timeout: testTimeout }, async () => {
    const error = await startMatterDevice({ passcode: randomPasscode(), discriminator: 2, vendorName: 'y', startTimeoutMs: 100 }).then(
      (d) => (void d.stop(), assert.fail('device started within 100 ms')),
      (e: unknown) => e,
    );
    assert.ok(error instanceof MatterDeviceStartError, String(error));
    assert.match(error.message, /did not start within 100 ms/);
    assert.equal(processAlive(error.pid), false, 'device process still alive');
    assert.equal(existsSync(error.storagePath), false, 'storage directory left behind');
  });

  it('refuses invalid passcodes and discriminators before starting anything', async () => {
    await assert.rejects(startMatterDevice({ passcode: 12345678, discriminator: 1, vendorName: 'x' }), RangeError);
    await assert.rejects(startMatterDevice({ passcode: 20202021, discriminator: 4096, vendorName: 'x' }), RangeError);
  });
});
