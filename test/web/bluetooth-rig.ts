// One end-to-end run of the web app over emulated Web Bluetooth: a fresh Chromium with BluetoothEmulation, the
// emulated Matter peripheral served by this process, the indication shim, the device chooser answered through
// DeviceAccess, and the built app loaded from `origin`. Everything is torn down when the run ends or fails.
import type { Browser, CDPSession, Page } from 'playwright-core';
import { withTimeout } from '../runtimes/timeout.js';
import { EmulatedMatterPeripheral, type EmulatedPeripheralOptions } from './emulated-matter-peripheral.js';
import { installIndicationShim } from './indication-shim.js';
import { launchChromium, watchPage, withPageLog, type PageWatch } from './web-app.js';

export interface BluetoothRig {
  page: Page;
  peripheral: EmulatedMatterPeripheral;
  /** What the test does with the next device chooser: pick the peripheral (default) or cancel. */
  chooser: { cancelNext: boolean };
}

/** Answers each device chooser once (Chromium reports a prompt twice): cancel it, or pick `address` once offered. */
function answerChoosers(deviceAccess: CDPSession, address: string, chooser: BluetoothRig['chooser']): void {
  const answered = new Set<string>();
  deviceAccess.on('DeviceAccess.deviceRequestPrompted', (prompt) => {
    if (answered.has(prompt.id)) return;
    if (chooser.cancelNext) {
      answered.add(prompt.id);
      chooser.cancelNext = false;
      void deviceAccess.send('DeviceAccess.cancelPrompt', { id: prompt.id });
    } else if (prompt.devices.some((device) => device.id === address)) {
      answered.add(prompt.id);
      void deviceAccess.send('DeviceAccess.selectPrompt', { id: prompt.id, deviceId: address });
    }
  });
}

export async function withBluetoothRig(origin: string, options: EmulatedPeripheralOptions, timeoutMs: number,
  run: (rig: BluetoothRig) => Promise<void>): Promise<void> {
  let browser: Browser | undefined;
  let peripheral: EmulatedMatterPeripheral | undefined;
  let watch: PageWatch | undefined;
  try {
    await withTimeout(timeoutMs, 'the Web Bluetooth run', async () => {
      browser = await launchChromium({ webBluetooth: true });
      const bluetooth = await browser.newBrowserCDPSession();
      await bluetooth.send('BluetoothEmulation.enable', { state: 'powered-on', leSupported: true });
      peripheral = await EmulatedMatterPeripheral.create(bluetooth, options);
      const context = await browser.newContext({ viewport: { width: 900, height: 1100 } });
      const page = await context.newPage();
      watch = watchPage(page);
      await installIndicationShim(page, peripheral);
      const deviceAccess = await context.newCDPSession(page);
      await deviceAccess.send('DeviceAccess.enable');
      const chooser = { cancelNext: false };
      answerChoosers(deviceAccess, options.address, chooser);
      await page.goto(`${origin}/index.html`);
      await run({ page, peripheral, chooser });
      watch.assertClean();
      peripheral.assertNoProblems();
    });
  } catch (error) {
    throw withPageLog(error, watch);
  } finally {
    await browser?.close().catch(() => undefined);
    await peripheral?.close();
  }
}
