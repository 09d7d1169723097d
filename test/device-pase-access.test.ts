// What a PASE session may do on our device node (Matter Core spec §6.6.2.9 bootstrapping of the ACL; §11.10.7.6
// and §11.10.7.2.2 revoke the commissioning channel's implicit Administer): View and ArmFailSafe without a
// fail-safe; Administer over the whole node from ArmFailSafe over that session until CommissioningComplete or the
// rollback; a PASE session made after commissioning (an edge realm's passcode window) reads, and controls nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';
import { memoryLink } from './support/memory-link.js';

await lib.ready();

const UNSUPPORTED_ACCESS = 0x7e;
const onOffPath = { endpoint: 1, cluster: 6, attribute: 0 };
const refused = (e: unknown) => e instanceof lib.InteractionStatusError && e.status === UNSUPPORTED_ACCESS;

async function pairInMemory() {
  const light = new lib.OnOffLight();
  const node = await lib.MatterDeviceNode.create({
    storage: new lib.MemoryStore(), passcode: 20202021, discriminator: 3840, allowTestAttestation: true,
    basicInformation: { vendorId: 0xfff1, vendorName: 'matter-sessions', productId: 0x8000, productName: 'light', serialNumber: 'SN-2' },
    endpoints: [light.endpoint],
  });
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  const { a, b } = memoryLink(false);
  b.receiver = (datagram, channel) => node.receive(datagram, channel);
  a.receiver = (datagram, channel) => exchanges.receive(datagram, channel);
  const pase = await lib.establishPase(exchanges, a, { passcode: 20202021 });
  return {
    node, light, exchanges, pase,
    close: async () => { exchanges.close(); await sessions.close(); a.close(); await node.close(); },
  };
}

describe('PASE privileges on the device node', { timeout: 60_000 }, () => {
  it('without an armed fail-safe: reads work; Toggle, writes, the ACL and commissioning commands other than ArmFailSafe are refused', async () => {
    const t = await pairInMemory();
    try {
      assert.equal(t.node.failSafe.armed, false);
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(t.exchanges, t.pase, onOffPath)), false);
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(t.exchanges, t.pase, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'matter-sessions');
      await assert.rejects(lib.invoke(t.exchanges, t.pase, { endpoint: 1, ...lib.onOff.toggle() }), refused, 'Toggle over PASE');
      assert.equal(t.light.on, false, 'the light did not change');
      await assert.rejects(lib.readAttribute(t.exchanges, t.pase, { endpoint: 0, cluster: 0x1f, attribute: 0 }), refused, 'the ACL (Administer to read)');
      await assert.rejects(lib.writeAttribute(t.exchanges, t.pase, { endpoint: 0, cluster: 0x30, attribute: 0, value: lib.tlv.uint(5n) }), refused, 'Breadcrumb');
      await assert.rejects(lib.invoke(t.exchanges, t.pase, { endpoint: 0, ...lib.generalCommissioning.setRegulatoryConfig({
        newRegulatoryConfig: 0, countryCode: 'XX', breadcrumb: 1n }) }), refused, 'SetRegulatoryConfig before ArmFailSafe');
      assert.equal(t.node.breadcrumb, 0n);
    } finally {
      await t.close();
    }
  });

  it('ArmFailSafe over PASE grants the session Administer (commissioning commands, and the whole node) until it ends', async () => {
    const t = await pairInMemory();
    try {
      await lib.invoke(t.exchanges, t.pase, { endpoint: 0, ...lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 60, breadcrumb: 1n }) });
      assert.equal(t.node.failSafe.armed, true);
      await lib.invoke(t.exchanges, t.pase, { endpoint: 0, ...lib.generalCommissioning.setRegulatoryConfig({
        newRegulatoryConfig: 0, countryCode: 'XX', breadcrumb: 2n }) });
      assert.equal(t.node.breadcrumb, 2n);
      assert.deepEqual(lib.tlvToPlainValue(await lib.readAttribute(t.exchanges, t.pase, { endpoint: 0, cluster: 0x1f, attribute: 0 })), []);
      await lib.invoke(t.exchanges, t.pase, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(t.light.on, true, 'the implicit Administer covers the whole node while armed');
      // Disarmed (ArmFailSafe 0: the rollback): the privilege goes with the fail-safe, before the session itself does.
      await lib.invoke(t.exchanges, t.pase, { endpoint: 0, ...lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 0, breadcrumb: 0n }) });
      assert.equal(t.node.failSafe.armed, false);
      await assert.rejects(lib.invoke(t.exchanges, t.pase, { endpoint: 1, ...lib.onOff.toggle() }), refused);
      assert.equal(t.light.on, true);
    } finally {
      await t.close();
    }
  });
});

describe('PASE at a commissioned edge realm (its passcode window)', { timeout: 120_000 }, () => {
  it('reads the node, but neither toggles the light nor uses a fail-safe another administrator armed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pase-access-'));
    const app = lib.defaultLightApp();
    const passcode = 20202021 + Math.floor(Math.random() * 1000);
    const server = await lib.startNodeEdgeServer({ realms: { porch: { passcode, node: app.node } }, port: 0, dataDir });
    const controller = await lib.MatterController.open({
      storage: new lib.MemoryStore(),
      transport: lib.edgeControllerTransport({ webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }),
    });
    const sessions = await lib.SessionManager.create({});
    const exchanges = new lib.ExchangeManager(sessions);
    try {
      await controller.commission({ address: { transport: 'http', host: `${server.url}/realms/porch/messages`, port: 0 }, passcode, nodeId: 1n });
      const http = new lib.HttpClientChannel(`${server.url}/realms/porch/messages`, (m, c) => exchanges.receive(m, c));
      const pase = await lib.establishPase(exchanges, http, { passcode });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(exchanges, pase, onOffPath)), false, 'the legacy read works');
      await assert.rejects(lib.invoke(exchanges, pase, { endpoint: 1, ...lib.onOff.toggle() }), refused);
      // The administrator arms the fail-safe over CASE: it is not the PASE session's.
      await controller.invoke(1n, { endpoint: 0, ...lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 60, breadcrumb: 0n }) });
      await assert.rejects(lib.invoke(exchanges, pase, { endpoint: 1, ...lib.onOff.toggle() }), refused);
      await assert.rejects(lib.readAttribute(exchanges, pase, { endpoint: 0, cluster: 0x1f, attribute: 0 }), refused);
      assert.equal(app.light.on, false);
      await controller.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(app.light.on, true, 'the administrator, over CASE, still can');
    } finally {
      exchanges.close();
      await sessions.close();
      await controller.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  it('arming its own fail-safe, it may add a fabric, but neither controls the light nor removes the administrator', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pase-join-'));
    const app = lib.defaultLightApp();
    const passcode = 20202021 + Math.floor(Math.random() * 1000);
    const server = await lib.startNodeEdgeServer({ realms: { porch: { passcode, node: app.node } }, port: 0, dataDir });
    const controller = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: lib.edgeControllerTransport() });
    const second = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: lib.edgeControllerTransport() });
    const sessions = await lib.SessionManager.create({});
    const exchanges = new lib.ExchangeManager(sessions);
    const url = `${server.url}/realms/porch/messages`;
    try {
      await controller.commission({ address: { transport: 'http', host: url, port: 0 }, passcode, nodeId: 1n });
      const node = (await server.edge.realm('porch'))!.node!;
      const pase = await lib.establishPase(exchanges, new lib.HttpClientChannel(url, (m, c) => exchanges.receive(m, c)), { passcode });
      await lib.invoke(exchanges, pase, { endpoint: 0, ...lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 60, breadcrumb: 0n }) });
      assert.equal(node.failSafe.armed, true, 'the PASE session armed the fail-safe');
      await assert.rejects(lib.invoke(exchanges, pase, { endpoint: 1, ...lib.onOff.toggle() }), refused, 'Toggle');
      assert.equal(app.light.on, false);
      await assert.rejects(lib.invoke(exchanges, pase, { endpoint: 0, ...lib.operationalCredentials.removeFabric({ fabricIndex: 1 }) }), refused, 'RemoveFabric');
      await assert.rejects(lib.readAttribute(exchanges, pase, { endpoint: 0, cluster: 0x1f, attribute: 0 }), refused, 'the ACL');
      await assert.rejects(lib.writeAttribute(exchanges, pase, { endpoint: 0, cluster: 0x30, attribute: 0, value: lib.tlv.uint(5n) }), refused, 'Breadcrumb');
      // The joining steps themselves are allowed: a CSR is answered.
      const csr = await lib.invoke(exchanges, pase, { endpoint: 0, ...lib.operationalCredentials.csrRequest({ csrNonce: crypto.getRandomValues(new Uint8Array(32)) }) });
      assert.ok(csr, 'CSRRequest answered');
      assert.equal(node.fabrics.size, 1, 'the administrator\'s fabric is still there');
      await lib.invoke(exchanges, pase, { endpoint: 0, ...lib.generalCommissioning.armFailSafe({ expiryLengthSeconds: 0, breadcrumb: 0n }) }).catch(() => {});
      // A whole second commissioning through the realm's passcode still works (a second administrator joins).
      await second.commission({ address: { transport: 'http', host: url, port: 0 }, passcode, nodeId: 2n });
      assert.equal(node.fabrics.size, 2);
      await second.invoke(2n, { endpoint: 1, ...lib.onOff.toggle() });
      await controller.invoke(1n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(app.light.on, false, 'both administrators control the light');
    } finally {
      exchanges.close();
      await sessions.close();
      await second.close();
      await controller.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
