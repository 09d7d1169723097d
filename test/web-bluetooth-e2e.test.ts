// The web app in headless Chromium, commissioning over Web Bluetooth by clicks: the device chooser (cancelled, then
// answered), a wrong passcode, PASE over BTP with the manual pairing code, VendorName, CloseSession; a device lost
// after pairing and one lost mid-handshake. The Bluetooth peripheral is Chromium's BluetoothEmulation, its GATT
// operations served in this process by our BTP peripheral, PASE responder and attribute server.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { checkSetupPasscode, encodeManualPairingCode } from '../src/commissioning/manual-pairing-code.js';
import { serveDirectory, type StaticServer } from './runtimes/static-server.js';
import { AppPage } from './web/app-page.js';
import { withBluetoothRig } from './web/bluetooth-rig.js';
import type { EmulatedMatterPeripheral, EmulatedPeripheralOptions } from './web/emulated-matter-peripheral.js';
import { buildWebApp, screenshot, webDist } from './web/web-app.js';

await lib.ready();

const RUN_MS = 40_000;

function randomPasscode(): number {
  for (;;) {
    const passcode = randomInt(10_000_000, 99_999_999);
    try {
      return checkSetupPasscode(passcode);
    } catch {
      // one of the few forbidden values: draw again
    }
  }
}

let addresses = 0;
function deviceOptions(extra: Partial<EmulatedPeripheralOptions> = {}): EmulatedPeripheralOptions {
  addresses++;
  return {
    address: `0A:11:22:33:44:${addresses.toString(16).padStart(2, '0').toUpperCase()}`,
    name: 'MATTER-3840', passcode: randomPasscode(), vendorName: `Emulated Vendor ${randomInt(1_000_000)}`, ...extra,
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The page's session matches the device's: each side's local id is the other's peer id. */
async function assertSessionShown(app: AppPage, peripheral: EmulatedMatterPeripheral, name: string): Promise<void> {
  const [deviceSide] = peripheral.sessions.getActiveSessionInformation();
  assert.ok(deviceSide, 'the device holds a PASE session');
  const shown = await app.sessionDetails();
  assert.equal(shown['State'], 'open');
  assert.equal(shown['Kind'], 'PASE');
  assert.equal(shown['Transport'], 'Bluetooth (BTP)');
  assert.equal(shown['Peer'], name);
  assert.equal(shown['Channel'], `btp:${name}`);
  assert.equal(shown['Local session id'], String(deviceSide.peerSessionId));
  assert.equal(shown['Peer session id'], String(deviceSide.sessionId));
  assert.match(shown['Peer session parameters'] ?? '', /idle interval \d+ ms, active interval \d+ ms, active threshold \d+ ms/);
  assert.match(shown['Last activity'] ?? '', /^\d\d:\d\d:\d\d$/);
}

describe('web app over emulated Web Bluetooth (Chromium)', { timeout: 85_000 }, () => {
  let server: StaticServer;

  before(async () => {
    buildWebApp();
    server = await serveDirectory(webDist);
  });
  after(async () => {
    await server?.close();
  });

  it('chooser cancelled, wrong passcode, then pairs with the manual code, reads VendorName and closes', async () => {
    const options = deviceOptions();
    await withBluetoothRig(server.origin, options, RUN_MS, async ({ page, peripheral, chooser }) => {
      const app = new AppPage(page);
      await app.status(/^Ready: choose a device/);

      chooser.cancelNext = true;
      await app.chooseDevice();
      await app.alert(/No device chosen: the chooser was cancelled/);

      await app.chooseDevice();
      await app.status(new RegExp(`Chose ${options.name}`));
      assert.equal(await page.locator('#device-name').textContent(), options.name);

      await app.pairOverBluetooth(options.passcode === 20202021 ? '20202022' : '20202021');
      await app.alert(/Wrong passcode/);
      assert.equal(peripheral.sessionCount, 0, 'no session on the device after a wrong passcode');

      const manualCode = encodeManualPairingCode({ passcode: options.passcode, shortDiscriminator: 3840 >> 8 });
      await app.pairOverBluetooth(`${manualCode.slice(0, 4)}-${manualCode.slice(4, 7)}-${manualCode.slice(7)}`);
      await app.status(new RegExp(`Paired with ${options.name} over Bluetooth`));
      assert.equal(await page.getByRole('alert').textContent(), '', 'the wrong-passcode message is gone');
      await assertSessionShown(app, peripheral, options.name);

      assert.equal(await app.readVendorName(), options.vendorName);
      assert.equal((await app.sessionDetails())['VendorName'], options.vendorName);
      await screenshot(page, 'web-bluetooth-paired');

      await app.closeSession();
      assert.match((await app.sessionDetails())['State'] ?? '', /^closed: closed by this page/);
      await until(() => peripheral.sessionCount === 0, 'the device to drop the session');
      assert.deepEqual(peripheral.closeReasons, ['peer-closed'], 'the device got CloseSession');
      assert.equal(await app.isEnabled('Read VendorName'), false);
    });
  });

  it('the device lost after pairing: the page says so and the session over it is closed', async () => {
    const options = deviceOptions({ name: 'MATTER-0101' });
    await withBluetoothRig(server.origin, options, RUN_MS, async ({ page, peripheral }) => {
      const app = new AppPage(page);
      await app.status(/^Ready/);
      await app.chooseDevice();
      await app.status(/Chose/);
      await app.pairOverBluetooth(String(options.passcode));
      await app.status(/Paired with/);
      assert.equal(await app.readVendorName(), options.vendorName);

      await peripheral.disconnect();
      const message = await app.alert(/Device lost/);
      assert.match(message, new RegExp(`connection to ${options.name} dropped, and every session over it is closed`));
      assert.equal((await app.sessionDetails())['State'], 'closed: device lost');
      assert.equal(await app.isEnabled('Read VendorName'), false, 'no session left to read with');
      assert.equal(await app.isEnabled('Close'), false);
      assert.deepEqual(peripheral.closeReasons, ['channel-closed']);
      await screenshot(page, 'web-bluetooth-device-lost');
    });
  });

  it('the device lost mid-handshake: pairing fails with "device lost" and nothing stays open', async () => {
    // Message 2 is Pake1: the device has answered PBKDFParamRequest and drops the link instead of sending Pake2.
    const options = deviceOptions({ name: 'MATTER-0202', disconnectAtMessage: 2 });
    await withBluetoothRig(server.origin, options, RUN_MS, async ({ page, peripheral }) => {
      const app = new AppPage(page);
      await app.status(/^Ready/);
      await app.chooseDevice();
      await app.status(/Chose/);
      const started = Date.now();
      await app.pairOverBluetooth(String(options.passcode));
      await app.alert(/Device lost/);
      assert.ok(Date.now() - started < 10_000, 'the disconnection ends the handshake at once, not by its timeout');
      assert.equal(peripheral.messagesReceived, 2);
      assert.equal(peripheral.sessionCount, 0);
      assert.equal((await app.sessionDetails())['State'], 'no session yet');
      assert.equal(await app.isEnabled('Pair'), true, 'the user can try again');
      assert.equal(await app.isEnabled('Read VendorName'), false);
    });
  });
});
