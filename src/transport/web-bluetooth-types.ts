// The part of the Web Bluetooth API (https://webbluetoothcg.github.io/web-bluetooth/) the BTP channel uses, declared
// here because TypeScript's DOM library has none of it and a @types package would be a dependency for four calls.

/** A 16-bit alias (0xFFF6) or a full lower-case UUID string. */
export type WebBluetoothUuid = number | string;

export interface WebBluetoothScanFilter {
  services?: WebBluetoothUuid[];
  name?: string;
  namePrefix?: string;
}

export type WebBluetoothRequestOptions =
  | { filters: WebBluetoothScanFilter[]; optionalServices?: WebBluetoothUuid[] }
  | { acceptAllDevices: true; optionalServices?: WebBluetoothUuid[] };

/** `navigator.bluetooth`. */
export interface WebBluetooth {
  requestDevice(options: WebBluetoothRequestOptions): Promise<WebBluetoothDevice>;
}

export interface WebBluetoothDevice extends EventTarget {
  readonly id: string;
  readonly name?: string | undefined;
  readonly gatt?: WebBluetoothGattServer | undefined;
}

export interface WebBluetoothGattServer {
  readonly connected: boolean;
  connect(): Promise<WebBluetoothGattServer>;
  disconnect(): void;
  getPrimaryService(service: WebBluetoothUuid): Promise<WebBluetoothGattService>;
}

export interface WebBluetoothGattService {
  getCharacteristic(characteristic: WebBluetoothUuid): Promise<WebBluetoothCharacteristic>;
}

/** Fires `characteristicvaluechanged` for every notification or indication (and for every readValue). */
export interface WebBluetoothCharacteristic extends EventTarget {
  readonly uuid: string;
  readonly value?: DataView | null | undefined;
  writeValueWithResponse(value: Uint8Array): Promise<void>;
  startNotifications(): Promise<WebBluetoothCharacteristic>;
  stopNotifications(): Promise<WebBluetoothCharacteristic>;
}
