// The child-process side of test/peers/matter-device.ts: one matter.js ServerNode (an On/Off Light) per process.
//
// Why a process of its own: importing @matter/main installs process-wide state (Environment.default, the global
// Logger, SIGINT/SIGTERM handlers, process.exitCode handling, unhandled-rejection traps, MATTER_* environment and
// argv parsing, ~/.matter/config.json). In a child none of that touches the test process, every device gets a clean
// environment, and a device that hangs can be killed without taking the test run down with it.
//
// Protocol (Node IPC, started by fork() from matter-device.ts):
//   argv[2]          JSON DeviceProcessConfig
//   child -> parent  { type: 'ready', ... } once the node is online and commissionable
//                    { type: 'error', message, stack } when the node could not start (then the process exits 1)
//                    { type: 'stopped', closeMs } after a 'stop' request closed the node (then the process exits 0)
//   parent -> child  { type: 'stop' }
// The child also closes the node and exits when the IPC channel goes away (parent died) or on SIGTERM/SIGINT.
// matter.js logs go to stdout/stderr as plain text; the parent buffers them and shows them on request or on failure.

import { rm } from 'node:fs/promises';

export interface DeviceProcessConfig {
  passcode: number;
  discriminator: number;
  vendorName: string;
  vendorId: number;
  productName: string;
  productId: number;
  serialNumber: string;
  port: number;
  /** IPv4 listening address, or undefined to disable IPv4 (matter.js always needs IPv6). */
  ipv4Address?: string;
  ipv6Address: string;
  storagePath: string;
  /** Keep the storage directory at stop and accept starting commissioned (a restart of the same device). */
  keepStorage?: boolean;
  /** matter.js log level name: debug, info, notice, warn, error, fatal. */
  logLevel: string;
  /** Interface matter.js may use for mDNS (the loopback interface unless told otherwise). */
  mdnsInterface?: string;
}

export interface DeviceSessionParameters {
  idleInterval: number;
  activeInterval: number;
  activeThreshold: number;
  dataModelRevision: number;
  interactionModelRevision: number;
  specificationVersion: number;
  maxPathsPerInvoke: number;
}

export type DeviceProcessMessage =
  | {
      type: 'ready';
      port: number;
      commissioned: boolean;
      manualPairingCode: string;
      qrPairingCode: string;
      sessionParameters: DeviceSessionParameters;
      /** matter.js import time, and ServerNode create + start, in ms, measured inside the child. */
      importMs: number;
      startMs: number;
      matterVersion: string;
    }
  | { type: 'error'; message: string; stack?: string }
  | { type: 'stopped'; closeMs: number };

export type DeviceProcessCommand = { type: 'stop' };

function send(message: DeviceProcessMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function errorText(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) {
    // matter.js errors often carry the interesting part in a cause chain
    let message = `${error.name}: ${error.message}`;
    let cause: unknown = error.cause;
    for (let depth = 0; cause !== undefined && depth < 5; depth++) {
      message += cause instanceof Error ? ` (cause: ${cause.name}: ${cause.message})` : ` (cause: ${String(cause)})`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    return { message, stack: error.stack };
  }
  return { message: String(error) };
}

// Stop requests, the parent going away and signals are honoured from the first moment: before the node exists
// there is nothing to close, so the process just ends; after, the node is closed first.
let onShutdown: ((reason: string) => Promise<void>) | undefined;
let pendingShutdown: string | undefined;
function requestShutdown(reason: string): void {
  if (onShutdown) void onShutdown(reason);
  else if (pendingShutdown === undefined) {
    pendingShutdown = reason;
    // still importing matter.js or creating the node: nothing to close yet
    if (!creating) process.exit(0);
  }
}
let creating = false;
let shuttingDown = false;
process.on('message', (message: DeviceProcessCommand) => {
  if (message?.type === 'stop') requestShutdown('stop request');
});
process.on('disconnect', () => requestShutdown('parent disconnect'));
process.once('SIGTERM', () => requestShutdown('SIGTERM'));
process.once('SIGINT', () => requestShutdown('SIGINT'));

async function main(): Promise<void> {
  const configJson = process.argv[2];
  if (!configJson) throw new Error('matter-device-process: missing JSON configuration argument');
  const cfg = JSON.parse(configJson) as DeviceProcessConfig;

  // Must happen before anything imports @matter/main (which initialises the Node.js environment).
  const { config } = await import('@matter/nodejs/config');
  config.loadProcessEnv = false; // no MATTER_* variables from the caller's environment
  config.loadProcessArgv = false; // argv[2] is ours, not matter.js's
  config.loadConfigFile = false; // no ~/.matter/config.json
  config.trapProcessSignals = false; // this file handles SIGTERM/SIGINT (graceful close)
  config.defaultStoragePath = cfg.storagePath; // path.root: never the user's ~/.matter

  const importStart = performance.now();
  const { Environment, ServerNode, VendorId, Logger, LogFormat, version } = await import('@matter/main');
  const { SessionManager } = await import('@matter/main/protocol');
  const { OnOffLightDevice } = await import('@matter/main/devices/on-off-light');
  const importMs = performance.now() - importStart;

  const env = Environment.default;
  env.vars.set('log.level', cfg.logLevel);
  env.vars.set('log.format', 'plain');
  Logger.format = LogFormat.PLAIN;
  env.vars.set('storage.path', cfg.storagePath);
  if (cfg.mdnsInterface !== undefined) env.vars.set('mdns.networkInterface', cfg.mdnsInterface);

  const startStart = performance.now();
  creating = true; // a shutdown request from here on waits for the node to exist, then closes it
  const node = await ServerNode.create({
    id: 'device',
    network: {
      port: cfg.port,
      listeningAddressIpv6: cfg.ipv6Address,
      ...(cfg.ipv4Address === undefined ? { ipv4: false } : { ipv4: true, listeningAddressIpv4: cfg.ipv4Address }),
    },
    commissioning: { passcode: cfg.passcode, discriminator: cfg.discriminator },
    productDescription: { name: cfg.productName, deviceType: OnOffLightDevice.deviceType },
    basicInformation: {
      vendorName: cfg.vendorName,
      vendorId: VendorId(cfg.vendorId),
      productName: cfg.productName,
      productLabel: cfg.productName,
      nodeLabel: cfg.productName,
      productId: cfg.productId,
      serialNumber: cfg.serialNumber,
      uniqueId: `${cfg.serialNumber}-uid`,
      hardwareVersion: 1,
      hardwareVersionString: '1',
      softwareVersion: 1,
      softwareVersionString: '1',
    },
  });

  let closing: Promise<number> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const t = performance.now();
      await node.close();
      return performance.now() - t;
    })());

  // Whatever happens from here on, the node is closed before the process ends.
  const shutdown = async (reason: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    let code = 0;
    try {
      const closeMs = await close();
      // The parent removes the directory too, but cannot when it died first.
      if (!cfg.keepStorage) await rm(cfg.storagePath, { recursive: true, force: true });
      await send({ type: 'stopped', closeMs });
    } catch (error) {
      code = 1;
      console.error(`matter-device-process: close after ${reason} failed:`, error);
    }
    if (process.connected) process.disconnect();
    process.exitCode = code;
    // Everything matter.js opened is closed now, so the process should end by itself; if some handle leaked,
    // end it anyway (the timer is unref'd so it does not keep a clean process alive).
    setTimeout(() => {
      console.error('matter-device-process: still alive 3 s after close; forcing exit');
      process.exit(code);
    }, 3000).unref();
  };

  onShutdown = shutdown;
  if (pendingShutdown !== undefined) return void shutdown(pendingShutdown);

  await node.add(OnOffLightDevice, { id: 'light' });
  await node.start();
  const startMs = performance.now() - startStart;

  const port = node.state.network.operationalPort;
  const commissioned = node.state.commissioning.commissioned;
  const { manualPairingCode, qrPairingCode } = node.state.commissioning.pairingCodes;
  const p = node.env.get(SessionManager).sessionParameters;
  if (shuttingDown) return; // stopped while starting
  if (commissioned && !cfg.keepStorage) throw new Error('device started commissioned: the storage directory was not fresh');
  if (!(port > 0)) throw new Error(`device reports no operational UDP port (${String(port)})`);

  await send({
    type: 'ready',
    port,
    commissioned,
    manualPairingCode,
    qrPairingCode,
    sessionParameters: {
      idleInterval: Number(p.idleInterval),
      activeInterval: Number(p.activeInterval),
      activeThreshold: Number(p.activeThreshold),
      dataModelRevision: p.dataModelRevision,
      interactionModelRevision: p.interactionModelRevision,
      specificationVersion: p.specificationVersion,
      maxPathsPerInvoke: p.maxPathsPerInvoke,
    },
    importMs,
    startMs,
    matterVersion: version,
  });
}

main().catch(async (error) => {
  if (shuttingDown) return; // a stop during start; shutdown() ends the process
  await send({ type: 'error', ...errorText(error) });
  console.error('matter-device-process: start failed:', error);
  if (process.connected) process.disconnect();
  process.exit(1);
});
