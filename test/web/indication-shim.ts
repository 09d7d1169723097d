// Test-only: delivering the emulated peripheral's indications to the page.
// Chromium's BluetoothEmulation has no call for a peripheral-initiated notification or indication, but a C2 read
// answered by the test dispatches the same `characteristicvaluechanged` event on the same characteristic object
// that the app listens to. So once the app subscribes to C2, this init script loops in the page: wait (through an
// exposed function) until the peripheral has an indication due, then read C2; the peripheral answers the read with
// the indication's value. The app's code stays on the production event path; only this file knows about reads.
import type { Page } from 'playwright-core';
import { MatterBleUuid } from '../../src/transport/web-bluetooth-channel.js';

const BINDING = '__matterTestIndicationDue';

// Plain JavaScript in a string: a function serialized from here would carry the TypeScript loader's helpers.
// Each subscription starts a new loop and retires the previous one, so a reconnection never has two readers.
const shimSource = `(() => {
  const prototype = globalThis.BluetoothRemoteGATTCharacteristic?.prototype;
  if (!prototype) return;
  const startNotifications = prototype.startNotifications;
  let generation = 0;
  const deliver = async (characteristic, mine) => {
    const server = characteristic.service.device.gatt;
    for (;;) {
      await globalThis.${BINDING}();
      if (mine !== generation || !server.connected) return;
      try {
        await characteristic.readValue();
      } catch {
        return;
      }
    }
  };
  prototype.startNotifications = async function () {
    const result = await startNotifications.call(this);
    if (this.uuid === ${JSON.stringify(MatterBleUuid.c2)}) void deliver(this, ++generation);
    return result;
  };
})();`;

export async function installIndicationShim(page: Page, peripheral: { indicationDue(): Promise<void> }): Promise<void> {
  await page.exposeFunction(BINDING, () => peripheral.indicationDue());
  await page.addInitScript({ content: shimSource });
}
