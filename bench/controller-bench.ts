// `npm run bench:controller`: commissioning a real matter.js device (median of 10, a fresh device each time, its
// start not counted) with the controller in this process, and the time a NEW CLI process needs to connect to the
// commissioned device by resumed CASE and read an attribute (median of 10 processes: wall time of the process and
// the connect time it reports). Writes bench/results/controller.json.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as lib from '../src/node.js';
import { randomPasscode, startMatterDevice } from '../test/peers/matter-device.js';

const RUNS = 10;
const run = promisify(execFile);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (n: number) => Math.round(n * 10) / 10;

await lib.ready();
const commissionMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const passcode = randomPasscode();
  const device = await startMatterDevice({ passcode, discriminator: 0x400 + i, vendorName: 'Bench' });
  const controller = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: lib.udpControllerTransport() });
  try {
    const started = performance.now();
    await controller.commission({ address: { transport: 'udp', host: device.host, port: device.port }, passcode });
    commissionMs.push(performance.now() - started);
  } finally {
    await controller.close();
    await device.stop();
  }
}

// One device, commissioned once through the CLI; then new CLI processes read from it, each resuming CASE.
const passcode = randomPasscode();
const device = await startMatterDevice({ passcode, discriminator: 0x3ff, vendorName: 'Bench' });
const data = await mkdtemp(join(tmpdir(), 'ms-bench-controller-'));
const cli = async (args: string[]) => JSON.parse((await run(process.execPath, ['dist/cli/main.js', ...args], { timeout: 60_000 })).stdout);
const processMs: number[] = [];
const connectMs: number[] = [];
let resumedCount = 0;
try {
  await cli(['commission', '--udp', `${device.host}:${device.port}`, '--passcode', String(passcode), '--data', data, '--node-id', '1']);
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = await cli(['read', '--node', '1', '--data', data, '0/0x28/1']);
    processMs.push(performance.now() - started);
    connectMs.push(result.timings.connectMs);
    if (result.session.resumed) resumedCount++;
  }
} finally {
  await device.stop();
  await rm(data, { recursive: true, force: true });
}

const results = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  commissionMatterJsDeviceMs: { median: round(median(commissionMs)), min: round(Math.min(...commissionMs)), max: round(Math.max(...commissionMs)), runs: commissionMs.map(round) },
  newCliProcessRead: {
    resumed: `${resumedCount} of ${RUNS}`,
    connectMsMedian: round(median(connectMs)),
    processWallMsMedian: round(median(processMs)),
  },
};
console.log(JSON.stringify(results, null, 2));
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/controller.json', JSON.stringify(results, null, 2) + '\n');
