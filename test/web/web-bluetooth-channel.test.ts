// The Web Bluetooth channel in Node against an in-memory GATT device: the chooser's filters, PASE and a read over
// BTP with GATT operations never overlapping, and a lost connection closing the BTP session and every Matter
// session bound to it with DeviceDisconnectedError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lib from '../../src/node.js';
import {
  connectWebBluetooth, MATTER_BLE_NAME_PREFIX, MatterBleUuid, requestMatterDevice,
} from '../../src/transport/web-bluetooth-channel.js';
import {
  DeviceChooserCancelledError, DeviceDisconnectedError, NotAMatterDeviceError, WebBluetoothUnavailableError,
} from '../../src/transport/web-bluetooth-errors.js';
import { WebBluetoothGattLink } from '../../src/transport/web-bluetooth-gatt-link.js';
import type { WebBluetooth, WebBluetoothRequestOptions } from '../../src/transport/web-bluetooth-types.js';
import { FakeMatterDevice } from './fake-web-bluetooth.js';

await lib.ready();
const PASSCODE = 20202021;

async function matterDevice(vendorName = 'Fake Vendor') {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  new lib.PaseResponder(exchanges, { passcode: PASSCODE });
  new lib.AttributeServer(exchanges, lib.basicInformationAttributes({ vendorName, vendorId: 0xfff1, productName: 'Fake', productId: 1 }));
  const device = new FakeMatterDevice('MATTER-3840', (message, channel) => exchanges.receive(message, channel));
  return { device, sessions, close: async () => { exchanges.close(); await sessions.close(); } };
}

async function commissioner() {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  return { sessions, exchanges, close: async () => { exchanges.close(); await sessions.close(); } };
}

describe('requestMatterDevice', () => {
  const recording = (result: () => Promise<never> | Promise<FakeMatterDevice>) => {
    const asked: WebBluetoothRequestOptions[] = [];
    const bluetooth: WebBluetooth = { requestDevice: (options) => { asked.push(options); return result(); } };
    return { bluetooth, asked };
  };

  it('offers devices with the 0xFFF6 service or the name prefix, and asks access to the service', async () => {
    const device = new FakeMatterDevice('MATTER-1', () => {});
    const { bluetooth, asked } = recording(async () => device);
    assert.equal(await requestMatterDevice(bluetooth), device);
    await requestMatterDevice(bluetooth, { namePrefix: 'Lamp-' });
    await requestMatterDevice(bluetooth, { acceptAllDevices: true });
    assert.deepEqual(asked, [
      { filters: [{ services: [MatterBleUuid.service] }, { namePrefix: MATTER_BLE_NAME_PREFIX }], optionalServices: [MatterBleUuid.service] },
      { filters: [{ services: [MatterBleUuid.service] }, { namePrefix: 'Lamp-' }], optionalServices: [MatterBleUuid.service] },
      { acceptAllDevices: true, optionalServices: [MatterBleUuid.service] },
    ]);
  });

  it('no Web Bluetooth: WebBluetoothUnavailableError; a cancelled chooser: DeviceChooserCancelledError', async () => {
    await assert.rejects(requestMatterDevice(undefined), WebBluetoothUnavailableError);
    const cancelled = Object.assign(new Error('User cancelled the requestDevice() chooser.'), { name: 'NotFoundError' });
    await assert.rejects(requestMatterDevice(recording(() => Promise.reject(cancelled)).bluetooth),
      (e: unknown) => e instanceof DeviceChooserCancelledError && e.cause === cancelled);
    const denied = Object.assign(new Error('denied'), { name: 'SecurityError' });
    await assert.rejects(requestMatterDevice(recording(() => Promise.reject(denied)).bluetooth), (e: unknown) => e === denied);
  });
});

describe('connectWebBluetooth', () => {
  it('pairs by PASE over BTP and reads VendorName, one GATT operation at a time', async () => {
    const d = await matterDevice('Vendor over BTP'), c = await commissioner();
    try {
      const btp = await connectWebBluetooth(d.device, { onMessage: (m, s) => c.exchanges.receive(m, s) });
      assert.equal(btp.name, 'btp:MATTER-3840');
      assert.equal(btp.reliable, true);
      const session = await lib.establishPase(c.exchanges, btp, { passcode: PASSCODE });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'Vendor over BTP');
      // Several messages at once: the session queues them, the link still writes one packet at a time.
      await Promise.all([1, 2, 3].map(() => lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 })));
      assert.equal(d.device.maxOperationsInFlight, 1);
      btp.close();
      assert.equal(d.device.connected, false, 'closing the session disconnects GATT');
      assert.equal(session.closed, true);
    } finally {
      await c.close(); await d.close();
    }
  });

  it('a dropped connection closes the BTP session and every Matter session on it with DeviceDisconnectedError', async () => {
    const d = await matterDevice(), c = await commissioner();
    try {
      const btp = await connectWebBluetooth(d.device, { onMessage: (m, s) => c.exchanges.receive(m, s) });
      const session = await lib.establishPase(c.exchanges, btp, { passcode: PASSCODE });
      const closed: lib.SessionCloseReason[] = [];
      c.sessions.events.on('sessionClosed', (_s, reason) => closed.push(reason));
      let closeError: unknown;
      btp.onClose((error) => { closeError = error; });
      d.device.dropConnection();
      assert.equal(btp.closed, true);
      assert.ok(closeError instanceof DeviceDisconnectedError && closeError.deviceName === 'MATTER-3840');
      assert.equal(session.closed, true);
      assert.deepEqual(closed, ['channel-closed']);
      await assert.rejects(lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 }));
    } finally {
      await c.close(); await d.close();
    }
  });

  it('a connection dropped during the BTP handshake rejects with DeviceDisconnectedError', async () => {
    const d = await matterDevice(), c = await commissioner();
    try {
      const connecting = connectWebBluetooth(d.device, { onMessage: (m, s) => c.exchanges.receive(m, s) });
      setTimeout(() => d.device.dropConnection(), 1);
      await assert.rejects(connecting, DeviceDisconnectedError);
    } finally {
      await c.close(); await d.close();
    }
  });

  it('the GATT link runs writes asked for at once one after another, in order', async () => {
    const written: number[] = [];
    const device = new FakeMatterDevice('MATTER-1', () => {});
    device.written = (bytes) => { written.push(bytes[0]!); };
    const server = await device.connect();
    const service = await server.getPrimaryService(MatterBleUuid.service);
    const link = new WebBluetoothGattLink(device, server, await service.getCharacteristic(MatterBleUuid.c1),
      await service.getCharacteristic(MatterBleUuid.c2));
    await Promise.all([1, 2, 3, 4].map((n) => link.write(new Uint8Array([n]))));
    assert.deepEqual(written, [1, 2, 3, 4]);
    assert.equal(device.maxOperationsInFlight, 1);
    device.dropConnection();
    await assert.rejects(link.write(new Uint8Array([5])), DeviceDisconnectedError);
  });

  it('a device without the Matter service: NotAMatterDeviceError, and GATT is released', async () => {
    const device = new FakeMatterDevice('Headphones', () => {}, false);
    await assert.rejects(connectWebBluetooth(device, { onMessage: () => {} }), (e: unknown) =>
      e instanceof NotAMatterDeviceError && /Headphones does not offer the Matter BLE service/.test(e.message));
    assert.equal(device.connected, false);
  });
});
