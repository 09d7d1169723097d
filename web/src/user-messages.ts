// What to tell the user when something fails: what happened and what to do next, not a stack trace.
import {
  BtpTimeoutError, DeviceChooserCancelledError, DeviceDisconnectedError, InteractionStatusError, InvalidPasscodeError,
  ManualPairingCodeError, NotAMatterDeviceError, PaseError, WebBluetoothUnavailableError,
} from '../../src/web.js';
import { ConnectionClosedError, EdgeUnreachableError, NoSuchRealmError } from './commissioner.js';

export const NO_WEB_BLUETOOTH = 'This browser has no Web Bluetooth. Use Chrome or Edge (on Linux with '
  + 'chrome://flags/#enable-experimental-web-platform-features) on a page served over https or from localhost, '
  + 'or pair with an edge over WebSocket below.';

export function deviceLost(name: string): string {
  return `Device lost: the Bluetooth connection to ${name} dropped, and every session over it is closed. `
    + 'Check that the device is on and in range, then pair again.';
}

export function describeProblem(error: unknown): string {
  if (error instanceof WebBluetoothUnavailableError) return NO_WEB_BLUETOOTH;
  if (error instanceof DeviceChooserCancelledError) return 'No device chosen: the chooser was cancelled (or found no Matter device). '
    + 'If your device is not listed, tick "Show all nearby devices" and try again.';
  if (error instanceof DeviceDisconnectedError) return deviceLost(error.deviceName);
  if (error instanceof NotAMatterDeviceError) return `This is not a commissionable Matter device: ${error.message}.`;
  if (error instanceof PaseError) {
    switch (error.failure) {
      case 'wrong-passcode': return 'Wrong passcode: the device did not accept it. Check the code on the device and pair again.';
      case 'busy': return error.retryAfterSeconds === undefined
        ? 'The device is busy: another commissioner is pairing with it, or its commissioning window is closed.'
        : `Commissioning window closed, retry in ${error.retryAfterSeconds} s: the device stopped accepting pairing for now `
          + '(after too many failed attempts), or another commissioner is pairing with it.';
      case 'timeout': return 'The device stopped answering during pairing. Try again.';
      default: return `Pairing failed: ${error.message}.`;
    }
  }
  if (error instanceof InvalidPasscodeError || error instanceof ManualPairingCodeError) return `Check the passcode: ${error.message}.`;
  if (error instanceof NoSuchRealmError) return `No realm "${error.realm}": the edge answered, but has no realm by that name. Check the realm in the URL.`;
  if (error instanceof EdgeUnreachableError) return `Edge unreachable: could not connect to ${error.url}. Is the edge running, and is the URL right?`;
  if (error instanceof ConnectionClosedError) return `The connection closed during pairing (${error.message}).`;
  if (error instanceof BtpTimeoutError) return `The device stopped answering over Bluetooth (${error.message}).`;
  if (error instanceof InteractionStatusError) return `The device refused the read: ${error.message}.`;
  return `Something went wrong: ${(error as Error)?.message ?? String(error)}`;
}
