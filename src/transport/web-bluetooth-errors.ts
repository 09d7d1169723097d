// Why a Web Bluetooth step failed, as types the app can tell apart (the browser reports most as DOMExceptions
// whose names overlap: NotFoundError is both "chooser cancelled" and "no such service").

/** This browser (or this page: Web Bluetooth needs a secure context) has no navigator.bluetooth. */
export class WebBluetoothUnavailableError extends Error {
  override name = 'WebBluetoothUnavailableError';
  constructor() {
    super('this browser has no Web Bluetooth (navigator.bluetooth): use Chrome or Edge over https or localhost');
  }
}

/** The user closed the device chooser without picking a device (or it found none). */
export class DeviceChooserCancelledError extends Error {
  override name = 'DeviceChooserCancelledError';
  constructor(cause: unknown) {
    super('no device was chosen: the chooser was cancelled or found no device', { cause });
  }
}

/** The device does not offer the Matter BLE service (0xFFF6) with its two BTP characteristics. */
export class NotAMatterDeviceError extends Error {
  override name = 'NotAMatterDeviceError';
}

/** The GATT connection dropped (gattserverdisconnected): out of range, switched off, or disconnected by the device. */
export class DeviceDisconnectedError extends Error {
  override name = 'DeviceDisconnectedError';
  constructor(readonly deviceName: string, cause?: unknown) {
    super(`lost the connection to ${deviceName}`, cause === undefined ? undefined : { cause });
  }
}
