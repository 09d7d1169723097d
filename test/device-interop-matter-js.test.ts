// Interop: a matter.js controller (@matter/main ServerNode with ControllerBehavior, test/peers/matter-controller-
// process.ts, in a child process) commissions OUR device (MatterDeviceNode with an On/Off light) over UDP on loopback
// by known address: PASE, matter.js's attestation checks, CSR, root, NOC, CASE, CommissioningComplete. Then it reads
// VendorName, invokes Toggle on 1/0x0006 and sees OnOff change through the subscription it opened; a second process
// reconnects by CASE (resumed) and toggles again; a third decommissions the node (RemoveFabric).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as lib from '../src/node.js';

await lib.ready();
const run = promisify(execFile);
const peer = fileURLToPath(new URL('./peers/matter-controller-process.ts', import.meta.url));

describe('interop: a matter.js controller commissions our device over UDP', { timeout: 180_000 }, () => {
  let udp: lib.UdpTransport;
  let node: lib.MatterDeviceNode;
  let light: lib.OnOffLight;
  let storagePath: string;
  const errors: unknown[] = [];
  const opened: { kind: string; resumed: boolean }[] = [];
  const vendorName = `Vendor ${Math.random().toString(36).slice(2, 8)}`;
  const passcode = 20202021 + Math.floor(Math.random() * 1000);

  before(async () => {
    storagePath = await mkdtemp(join(tmpdir(), 'ms-mjs-controller-'));
    light = new lib.OnOffLight();
    node = await lib.MatterDeviceNode.create({
      storage: new lib.MemoryStore(), passcode, discriminator: 3840, allowTestAttestation: true, endpoints: [light.endpoint],
      basicInformation: { vendorId: 0xfff1, vendorName, productId: 0x8000, productName: 'matter-sessions light', serialNumber: 'SN-interop' },
      onError: (error) => errors.push(error),
    });
    node.sessions.events.on('sessionOpened', (session) => opened.push({ kind: session.kind, resumed: session.isResumption }));
    udp = await lib.UdpTransport.bind({ host: '127.0.0.1' });
    udp.onDatagram((datagram, channel) => node.receive(datagram, channel));
  });
  after(async () => {
    await node?.close();
    await udp?.close();
    await rm(storagePath, { recursive: true, force: true });
  });

  it('commissions, reads VendorName, invokes Toggle and reads OnOff back', async (t) => {
    const config = { host: '127.0.0.1', port: udp.address.port, passcode, storagePath, logLevel: process.env.MATTER_CONTROLLER_LOG ?? 'warn' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', peer, JSON.stringify(config)], { timeout: 150_000, maxBuffer: 64 << 20 });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `the peer printed no result:\n${stdout.slice(-4000)}`);
    const result = JSON.parse(line.slice('RESULT '.length));
    assert.equal(result.ok, true, `matter.js failed at ${result.step}: ${result.error}\n${stdout.slice(-4000)}`);
    assert.deepEqual(opened.map((s) => s.kind), ['pase', 'case'], 'PASE to commission, then CASE');
    assert.equal(result.vendorName, vendorName);
    assert.equal(result.before, false);
    assert.equal(result.after, true, 'OnOff read back after Toggle');
    assert.equal(light.on, true, 'the light is on on our side');
    assert.equal(node.fabrics.size, 1);
    assert.equal(node.fabrics.record(1)?.pending, false, 'CommissioningComplete committed the fabric');
    assert.equal(node.window.isOpen, false);
    assert.deepEqual(errors, []);
    t.diagnostic(`matter.js timings: ${JSON.stringify(result.steps)}`);
  });

  it('a second matter.js process on the same storage reconnects by CASE and toggles again', async (t) => {
    opened.length = 0;
    const config = { host: '127.0.0.1', port: udp.address.port, passcode, storagePath, mode: 'reconnect', logLevel: process.env.MATTER_CONTROLLER_LOG ?? 'warn' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', peer, JSON.stringify(config)], { timeout: 150_000, maxBuffer: 64 << 20 });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `the peer printed no result:\n${stdout.slice(-4000)}`);
    const result = JSON.parse(line.slice('RESULT '.length));
    assert.equal(result.ok, true, `matter.js failed at ${result.step}: ${result.error}\n${stdout.slice(-4000)}`);
    assert.equal(result.before, true);
    assert.equal(result.after, false);
    assert.equal(light.on, false);
    assert.equal(node.fabrics.size, 1, 'the same fabric, no new commissioning');
    assert.deepEqual(errors, []);
    assert.ok(opened.some((s) => s.kind === 'case'), 'the new process came over CASE');
    assert.ok(!opened.some((s) => s.kind === 'pase'), 'and did not commission again');
    t.diagnostic(`matter.js reconnect timings: ${JSON.stringify(result.steps)}; device sessions opened: ${JSON.stringify(opened)}`);
  });

  it('matter.js decommissions it: RemoveFabric leaves our node without fabrics and commissionable again', async (t) => {
    const config = { host: '127.0.0.1', port: udp.address.port, passcode, storagePath, mode: 'decommission', logLevel: process.env.MATTER_CONTROLLER_LOG ?? 'warn' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', peer, JSON.stringify(config)], { timeout: 150_000, maxBuffer: 64 << 20 });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `the peer printed no result:\n${stdout.slice(-4000)}`);
    const result = JSON.parse(line.slice('RESULT '.length));
    assert.equal(result.ok, true, `matter.js failed at ${result.step}: ${result.error}\n${stdout.slice(-4000)}`);
    assert.equal(node.fabrics.size, 0);
    assert.equal(node.window.isOpen, true);
    assert.deepEqual(errors, []);
    t.diagnostic(`matter.js decommission timings: ${JSON.stringify(result.steps)}`);
  });
});
