// An in-memory Web Bluetooth device for Node tests: a GATT server with the Matter service whose C1 writes feed a
// BTP peripheral session and whose indications arrive on C2 as `characteristicvaluechanged`, like a browser's.
// It records how many GATT operations overlapped, since browsers fail overlapping ones.
import { BtpSession } from '../../src/transport/btp/index.js';
import { MatterBleUuid } from '../../src/transport/web-bluetooth-channel.js';
import type {
  WebBluetoothCharacteristic, WebBluetoothDevice, WebBluetoothGattServer, WebBluetoothGattService, WebBluetoothUuid,
} from '../../src/transport/web-bluetooth-types.js';

const GATT_OPERATION_MS = 2;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class FakeCharacteristic extends EventTarget implements WebBluetoothCharacteristic {
  value: DataView | null = null;
  constructor(readonly uuid: string, private readonly device: FakeMatterDevice) {
    super();
  }

  async writeValueWithResponse(value: Uint8Array): Promise<void> {
    await this.device.operation(() => this.device.written(value.slice()));
  }

  async startNotifications(): Promise<WebBluetoothCharacteristic> {
    await this.device.operation(() => this.device.subscribed());
    return this;
  }

  async stopNotifications(): Promise<WebBluetoothCharacteristic> {
    return this;
  }

  indicate(packet: Uint8Array): void {
    this.value = new DataView(packet.buffer.slice(packet.byteOffset, packet.byteOffset + packet.byteLength) as ArrayBuffer);
    this.dispatchEvent(new Event('characteristicvaluechanged'));
  }
}

export class FakeMatterDevice extends EventTarget implements WebBluetoothDevice, WebBluetoothGattServer {
  readonly id = 'fake-device-id';
  connected = false;
  /** Most GATT operations seen in flight at once (a browser allows 1). */
  maxOperationsInFlight = 0;
  /** The device's end of BTP, once the central's handshake request arrived. */
  peripheral: BtpSession | undefined;
  readonly #c1 = new FakeCharacteristic(MatterBleUuid.c1, this);
  readonly #c2 = new FakeCharacteristic(MatterBleUuid.c2, this);
  #inFlight = 0;

  /** `onMessage`: the device's Matter stack (an ExchangeManager's receive). */
  constructor(readonly name: string | undefined, private readonly onMessage: (message: Uint8Array, channel: BtpSession) => void,
    private readonly hasMatterService = true) {
    super();
  }

  get gatt(): WebBluetoothGattServer {
    return this;
  }

  async connect(): Promise<WebBluetoothGattServer> {
    this.connected = true;
    return this;
  }

  /** The central disconnects: as in browsers, gattserverdisconnected fires for that too. */
  disconnect(): void {
    this.dropConnection();
  }

  /** The device goes away (out of range, switched off). */
  dropConnection(): void {
    if (!this.connected) return;
    this.connected = false;
    this.peripheral?.close(new Error('connection dropped'));
    this.dispatchEvent(new Event('gattserverdisconnected'));
  }

  async getPrimaryService(service: WebBluetoothUuid): Promise<WebBluetoothGattService> {
    if (!this.hasMatterService || service !== MatterBleUuid.service) throw Object.assign(new Error('No Services matching UUID found'), { name: 'NotFoundError' });
    return {
      getCharacteristic: async (uuid) => {
        if (uuid === MatterBleUuid.c1) return this.#c1;
        if (uuid === MatterBleUuid.c2) return this.#c2;
        throw Object.assign(new Error('No Characteristics matching UUID found'), { name: 'NotFoundError' });
      },
    };
  }

  /** One GATT operation: takes a while, fails once disconnected, counts overlaps. */
  async operation(effect: () => void): Promise<void> {
    if (!this.connected) throw Object.assign(new Error('GATT Server is disconnected'), { name: 'NetworkError' });
    this.#inFlight++;
    this.maxOperationsInFlight = Math.max(this.maxOperationsInFlight, this.#inFlight);
    try {
      await sleep(GATT_OPERATION_MS);
      if (!this.connected) throw Object.assign(new Error('GATT Server is disconnected'), { name: 'NetworkError' });
      effect();
    } finally {
      this.#inFlight--;
    }
  }

  written(bytes: Uint8Array): void {
    if (this.peripheral) {
      this.peripheral.receivePacket(bytes);
      return;
    }
    this.peripheral = BtpSession.acceptAsPeripheral({
      write: async (packet) => {
        await sleep(GATT_OPERATION_MS);
        if (this.connected) this.#c2.indicate(packet);
      },
    }, bytes, { mtu: 23, onMessage: this.onMessage });
  }

  subscribed(): void {
    void this.peripheral?.subscribed().catch(() => {});
  }
}
