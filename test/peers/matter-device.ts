// A real Matter device to interoperate with: a matter.js (@matter/main) ServerNode, an On/Off Light, fresh and
// uncommissioned with its basic commissioning window open, listening for PASE over UDP on a loopback address.
//
//   const device = await startMatterDevice({ passcode: 20202021, discriminator: 3840, vendorName: 'ACME' });
//   // ... PASE to device.host:device.port with device.passcode ...
//   await device.stop();
//
// Each device runs in a child process of its own (test/peers/matter-device-process.ts, started with tsx): matter.js
// installs process-wide state when imported (global Environment and Logger, signal and unhandled-error handlers,
// process.exitCode), which stays out of the test process this way, and a device that hangs can be killed.
// Node.js only (child_process, dgram). Logging is quiet by default: set `log: true` (or MATTER_DEVICE_LOG=info,
// MATTER_DEVICE_LOG=debug, ... in the environment) to see matter.js's output on stderr.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  DeviceProcessCommand,
  DeviceProcessConfig,
  DeviceProcessMessage,
  DeviceSessionParameters,
} from './matter-device-process.js';

export type { DeviceSessionParameters } from './matter-device-process.js';

export type MatterLogLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'fatal';

export interface MatterDeviceOptions {
  /** Setup passcode, 1..99999998, not one of the trivial ones the spec forbids (11111111, 12345678, ...). */
  passcode: number;
  /** 12-bit discriminator, 0..4095. */
  discriminator: number;
  /** BasicInformation VendorName (cluster 0x28, attribute 1). */
  vendorName: string;
  /** BasicInformation VendorID; default 0xFFF1 (test vendor). */
  vendorId?: number;
  /** BasicInformation ProductName; default 'matter-sessions test light'. */
  productName?: string;
  /** BasicInformation ProductID; default 0x8000. */
  productId?: number;
  /** BasicInformation SerialNumber (also UniqueID); default random. */
  serialNumber?: string;
  /** UDP port; 0 or omitted: a free port picked when binding. */
  port?: number;
  /**
   * Listening address: '127.0.0.1' (default) or another IPv4 literal: the device binds UDP on it and on ::1 (matter.js
   * always opens an IPv6 socket), same port. '::1' or another IPv6 literal: IPv6 only.
   */
  host?: string;
  /** Give up starting after this long (default 20000 ms): the child is killed and the promise rejects. */
  startTimeoutMs?: number;
  /**
   * Print matter.js's log to stderr (prefixed). `true` = level 'info'. Default: MATTER_DEVICE_LOG from the
   * environment ('1'/'true' = info, or a level name), else off.
   */
  log?: boolean | MatterLogLevel;
  /** matter.js log level while not printing (kept in a buffer for device.logs() and error messages); default 'warn'. */
  logLevel?: MatterLogLevel;
  /** Interface for mDNS; default: the loopback interface (so no advertisement leaves the machine). */
  mdnsInterface?: string;
  /**
   * A storage directory to use and keep at stop (the caller removes it): starting again on it restarts the same
   * device, commissioned or not. Default: a fresh temporary directory removed by stop().
   */
  storagePath?: string;
}

export interface MatterDevice {
  /** The address the device was asked to listen on (as given, default '127.0.0.1'). */
  readonly host: string;
  /** The UDP port it really listens on (IPv4 and IPv6 share it). */
  readonly port: number;
  readonly passcode: number;
  readonly discriminator: number;
  readonly vendorName: string;
  readonly vendorId: number;
  readonly productName: string;
  readonly productId: number;
  readonly serialNumber: string;
  /** Every local address the device's Matter UDP socket(s) are bound to, e.g. ['127.0.0.1', '::1']. */
  readonly boundAddresses: readonly string[];
  readonly manualPairingCode: string;
  readonly qrPairingCode: string;
  /** The session parameters (MRP intervals, revisions) the device announces in PBKDFParamResponse. */
  readonly sessionParameters: DeviceSessionParameters;
  /** The device's temporary storage directory (removed by stop()). */
  readonly storagePath: string;
  /** Child process id. */
  readonly pid: number;
  readonly matterVersion: string;
  /** Timings in ms: the whole start (fork to ready), and inside the child the matter.js import and node start. */
  readonly timings: { readonly totalStartMs: number; readonly importMs: number; readonly nodeStartMs: number };
  /** The last lines matter.js logged (at the configured level), oldest first. */
  logs(): string[];
  /** Closes the node, ends the process (killed if it does not end within 10 s), removes storage. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the child process has exited (after stop(), or if it died). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class MatterDeviceStartError extends Error {
  constructor(
    message: string,
    /** matter.js's output up to the failure. */
    readonly logLines: string[],
    /** The device process (already ended when the error is thrown) and its (already removed) storage directory. */
    readonly pid: number,
    readonly storagePath: string,
  ) {
    super(message);
    this.name = 'MatterDeviceStartError';
  }
}

const LOG_LINES_KEPT = 400;
const LOG_LINES_IN_ERRORS = 40;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LEVELS: readonly MatterLogLevel[] = ['debug', 'info', 'notice', 'warn', 'error', 'fatal'];
// Matter Core spec 5.1.7.1: passcodes a device must not use (matter.js refuses them too).
const FORBIDDEN_PASSCODES = new Set([
  0, 11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 99999999, 12345678, 87654321,
]);

const processScript = fileURLToPath(new URL('./matter-device-process.ts', import.meta.url));

/** The loader the child needs to run TypeScript; resolved here so it does not depend on the child's cwd. */
function tsxImport(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/** The name of the loopback interface ('lo' on Linux, 'lo0' on macOS). */
export function loopbackInterface(): string | undefined {
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    if (infos?.some((info) => info.internal && (info.address === '127.0.0.1' || info.address === '::1'))) return name;
  }
  return undefined;
}

function logSettings(options: MatterDeviceOptions): { print: boolean; level: MatterLogLevel } {
  let setting: boolean | string | undefined = options.log;
  if (setting === undefined) {
    const fromEnv = process.env.MATTER_DEVICE_LOG?.trim().toLowerCase();
    if (fromEnv && fromEnv !== '0' && fromEnv !== 'false') setting = fromEnv === '1' || fromEnv === 'true' ? true : fromEnv;
  }
  if (setting === true) return { print: true, level: 'info' };
  if (typeof setting === 'string') {
    if (!LOG_LEVELS.includes(setting as MatterLogLevel)) throw new RangeError(`unknown matter.js log level '${setting}'`);
    return { print: true, level: setting as MatterLogLevel };
  }
  return { print: false, level: options.logLevel ?? 'warn' };
}

function validate(options: MatterDeviceOptions): void {
  const { passcode, discriminator, vendorName, port = 0 } = options;
  if (!Number.isInteger(passcode) || passcode < 1 || passcode > 99999998 || FORBIDDEN_PASSCODES.has(passcode)) {
    throw new RangeError(`invalid Matter passcode ${passcode} (1..99999998, not a trivial one)`);
  }
  if (!Number.isInteger(discriminator) || discriminator < 0 || discriminator > 0xfff) {
    throw new RangeError(`invalid discriminator ${discriminator} (0..4095)`);
  }
  if (typeof vendorName !== 'string' || vendorName.length > 32) {
    throw new RangeError('vendorName must be a string of at most 32 characters');
  }
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`invalid UDP port ${port}`);
  const vendorId = options.vendorId ?? 0xfff1;
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xfffe) throw new RangeError(`invalid vendorId ${vendorId}`);
}

function randomSerial(): string {
  return `MS-${Math.floor(Math.random() * 2 ** 48).toString(16).padStart(12, '0').toUpperCase()}`;
}

/**
 * Starts a commissionable matter.js device (On/Off Light) in a child process. Rejects with a
 * {@link MatterDeviceStartError} carrying matter.js's own error and log if it is not up within `startTimeoutMs`.
 */
export async function startMatterDevice(options: MatterDeviceOptions): Promise<MatterDevice> {
  validate(options);
  const t0 = performance.now();
  const host = options.host ?? '127.0.0.1';
  const family = isIP(host);
  if (family === 0) throw new RangeError(`host must be an IP address literal, not '${host}'`);
  const { print, level } = logSettings(options);
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;

  const keepStorage = options.storagePath !== undefined;
  const storagePath = options.storagePath ?? await mkdtemp(join(tmpdir(), 'matter-device-'));
  const cfg: DeviceProcessConfig = {
    passcode: options.passcode,
    discriminator: options.discriminator,
    vendorName: options.vendorName,
    vendorId: options.vendorId ?? 0xfff1,
    productName: options.productName ?? 'matter-sessions test light',
    productId: options.productId ?? 0x8000,
    serialNumber: options.serialNumber ?? randomSerial(),
    port: options.port ?? 0,
    ipv4Address: family === 4 ? host : undefined,
    ipv6Address: family === 6 ? host : '::1',
    storagePath,
    keepStorage,
    logLevel: level,
    mdnsInterface: options.mdnsInterface ?? loopbackInterface(),
  };
  const boundAddresses = cfg.ipv4Address === undefined ? [cfg.ipv6Address] : [cfg.ipv4Address, cfg.ipv6Address];

  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // the child is not a node:test worker
  const child = fork(processScript, [JSON.stringify(cfg)], {
    execArgv: ['--import', tsxImport()], // not the parent's (which may hold --test, --inspect, ...)
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });

  // Logs: kept in a ring buffer; printed when asked to.
  const lines: string[] = [];
  let prefix = `[matter-device pid ${child.pid ?? '?'}]`;
  const collect = (stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        lines.push(line);
        if (lines.length > LOG_LINES_KEPT) lines.splice(0, lines.length - LOG_LINES_KEPT);
        if (print) process.stderr.write(`${prefix} ${line}\n`);
      }
    });
    stream.on('end', () => {
      if (pending) lines.push(pending);
      pending = '';
    });
  };
  collect(child.stdout);
  collect(child.stderr);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const messages: DeviceProcessMessage[] = [];
  const messageWaiters: Array<() => void> = [];
  child.on('message', (message: DeviceProcessMessage) => {
    messages.push(message);
    for (const wake of messageWaiters.splice(0)) wake();
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
    for (const wake of messageWaiters.splice(0)) wake();
  });

  // Both output streams fully read: the last lines (matter.js's own error) often arrive after the IPC message.
  const outputDone = Promise.all(
    [child.stdout, child.stderr].map((stream) => (stream ? new Promise<void>((resolve) => stream.once('close', () => resolve())) : undefined)),
  );

  // Wait for 'ready', an error report, the child's death, or the deadline.
  let timer: NodeJS.Timeout | undefined;
  let ready: Extract<DeviceProcessMessage, { type: 'ready' }>;
  try {
    ready = await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`matter.js device did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      const check = () => {
        const error = messages.find((m) => m.type === 'error');
        if (error && error.type === 'error') return reject(new Error(`matter.js device failed to start: ${error.message}`));
        const ok = messages.find((m) => m.type === 'ready');
        if (ok && ok.type === 'ready') return resolve(ok);
        if (spawnError) return reject(new Error(`could not start the device process: ${spawnError.message}`));
        messageWaiters.push(check);
      };
      check();
      void exited.then(({ code, signal }) => {
        // a final 'error' message (sent just before exit) wins over the bare exit
        setImmediate(() => {
          check();
          reject(new Error(`matter.js device process exited before it was ready (code ${code}, signal ${signal})`));
        });
      });
    });
  } catch (error) {
    // A child that reported an error exits by itself (give it a moment to finish writing its log); otherwise kill it.
    const grace = setTimeout(() => child.kill('SIGKILL'), messages.some((m) => m.type === 'error') ? 2000 : 0);
    await exited;
    clearTimeout(grace);
    let outputTimer: NodeJS.Timeout | undefined;
    await Promise.race([outputDone, new Promise((resolve) => (outputTimer = setTimeout(resolve, 1000)))]);
    clearTimeout(outputTimer);
    if (!keepStorage) await rm(storagePath, { recursive: true, force: true });
    const last = lines.slice(-LOG_LINES_IN_ERRORS);
    const output = last.length ? `\n--- matter.js output (last ${last.length} lines) ---\n${last.join('\n')}` : '';
    throw new MatterDeviceStartError(`${(error as Error).message}${output}`, [...lines], child.pid ?? -1, storagePath);
  } finally {
    clearTimeout(timer);
  }
  prefix = `[matter-device ${host}:${ready.port}]`;
  const totalStartMs = performance.now() - t0;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.connected) {
        const command: DeviceProcessCommand = { type: 'stop' };
        child.send(command, (error) => {
          if (error) child.kill('SIGTERM');
        });
      } else if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
      }
      const killTimer = setTimeout(() => {
        lines.push('[matter-device harness] device did not exit within 10 s of stop(); killed');
        child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      try {
        await exited;
      } finally {
        clearTimeout(killTimer);
        if (!keepStorage) await rm(storagePath, { recursive: true, force: true });
      }
    })());

  return {
    host,
    port: ready.port,
    passcode: cfg.passcode,
    discriminator: cfg.discriminator,
    vendorName: cfg.vendorName,
    vendorId: cfg.vendorId,
    productName: cfg.productName,
    productId: cfg.productId,
    serialNumber: cfg.serialNumber,
    boundAddresses,
    manualPairingCode: ready.manualPairingCode,
    qrPairingCode: ready.qrPairingCode,
    sessionParameters: ready.sessionParameters,
    storagePath,
    pid: child.pid ?? -1,
    matterVersion: ready.matterVersion,
    timings: { totalStartMs, importMs: ready.importMs, nodeStartMs: ready.startMs },
    logs: () => [...lines],
    stop,
    exited,
    [Symbol.asyncDispose]: stop,
  };
}

/** A random passcode that matter.js accepts (8 digits, not a forbidden one). */
export function randomPasscode(): number {
  for (;;) {
    const passcode = 10_000_000 + Math.floor(Math.random() * 89_999_999);
    if (!FORBIDDEN_PASSCODES.has(passcode)) return passcode;
  }
}

