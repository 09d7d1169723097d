// The GATT side of a BTP session in a browser: C1 writes go out one at a time, C2 indications come in through
// `characteristicvaluechanged`, and a dropped connection closes the session (and with it every Matter session bound
// to it) with DeviceDisconnectedError.
import type { BtpGattLink, BtpSession } from './btp/index.js';
import { DeviceDisconnectedError } from './web-bluetooth-errors.js';
import type { WebBluetoothCharacteristic, WebBluetoothDevice, WebBluetoothGattServer } from './web-bluetooth-types.js';

export class WebBluetoothGattLink implements BtpGattLink {
  readonly #device: WebBluetoothDevice;
  readonly #server: WebBluetoothGattServer;
  readonly #c1: WebBluetoothCharacteristic;
  readonly #c2: WebBluetoothCharacteristic;
  /** Chromium fails an operation started before the previous one settled ("GATT operation already in progress"). */
  #lastOperation: Promise<unknown> = Promise.resolve();
  #session: BtpSession | undefined;
  #lost: DeviceDisconnectedError | undefined;

  constructor(device: WebBluetoothDevice, server: WebBluetoothGattServer, c1: WebBluetoothCharacteristic,
    c2: WebBluetoothCharacteristic) {
    this.#device = device;
    this.#server = server;
    this.#c1 = c1;
    this.#c2 = c2;
    device.addEventListener('gattserverdisconnected', this.#onDisconnected);
  }

  write(packet: Uint8Array): Promise<void> {
    return this.#serially(() => this.#c1.writeValueWithResponse(packet));
  }

  /** Delivers every C2 value to `session` from now on, then enables indications (the peripheral's cue to answer). */
  async subscribe(session: BtpSession): Promise<void> {
    this.#session = session;
    this.#c2.addEventListener('characteristicvaluechanged', this.#onValue);
    await this.#serially(() => this.#c2.startNotifications());
  }

  close(): void {
    this.#c2.removeEventListener('characteristicvaluechanged', this.#onValue);
    this.#device.removeEventListener('gattserverdisconnected', this.#onDisconnected);
    if (this.#server.connected) this.#server.disconnect();
  }

  #serially<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#lastOperation.then(() => {
      if (this.#lost) throw this.#lost;
      return operation();
    }).catch((error: unknown) => {
      // An operation cut short by the disconnection fails with a NetworkError that says less than the event does.
      throw this.#server.connected ? error : this.#lost ?? new DeviceDisconnectedError(this.#label, error);
    });
    this.#lastOperation = run.catch(() => {});
    return run;
  }

  get #label(): string {
    return this.#device.name || this.#device.id;
  }

  readonly #onValue = (event: Event): void => {
    const value = (event.target as WebBluetoothCharacteristic).value;
    if (value) this.#session?.receivePacket(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  };

  readonly #onDisconnected = (): void => {
    this.#lost ??= new DeviceDisconnectedError(this.#label);
    this.#session?.close(this.#lost);
  };
}
