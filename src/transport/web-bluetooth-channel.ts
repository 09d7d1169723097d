// Matter over Web Bluetooth: choose a commissionable device, connect to its GATT server and open a BTP session
// (a reliable MessageChannel) as the central. Matter sessions established over it close when the device is lost.
import { BtpSession, type BtpSessionOptions } from './btp/index.js';
import {
  DeviceChooserCancelledError, DeviceDisconnectedError, NotAMatterDeviceError, WebBluetoothUnavailableError,
} from './web-bluetooth-errors.js';
import { WebBluetoothGattLink } from './web-bluetooth-gatt-link.js';
import type {
  WebBluetooth, WebBluetoothCharacteristic, WebBluetoothDevice, WebBluetoothGattServer, WebBluetoothRequestOptions,
} from './web-bluetooth-types.js';

/** The Matter BLE service (16-bit 0xFFF6) and its BTP characteristics (spec "BTP GATT Service"). */
export const MatterBleUuid = {
  service: '0000fff6-0000-1000-8000-00805f9b34fb',
  /** C1: the central writes BTP packets here (write with response). */
  c1: '18ee2ef5-263d-4559-959f-4f9c429f9d11',
  /** C2: the peripheral indicates BTP packets here. */
  c2: '18ee2ef5-263d-4559-959f-4f9c429f9d12',
} as const;

/** The SDK's default advertised name is "MATTER-" and the discriminator. */
export const MATTER_BLE_NAME_PREFIX = 'MATTER-';

export interface MatterDeviceRequest {
  /** Also offer devices whose name starts with this. Default "MATTER-". */
  namePrefix?: string;
  /**
   * List every nearby device. Commissionable devices carry 0xFFF6 only as advertising service DATA, which
   * Chromium's service filters do not match (and it has no service-data filter): a device that neither lists the
   * service UUID nor uses the name prefix shows up only this way.
   */
  acceptAllDevices?: boolean;
}

/**
 * Shows the browser's device chooser; call it from a user gesture (a click). Offers devices that advertise the
 * 0xFFF6 service UUID or whose name starts with the prefix (or, with `acceptAllDevices`, every device), and asks
 * access to the Matter service in every case.
 * Rejects with WebBluetoothUnavailableError (no `bluetooth`) or DeviceChooserCancelledError.
 */
export async function requestMatterDevice(bluetooth: WebBluetooth | undefined, request: MatterDeviceRequest = {}):
  Promise<WebBluetoothDevice> {
  if (!bluetooth) throw new WebBluetoothUnavailableError();
  const optionalServices = [MatterBleUuid.service];
  const options: WebBluetoothRequestOptions = request.acceptAllDevices
    ? { acceptAllDevices: true, optionalServices }
    : { filters: [{ services: [MatterBleUuid.service] }, { namePrefix: request.namePrefix ?? MATTER_BLE_NAME_PREFIX }], optionalServices };
  try {
    return await bluetooth.requestDevice(options);
  } catch (error) {
    if ((error as { name?: unknown })?.name === 'NotFoundError') throw new DeviceChooserCancelledError(error);
    throw error;
  }
}

export type WebBluetoothConnectOptions = BtpSessionOptions;

/**
 * Connects to the device's GATT server and opens a BTP session over C1/C2: resolves once the BTP handshake is
 * done. Feed nothing yourself: indications reach the session through the link. Rejects with NotAMatterDeviceError,
 * DeviceDisconnectedError, a BTP error (handshake timeout, protocol), or the browser's error; the GATT
 * connection is then released.
 */
export async function connectWebBluetooth(device: WebBluetoothDevice, options: WebBluetoothConnectOptions):
  Promise<BtpSession> {
  const label = device.name || device.id;
  if (!device.gatt) throw new NotAMatterDeviceError(`${label} has no GATT server`);
  const server = await device.gatt.connect();
  let link: WebBluetoothGattLink;
  try {
    const { c1, c2 } = await matterCharacteristics(server, label);
    link = new WebBluetoothGattLink(device, server, c1, c2);
  } catch (error) {
    const connected = server.connected;
    server.disconnect();
    throw connected ? error : new DeviceDisconnectedError(label, error);
  }
  // Web Bluetooth hides the ATT MTU, so announce 0: the peripheral picks a fragment size its MTU allows.
  return BtpSession.connectAsCentral(link, { name: `btp:${label}`, ...options, mtu: 0, subscribe: (session) => link.subscribe(session) });
}

async function matterCharacteristics(server: WebBluetoothGattServer, label: string):
  Promise<{ c1: WebBluetoothCharacteristic; c2: WebBluetoothCharacteristic }> {
  try {
    const service = await server.getPrimaryService(MatterBleUuid.service);
    return { c1: await service.getCharacteristic(MatterBleUuid.c1), c2: await service.getCharacteristic(MatterBleUuid.c2) };
  } catch (error) {
    if ((error as { name?: unknown })?.name !== 'NotFoundError') throw error;
    throw new NotAMatterDeviceError(`${label} does not offer the Matter BLE service 0xFFF6 with C1 and C2`, { cause: error });
  }
}
