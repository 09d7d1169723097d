// A commissionable Matter device behind Chromium's BluetoothEmulation (CDP, browser session). The emulated GATT
// server's operations arrive here as events and are served in this process: C1 writes feed a BTP peripheral
// session, the C2 subscription starts it, and what it indicates waits in a queue until the page reads C2 (see
// indication-shim.ts). Above BTP sit our own SessionManager, ExchangeManager, PaseResponder and AttributeServer.
import type { CDPSession } from 'playwright-core';
import * as lib from '../../src/node.js';
import { BtpSession } from '../../src/transport/btp/index.js';
import { MatterBleUuid } from '../../src/transport/web-bluetooth-channel.js';

const CCCD_UUID = '00002902-0000-1000-8000-00805f9b34fb';
/** HCI and ATT both use 0 for success. */
const SUCCESS = 0;
/** ATT "Unlikely Error": the page read C2 with nothing to indicate. */
const ATT_UNLIKELY_ERROR = 0x0e;

/** The BluetoothEmulation events this peripheral answers (playwright-core does not export its protocol types). */
interface GattOperation {
  address: string;
  type: 'connection' | 'discovery';
}
interface CharacteristicOperation {
  characteristicId: string;
  type: 'read' | 'write' | 'subscribe-to-notifications' | 'unsubscribe-from-notifications';
  /** Base64, for writes. */
  data?: string;
}

interface PendingIndication {
  packet: Uint8Array;
  resolve(): void;
  reject(error: unknown): void;
}

export interface EmulatedPeripheralOptions {
  /** Bluetooth address; also the device id the chooser offers. */
  address: string;
  /** Advertised name ("MATTER-3840"). */
  name: string;
  passcode: number;
  vendorName: string;
  /** The ATT MTU this GATT server negotiated (the browser announces 0). Default 23: 20-byte BTP segments. */
  mtu?: number;
  /** Drop the connection when this Matter message (1-based) arrives, instead of handling it. */
  disconnectAtMessage?: number;
}

export class EmulatedMatterPeripheral {
  readonly sessions: lib.SessionManager;
  readonly exchanges: lib.ExchangeManager;
  /** Why each of the device's secure sessions closed, in order. */
  readonly closeReasons: lib.SessionCloseReason[] = [];
  /** Matter messages received over BTP. */
  messagesReceived = 0;

  readonly #cdp: CDPSession;
  readonly #options: EmulatedPeripheralOptions;
  readonly #ids: { c1: string; c2: string };
  #btp: BtpSession | undefined;
  readonly #indications: PendingIndication[] = [];
  readonly #indicationWaiters: Array<() => void> = [];
  readonly #problems: string[] = [];

  private constructor(cdp: CDPSession, options: EmulatedPeripheralOptions, ids: { c1: string; c2: string },
    sessions: lib.SessionManager) {
    this.#cdp = cdp;
    this.#options = options;
    this.#ids = ids;
    this.sessions = sessions;
    this.exchanges = new lib.ExchangeManager(sessions);
    new lib.PaseResponder(this.exchanges, { passcode: options.passcode });
    new lib.AttributeServer(this.exchanges, lib.basicInformationAttributes({
      vendorName: options.vendorName, vendorId: 0xfff1, productName: 'Emulated light', productId: 0x8000,
    }));
    sessions.events.on('sessionClosed', (_session, reason) => this.closeReasons.push(reason));
    cdp.on('BluetoothEmulation.gattOperationReceived', this.#onGattOperation);
    cdp.on('BluetoothEmulation.characteristicOperationReceived', this.#onCharacteristicOperation);
  }

  /** Adds the peripheral (already connected to the system, as the recipe needs) with the Matter service. */
  static async create(cdp: CDPSession, options: EmulatedPeripheralOptions): Promise<EmulatedMatterPeripheral> {
    const { address, name } = options;
    await cdp.send('BluetoothEmulation.simulatePreconnectedPeripheral', {
      address, name, manufacturerData: [], knownServiceUuids: [MatterBleUuid.service],
    });
    const { serviceId } = await cdp.send('BluetoothEmulation.addService', { address, serviceUuid: MatterBleUuid.service });
    const c1 = await cdp.send('BluetoothEmulation.addCharacteristic', {
      serviceId, characteristicUuid: MatterBleUuid.c1, properties: { write: true, writeWithoutResponse: true },
    });
    const c2 = await cdp.send('BluetoothEmulation.addCharacteristic', {
      serviceId, characteristicUuid: MatterBleUuid.c2, properties: { read: true, indicate: true },
    });
    await cdp.send('BluetoothEmulation.addDescriptor', { characteristicId: c2.characteristicId, descriptorUuid: CCCD_UUID });
    const sessions = await lib.SessionManager.create({});
    return new EmulatedMatterPeripheral(cdp, options, { c1: c1.characteristicId, c2: c2.characteristicId }, sessions);
  }

  /** Secure sessions the device holds. */
  get sessionCount(): number {
    return this.sessions.sessionCount;
  }

  /** Resolves once an indication waits to be delivered (the page's shim then reads C2). */
  indicationDue(): Promise<void> {
    if (this.#indications.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#indicationWaiters.push(resolve));
  }

  /** The device drops the GATT connection: the page sees gattserverdisconnected, the device closes its BTP session. */
  async disconnect(): Promise<void> {
    await this.#cdp.send('BluetoothEmulation.simulateGATTDisconnection', { address: this.#options.address });
    this.#dropLink(new Error('the peripheral disconnected'));
  }

  /** Throws what went wrong on the device's side (a BTP or GATT problem the page may not show). */
  assertNoProblems(): void {
    if (this.#problems.length) throw new Error(`emulated peripheral: ${this.#problems.join('; ')}`);
  }

  async close(): Promise<void> {
    this.#cdp.off('BluetoothEmulation.gattOperationReceived', this.#onGattOperation);
    this.#cdp.off('BluetoothEmulation.characteristicOperationReceived', this.#onCharacteristicOperation);
    this.#dropLink(new Error('the peripheral was shut down'));
    this.exchanges.close();
    await this.sessions.close();
  }

  #dropLink(error: Error): void {
    this.#btp?.close(error);
    this.#btp = undefined;
    for (const pending of this.#indications.splice(0)) pending.reject(error);
  }

  readonly #onGattOperation = (event: GattOperation): void => {
    if (event.address !== this.#options.address) return;
    this.#settle('GATT operation', this.#cdp.send('BluetoothEmulation.simulateGATTOperationResponse',
      { address: event.address, type: event.type, code: SUCCESS }));
  };

  readonly #onCharacteristicOperation = (event: CharacteristicOperation): void => {
    const { characteristicId, type } = event;
    if (characteristicId !== this.#ids.c1 && characteristicId !== this.#ids.c2) return;
    if (type === 'write' && characteristicId === this.#ids.c1) {
      // Answer before handling: a disconnection simulated while a write awaits its answer never reaches the page.
      this.#answer(event, SUCCESS);
      this.#written(Buffer.from(event.data ?? '', 'base64'));
    } else if (type === 'read' && characteristicId === this.#ids.c2) {
      this.#deliverIndication(event);
    } else {
      this.#answer(event, SUCCESS);
      if (type === 'subscribe-to-notifications') {
        this.#btp?.subscribed().catch((error: unknown) => this.#problems.push(`handshake response: ${String(error)}`));
      }
    }
  };

  /** A C1 write: the central's handshake request first, BTP packets after. */
  #written(bytes: Uint8Array): void {
    if (this.#btp) {
      this.#btp.receivePacket(bytes);
      return;
    }
    try {
      this.#btp = BtpSession.acceptAsPeripheral({ write: (packet) => this.#indicate(packet) }, bytes, {
        mtu: this.#options.mtu ?? 23,
        onMessage: (message, channel) => this.#received(message, channel),
      });
    } catch (error) {
      this.#problems.push(`handshake request: ${String(error)}`);
    }
  }

  #received(message: Uint8Array, channel: BtpSession): void {
    this.messagesReceived++;
    if (this.messagesReceived === this.#options.disconnectAtMessage) {
      void this.disconnect().catch((error: unknown) => this.#problems.push(`disconnect: ${String(error)}`));
      return;
    }
    this.exchanges.receive(message, channel);
  }

  #indicate(packet: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#indications.push({ packet: packet.slice(), resolve, reject });
      for (const wake of this.#indicationWaiters.splice(0)) wake();
    });
  }

  /** Answers the page's C2 read with the oldest indication; the indication is then delivered. */
  #deliverIndication(read: CharacteristicOperation): void {
    const next = this.#indications.shift();
    if (!next) {
      this.#problems.push('the page read C2 with no indication due');
      this.#answer(read, ATT_UNLIKELY_ERROR);
      return;
    }
    this.#cdp.send('BluetoothEmulation.simulateCharacteristicOperationResponse', {
      characteristicId: read.characteristicId, type: read.type, code: SUCCESS, data: Buffer.from(next.packet).toString('base64'),
    }).then(() => next.resolve(), (error: unknown) => next.reject(error));
  }

  #answer(operation: CharacteristicOperation, code: number): void {
    this.#settle(`${operation.type} answer`, this.#cdp.send('BluetoothEmulation.simulateCharacteristicOperationResponse',
      { characteristicId: operation.characteristicId, type: operation.type, code }));
  }

  #settle(what: string, reply: Promise<unknown>): void {
    // After a disconnection the browser may refuse late answers; only a connected link's failures matter.
    reply.catch((error: unknown) => {
      if (this.#btp) this.#problems.push(`${what}: ${String(error)}`);
    });
  }
}
