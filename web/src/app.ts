// The page: choose a device and pair over Web Bluetooth, or pair with an edge over WebSocket; then read VendorName
// and close the session. Every action reports progress in the status line and failures in the alert line.
import {
  DeviceDisconnectedError, ready, requestMatterDevice, type SessionCloseReason, type WebBluetooth, type WebBluetoothDevice,
} from '../../src/web.js';
import { Commissioner } from './commissioner.js';
import { recordOf, SessionRecordStore, type SessionRecord } from './session-record.js';
import { renderSession } from './session-view.js';
import { passcodeFromSetupCode } from './setup-code.js';
import { describeProblem, deviceLost, NO_WEB_BLUETOOTH } from './user-messages.js';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html lacks #${id}`);
  return element as T;
}

const ui = {
  status: byId<HTMLElement>('status'),
  problem: byId<HTMLElement>('problem'),
  bluetoothSupport: byId<HTMLElement>('bluetooth-support'),
  showAll: byId<HTMLInputElement>('show-all-devices'),
  choose: byId<HTMLButtonElement>('choose-device'),
  deviceName: byId<HTMLOutputElement>('device-name'),
  bluetoothForm: byId<HTMLFormElement>('bluetooth-form'),
  bluetoothPasscode: byId<HTMLInputElement>('bluetooth-passcode'),
  bluetoothPair: byId<HTMLButtonElement>('bluetooth-pair'),
  edgeForm: byId<HTMLFormElement>('edge-form'),
  edgeUrl: byId<HTMLInputElement>('edge-url'),
  edgePasscode: byId<HTMLInputElement>('edge-passcode'),
  edgePair: byId<HTMLButtonElement>('edge-pair'),
  session: byId<HTMLDListElement>('session-details'),
  read: byId<HTMLButtonElement>('read-vendor-name'),
  vendorName: byId<HTMLOutputElement>('vendor-name'),
  close: byId<HTMLButtonElement>('close-session'),
};

const CLOSE_REASONS: Record<SessionCloseReason, string> = {
  'removed': 'closed by this page (CloseSession sent)',
  'peer-closed': 'closed by the peer',
  'channel-closed': 'its connection closed',
  'evicted': 'evicted to make room',
  'fabric-removed': 'its fabric was removed',
  'replaced': 'replaced by a newer session',
  'manager-closed': 'the session manager closed',
  'store-lost': 'the edge fleet’s shared store lost its state (pair again)',
};

const bluetooth = (navigator as Navigator & { bluetooth?: WebBluetooth }).bluetooth;
const records = new SessionRecordStore();
let commissioner: Commissioner | undefined;
let device: WebBluetoothDevice | undefined;
let record: SessionRecord | undefined;
let busy = false;

const say = (text: string) => { ui.status.textContent = text; };
const complain = (text: string) => { ui.problem.textContent = text; };
const deviceLabel = (chosen: WebBluetoothDevice) => chosen.name || chosen.id;

function show(next: SessionRecord | undefined): void {
  record = next;
  renderSession(ui.session, record);
  if (record) records.save(record).catch((error: unknown) => console.warn('could not keep the session record', error));
}

function markClosed(why: string): void {
  if (record && !record.closed) show({ ...record, closed: why });
}

function updateControls(): void {
  const open = commissioner?.session !== undefined;
  ui.choose.disabled = ui.showAll.disabled = busy || !bluetooth;
  ui.bluetoothPair.disabled = busy || !commissioner || !device;
  ui.edgePair.disabled = busy || !commissioner;
  ui.read.disabled = ui.close.disabled = busy || !open;
}

/** Runs one user action: controls disabled meanwhile, its failure explained. Starts `work` synchronously, so a
 * Web Bluetooth chooser opened first thing still counts as part of the click. */
async function act(work: () => Promise<void>): Promise<void> {
  complain('');
  busy = true;
  updateControls();
  try {
    await work();
  } catch (error) {
    say('');
    complain(describeProblem(error));
    console.info('action failed:', error);
  } finally {
    busy = false;
    updateControls();
  }
}

function vendorNameShown(name: string): void {
  ui.vendorName.value = name;
  const session = commissioner?.session;
  if (record && session) show({ ...record, vendorName: name, lastActivity: session.lastActivity });
}

ui.choose.addEventListener('click', () => void act(async () => {
  device = await requestMatterDevice(bluetooth, { acceptAllDevices: ui.showAll.checked });
  ui.deviceName.value = deviceLabel(device);
  say(`Chose ${deviceLabel(device)}. Enter its passcode and pair.`);
}));

ui.bluetoothForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void act(async () => {
    const chosen = device!;
    const passcode = passcodeFromSetupCode(ui.bluetoothPasscode.value);
    say(`Pairing with ${deviceLabel(chosen)} over Bluetooth…`);
    const session = await commissioner!.pairOverBluetooth(chosen, passcode);
    ui.vendorName.value = '';
    show(recordOf(session, 'Bluetooth (BTP)', deviceLabel(chosen)));
    say(`Paired with ${deviceLabel(chosen)} over Bluetooth: PASE session ${session.id} is open.`);
  });
});

ui.edgeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void act(async () => {
    const url = ui.edgeUrl.value.trim();
    const passcode = passcodeFromSetupCode(ui.edgePasscode.value);
    say(`Pairing with the edge at ${url}…`);
    const session = await commissioner!.pairOverWebSocket(url, passcode);
    ui.vendorName.value = '';
    show(recordOf(session, 'WebSocket', url));
    say(`Paired with the edge over WebSocket: PASE session ${session.id} is open.`);
  });
});

ui.read.addEventListener('click', () => void act(async () => {
  say('Reading VendorName (endpoint 0, cluster 0x28, attribute 1)…');
  const name = await commissioner!.readVendorName();
  vendorNameShown(name);
  say(`VendorName: ${name}`);
}));

ui.close.addEventListener('click', () => void act(async () => {
  await commissioner!.close();
  say('Session closed.');
}));

function defaultEdgeUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/realms/home/ws`;
}

async function start(): Promise<void> {
  if (!bluetooth) ui.bluetoothSupport.textContent = NO_WEB_BLUETOOTH;
  ui.edgeUrl.value = defaultEdgeUrl();
  updateControls();
  const saved = await records.load().catch(() => undefined);
  show(saved && (saved.closed ? saved : { ...saved, closed: 'the page was reloaded (session keys live in memory only)' }));
  await ready(new URL('./matter-sessions.wasm', import.meta.url));
  commissioner = await Commissioner.create({
    channelClosed(channel, error) {
      if (error instanceof DeviceDisconnectedError) {
        say('');
        complain(deviceLost(error.deviceName));
        if (record?.channel === channel.name) markClosed('device lost');
      }
      updateControls();
    },
    sessionClosed(session, reason) {
      if (record?.localSessionId === session.id && record.channel === session.channel?.name) markClosed(CLOSE_REASONS[reason]);
      updateControls();
    },
  });
  updateControls();
  say(bluetooth ? 'Ready: choose a device, or pair with an edge.' : 'Ready: pair with an edge over WebSocket.');
}

start().catch((error: unknown) => {
  complain(`The page could not start: ${(error as Error)?.message ?? String(error)}`);
});
