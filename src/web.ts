// The browser entry (`matter-sessions/web`): everything universal (BTP included), plus its Web Bluetooth transport
// and the manual pairing code a user types in.
export * from './index.js';
export {
  requestMatterDevice, connectWebBluetooth, MatterBleUuid, MATTER_BLE_NAME_PREFIX, type MatterDeviceRequest,
  type WebBluetoothConnectOptions,
} from './transport/web-bluetooth-channel.js';
export {
  WebBluetoothUnavailableError, DeviceChooserCancelledError, NotAMatterDeviceError, DeviceDisconnectedError,
} from './transport/web-bluetooth-errors.js';
export type {
  WebBluetooth, WebBluetoothDevice, WebBluetoothGattServer, WebBluetoothGattService, WebBluetoothCharacteristic,
  WebBluetoothRequestOptions, WebBluetoothScanFilter, WebBluetoothUuid,
} from './transport/web-bluetooth-types.js';
export {
  decodeManualPairingCode, encodeManualPairingCode, checkSetupPasscode, verhoeffCheckDigit, ManualPairingCodeError,
  InvalidPasscodeError, type ManualPairingCode,
} from './commissioning/manual-pairing-code.js';
