// Commissioning a real device nobody here wrote, and controlling it over CASE from new processes: a matter.js
// ServerNode (an On/Off Light, test/peers/) on loopback. The CLI commissions it from a fresh --data directory
// (PASE, attestation against the Matter test PAA, CSR, root, NOC, CASE, CommissioningComplete), then separate CLI
// processes invoke On/Off Toggle and read OnOff back, each resuming CASE from the stored record; after the device
// restarts on its own storage the controller still connects. In-process: failures name their step, a rejected
// attestation disarms the fail-safe so the device can be commissioned again at once, and removeNode leaves the fabric.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as lib from '../src/node.js';
import { randomPasscode, startMatterDevice, type MatterDevice } from './peers/matter-device.js';

await lib.ready();
const run = promisify(execFile);

async function cli(args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, ['dist/cli/main.js', ...args], { timeout: 90_000 });
  return JSON.parse(stdout);
}

describe('the controller against a matter.js device', { timeout: 300_000 }, () => {
  let device: MatterDevice;
  let deviceStorage: string;
  let data: string;
  const passcode = randomPasscode();
  const discriminator = 0x100 + Math.floor(Math.random() * 0xe00);
  const vendorName = `Vendor ${Math.random().toString(36).slice(2, 8)}`;

  before(async () => {
    deviceStorage = await mkdtemp(join(tmpdir(), 'ms-device-'));
    data = await mkdtemp(join(tmpdir(), 'ms-controller-'));
    device = await startMatterDevice({ passcode, discriminator, vendorName, storagePath: deviceStorage });
  });
  after(async () => {
    await device?.stop();
    await rm(deviceStorage, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  });

  it('the CLI commissions the device from a fresh data directory', async () => {
    const result = await cli(['commission', '--udp', `${device.host}:${device.port}`, '--passcode', String(passcode), '--data', data, '--node-id', '0x2A']);
    assert.equal(result.nodeId, '42');
    assert.equal(result.vendorId, device.vendorId);
    assert.equal(result.productId, device.productId);
    assert.match(result.fabricId, /^\d+$/);
    // matter.js signs its DAC/PAI with the official test PAA at start: attestation verifies against it.
    assert.equal(result.attestation.verified, true, JSON.stringify(result.attestation));
    assert.ok(result.timings.totalMs > 0);
    console.log(`# commissioned in ${result.timings.totalMs} ms: ${JSON.stringify(result.timings)}`);
  });

  it('a new process invokes Toggle and another reads OnOff back, each resuming CASE', async () => {
    const before = await cli(['read', '--node', '42', '--data', data, '1/0x0006/0']);
    assert.equal(before.session.resumed, true);
    const toggled = await cli(['invoke', '--node', '42', '--data', data, '1/0x0006/0x02']);
    assert.equal(toggled.status, 'success');
    assert.equal(toggled.session.resumed, true);
    const afterToggle = await cli(['read', '--node', '42', '--data', data, '--udp', `${device.host}:${device.port}`, '1/0x0006/0']);
    assert.equal(afterToggle.session.resumed, true);
    assert.equal(afterToggle.value, !before.value);
    console.log(`# resumed connect of a new process: ${afterToggle.timings.connectMs} ms`);
  });

  it('after the device restarts on its storage, the controller still connects and reads', async () => {
    const port = device.port;
    await device.stop();
    device = await startMatterDevice({ passcode, discriminator, vendorName, storagePath: deviceStorage, port });
    const read = await cli(['read', '--node', '42', '--data', data, '0/0x28/1']);
    assert.equal(read.value, vendorName);
    assert.equal(typeof read.session.resumed, 'boolean');
  });

  it('invoking a command the device does not have fails with its IM status, exit 1', async () => {
    await assert.rejects(run(process.execPath, ['dist/cli/main.js', 'invoke', '--node', '42', '--data', data, '1/0x0006/0x7f'], { timeout: 60_000 }),
      (e: { code?: number; stderr?: string }) => e.code === 1 && /unsupported.?command/i.test(e.stderr ?? ''));
  });

  it('an unknown node is a clear error, a bad path a usage error', async () => {
    await assert.rejects(run(process.execPath, ['dist/cli/main.js', 'read', '--node', '7', '--data', data, '0/0x28/1'], { timeout: 60_000 }),
      (e: { code?: number; stderr?: string }) => e.code === 1 && /not commissioned by this controller/.test(e.stderr ?? ''));
    await assert.rejects(run(process.execPath, ['dist/cli/main.js', 'read', '--node', '42', '--data', data, '0/0x28'], { timeout: 60_000 }),
      (e: { code?: number }) => e.code === 2);
  });
});

describe('commissioning failures through the controller API', { timeout: 300_000 }, () => {
  it('names the failed step; a rejected attestation disarms the fail-safe and the device commissions again', async () => {
    const passcode = randomPasscode();
    const device = await startMatterDevice({ passcode, discriminator: 0x321, vendorName: 'Fail Safe Co' });
    const storage = new lib.MemoryStore();
    const controller = await lib.MatterController.open({ storage, transport: lib.udpControllerTransport() });
    try {
      const address = { transport: 'udp' as const, host: device.host, port: device.port };
      await assert.rejects(controller.commission({ address, passcode: passcode === 20202021 ? 20202022 : 20202021 }),
        (e: unknown) => e instanceof lib.CommissioningError && e.step === 'pase');
      // No trusted PAA: the test device's chain cannot verify, and 'reject' refuses it after the fail-safe was armed.
      await assert.rejects(controller.commission({ address, passcode, attestationPolicy: 'reject', trustedPaas: [] }),
        (e: unknown) => e instanceof lib.CommissioningError && e.step === 'device-attestation');
      const result = await controller.commission({ address, passcode, nodeId: 5n });
      assert.equal(result.nodeId, 5n);
      const onOff = await controller.read(5n, { endpoint: 1, cluster: 6, attribute: 0 });
      assert.equal(onOff.type, 'bool');
      const removed = await controller.removeNode(5n);
      assert.equal(removed.removedFromDevice, true);
      assert.equal(await controller.nodes.get(5n), undefined);
    } finally {
      await controller.close();
      await device.stop();
    }
  });
});
