// `matter-sessions subscribe`: a Subscribe Interaction (Matter Core spec §8.5) from the command line, through the
// controller (CASE, resumed from --data's record) over UDP or an edge realm's WebSocket. One JSON line per report,
// the priming report first; the run ends after --count reports or --duration seconds, or on SIGINT/SIGTERM, with
// the subscription cancelled and the session closed (CloseSession), so the node stops reporting at once.
import { parseArgs } from 'node:util';
import type { AttributeReport } from '../interaction/read-interaction.js';
import { tlvToPlainValue } from '../interaction/plain-value.js';
import type { Subscription } from '../interaction/subscribe-client.js';
import { parseTimeout } from './cli-arguments.js';
import { parseAddress, parseCommandPath, parseNodeId, withController } from './controller-commands.js';
import { UsageError } from './usage-error.js';

/** Where the stop signals come from (the process; a test passes its own). */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

function parseSeconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds > 0xffff) throw new UsageError(`${flag}: expected whole seconds from 0 to 65535, got "${value}"`);
  return seconds;
}

function parsePositive(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > max) throw new UsageError(`${flag}: expected a number above 0 and at most ${max}, got "${value}"`);
  return n;
}

/** One report as printed: each attribute's path with its value (plain JSON) or its status. */
function describeReports(reports: readonly AttributeReport[]) {
  return reports.map(({ path, dataVersion, data, status }) => ({
    endpoint: path.endpoint, cluster: path.cluster, attribute: path.attribute,
    ...(dataVersion === undefined ? {} : { dataVersion }),
    ...(data === undefined ? {} : { value: tlvToPlainValue(data) }),
    ...(status === undefined ? {} : { status: status.status, ...(status.clusterStatus === undefined ? {} : { clusterStatus: status.clusterStatus }) }),
  }));
}

export async function subscribeCommand(args: string[], print: (line: object) => void, signals: SignalSource = process): Promise<void> {
  const { values, positionals } = parseArgs({
    args, strict: true, allowPositionals: true,
    options: {
      udp: { type: 'string' }, http: { type: 'string' }, ws: { type: 'string' }, node: { type: 'string' }, data: { type: 'string' },
      min: { type: 'string' }, max: { type: 'string' }, count: { type: 'string' }, duration: { type: 'string' }, timeout: { type: 'string' },
    },
  });
  // `subscribe NODE PATH` as well as `subscribe --node NODE PATH`.
  const nodeText = values.node ?? (positionals.length === 2 ? positionals.shift() : undefined);
  const nodeId = parseNodeId('--node', nodeText);
  if (positionals.length > 1) throw new UsageError(`expected one ENDPOINT/CLUSTER/ATTRIBUTE, got ${positionals.length}`);
  const path = parseCommandPath(positionals[0], 'ATTRIBUTE');
  if (values.http !== undefined) {
    throw new UsageError('--http: an HTTP endpoint answers requests and cannot push reports; subscribe over --ws URL (the realm\'s /ws) or --udp');
  }
  const min = parseSeconds('--min', values.min, 0);
  const max = parseSeconds('--max', values.max, 60);
  if (min > max) throw new UsageError(`--min (${min} s) must not exceed --max (${max} s)`);
  if (values.count !== undefined && values.duration !== undefined) throw new UsageError('give --count N or --duration S, not both');
  const count = parsePositive('--count', values.count, Number.MAX_SAFE_INTEGER);
  if (count !== undefined && !Number.isInteger(count)) throw new UsageError(`--count: expected a whole number of reports, got "${values.count}"`);
  const duration = parsePositive('--duration', values.duration, 2_000_000);
  const address = await parseAddress(values, false);
  const timeoutMs = parseTimeout(values.timeout);

  await withController(values.data, timeoutMs, async (controller) => {
    const node = await controller.nodes.require(nodeId);
    if ((address ?? node.address).transport === 'http') {
      throw new Error(`node ${nodeId} is reached over HTTP (${node.address.host}), which cannot push reports: give --ws URL or --udp HOST:PORT`);
    }
    let finish!: (reason: string) => void;
    let fail!: (error: Error) => void;
    const ended = new Promise<string>((resolve, reject) => { finish = resolve; fail = reject; });
    // Listening from the start: a signal during the setup ends the run as cleanly as one during the reports.
    const onInt = () => finish('SIGINT');
    const onTerm = () => finish('SIGTERM');
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let subscription: Subscription | undefined;
    let printed = 0;
    // Reports that come before the priming line is out wait for it, so the order printed is the order received.
    const early: AttributeReport[][] = [];
    const emit = (reports: readonly AttributeReport[], priming: boolean, extra: object = {}) => {
      if (count !== undefined && printed >= count) return;
      printed++;
      print({
        report: printed, priming, subscriptionId: subscription!.id, time: new Date().toISOString(), ...extra,
        attributes: describeReports(reports),
      });
      if (count !== undefined && printed >= count) finish('count');
    };
    try {
      const { resumed } = await controller.connect(nodeId, address ? { address } : {});
      subscription = await controller.subscribe(nodeId, [{ endpoint: path.endpoint, cluster: path.cluster, attribute: path.id }], {
        minIntervalFloorSeconds: min, maxIntervalCeilingSeconds: max,
        onReport: (reports) => (printed === 0 ? early.push(reports) : emit(reports, false)),
        onLost: (error) => fail(error),
      });
      emit(subscription.priming, true, { maxInterval: subscription.maxInterval, session: { resumed } });
      for (const reports of early.splice(0)) emit(reports, false);
      if (duration !== undefined) timer = setTimeout(() => finish('duration'), duration * 1000);
      await ended;
    } finally {
      clearTimeout(timer);
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      // Cancelled here; closing the controller then closes the session, which ends the node's side at once.
      subscription?.cancel();
    }
  });
}
