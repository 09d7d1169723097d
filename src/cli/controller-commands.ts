// `matter-sessions commission | invoke | read`: the controller from the command line. Each run is its own process
// with its state in --data DIR (the fabric, its root key and NOC, the commissioned nodes, CASE resumption records),
// so `invoke` after `commission` resumes the CASE session from the stored record instead of a full handshake.
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { parseArgs } from 'node:util';
import { InteractionStatusError } from '../interaction/interaction-status-error.js';
import { parseAttributePath } from '../interaction/attribute-path-syntax.js';
import { tlvToPlainValue } from '../interaction/plain-value.js';
import { MatterController } from '../controller/matter-controller.js';
import type { NodeAddress } from '../controller/commissioned-nodes.js';
import type { AttestationPolicy } from '../controller/commission-device.js';
import { FileStore } from '../storage/file-store.js';
import { udpControllerTransport } from '../transport/udp-controller-transport.js';
import { edgeControllerTransport } from '../transport/edge-controller-transport.js';
import type { WebSocketLike } from '../transport/websocket-client-channel.js';
import { WebSocket } from 'ws';
import { fieldsFromJson, FieldsJsonError } from './fields-json.js';
import { UsageError } from './usage-error.js';
import { checkEndpointUrl, parseHostPort, parseTimeout } from './cli-arguments.js';
import { SUBSCRIBE_USAGE } from './subscribe-usage.js';

export const CONTROLLER_USAGE = `  matter-sessions commission (--udp HOST:PORT | --http URL | --ws URL) --passcode N --data DIR [--node-id ID] [--attestation report|reject]
  matter-sessions invoke --node ID --data DIR [--udp HOST:PORT | --http URL | --ws URL] ENDPOINT/CLUSTER/COMMAND [--fields JSON] [--timed MS]
  matter-sessions read --node ID --data DIR [--udp HOST:PORT | --http URL | --ws URL] ENDPOINT/CLUSTER/ATTRIBUTE
    --http/--ws    an edge realm: http://HOST:PORT/realms/REALM/messages or ws://HOST:PORT/realms/REALM/ws (CASE over it)
    --data         the controller's directory: its fabric (root key, NOC), nodes and resumption records; created if absent
    --node-id/--node  an operational node id (decimal or 0x hex); commission picks the lowest free one by default
    --attestation  report (default): commission a device whose attestation has findings, listing them; reject: refuse it
    --fields       command fields as JSON keyed by field id, e.g. {"0": 60, "1": 0}; {"bytes": "hex"} for octets
    --timed        send a TimedRequest of MS first (commands with the timed quality)
    --timeout      how long to wait for each answer, in ms (default 10000)
${SUBSCRIBE_USAGE}`;

export function parseNodeId(flag: string, value: string | undefined): bigint {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  if (!/^(\d+|0x[0-9a-f]+)$/i.test(value)) throw new UsageError(`${flag}: expected a node id in decimal or 0x hex, got "${value}"`);
  const id = BigInt(value);
  if (id < 1n || id > 0xffff_ffef_ffff_ffffn) throw new UsageError(`${flag}: an operational node id is 1 to 0xFFFFFFEFFFFFFFFF, got ${value}`);
  return id;
}

async function parseUdp(value: string): Promise<NodeAddress> {
  const { host, port } = parseHostPort(value);
  return { transport: 'udp', host: isIP(host) ? host : (await lookup(host)).address, port };
}

/** At most one of --udp, --http, --ws (exactly one when `required`): the node's address. */
export async function parseAddress(values: { udp?: string | undefined; http?: string | undefined; ws?: string | undefined }, required: boolean): Promise<NodeAddress | undefined> {
  const given = [values.udp, values.http, values.ws].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError('give one of --udp HOST:PORT, --http URL and --ws URL');
  if (given.length === 0) {
    if (required) throw new UsageError('one of --udp HOST:PORT, --http URL and --ws URL is required');
    return undefined;
  }
  if (values.udp !== undefined) return parseUdp(values.udp);
  const [flag, value, transport] = values.http !== undefined ? ['--http', values.http, 'http'] as const : ['--ws', values.ws!, 'ws'] as const;
  checkEndpointUrl(flag, value);
  return { transport, host: value, port: 0 };
}


export function parseCommandPath(text: string | undefined, what: 'COMMAND' | 'ATTRIBUTE') {
  if (text === undefined) throw new UsageError(`ENDPOINT/CLUSTER/${what} is required`);
  try {
    const { endpoint, cluster, attribute } = parseAttributePath(text);
    return { endpoint, cluster, id: attribute };
  } catch (error) {
    throw new UsageError(`ENDPOINT/CLUSTER/${what}: ${(error as Error).message}`);
  }
}

export async function withController<T>(data: string | undefined, timeoutMs: number, work: (controller: MatterController) => Promise<T>): Promise<T> {
  if (data === undefined) throw new UsageError('--data DIR is required (the controller keeps its fabric there)');
  const storage = await FileStore.open(data);
  const controller = await MatterController.open({ storage, transport: edgeControllerTransport({
    udp: udpControllerTransport(), webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  }), timeoutMs });
  try {
    return await work(controller);
  } finally {
    await controller.close();
    await storage.close();
  }
}

const ms = (from: number, to: number) => Math.round((to - from) * 10) / 10;

export async function commissionCommand(args: string[]): Promise<object> {
  const { values } = parseArgs({
    args, strict: true,
    options: {
      udp: { type: 'string' }, http: { type: 'string' }, ws: { type: 'string' }, passcode: { type: 'string' }, data: { type: 'string' }, 'node-id': { type: 'string' },
      attestation: { type: 'string' }, timeout: { type: 'string' },
    },
  });
  const address = (await parseAddress(values, true))!;
  if (values.passcode === undefined || !/^\d{1,8}$/.test(values.passcode)) throw new UsageError(`--passcode: expected up to 8 digits, got ${values.passcode === undefined ? 'nothing' : `"${values.passcode}"`}`);
  const nodeId = values['node-id'] === undefined ? undefined : parseNodeId('--node-id', values['node-id']);
  const policy = values.attestation ?? 'report';
  if (policy !== 'report' && policy !== 'reject') throw new UsageError(`--attestation: expected report or reject, got "${policy}"`);
  const timeoutMs = parseTimeout(values.timeout);
  const started = performance.now();
  return withController(values.data, timeoutMs, async (controller) => {
    const result = await controller.commission({
      address, passcode: Number(values.passcode), ...(nodeId === undefined ? {} : { nodeId }),
      attestationPolicy: policy as AttestationPolicy,
    });
    return {
      nodeId: result.nodeId.toString(), fabricId: result.fabricId.toString(), vendorId: result.vendorId, productId: result.productId,
      attestation: {
        verified: result.attestation.verified,
        findings: result.attestation.findings.map((f) => ({ code: f.code, message: f.message })),
      },
      timings: { ...result.timings, totalMs: ms(started, performance.now()) },
    };
  });
}

export async function invokeCommand(args: string[]): Promise<object> {
  const { values, positionals } = parseArgs({
    args, strict: true, allowPositionals: true,
    options: {
      udp: { type: 'string' }, http: { type: 'string' }, ws: { type: 'string' }, node: { type: 'string' }, data: { type: 'string' }, fields: { type: 'string' },
      timed: { type: 'string' }, timeout: { type: 'string' },
    },
  });
  const nodeId = parseNodeId('--node', values.node);
  if (positionals.length > 1) throw new UsageError(`expected one ENDPOINT/CLUSTER/COMMAND, got ${positionals.length}`);
  const path = parseCommandPath(positionals[0], 'COMMAND');
  let fields;
  try {
    fields = values.fields === undefined ? undefined : fieldsFromJson(values.fields);
  } catch (error) {
    if (error instanceof FieldsJsonError) throw new UsageError(error.message);
    throw error;
  }
  const timed = values.timed === undefined ? undefined : Number(values.timed);
  if (timed !== undefined && (!Number.isInteger(timed) || timed < 1 || timed > 65535)) throw new UsageError(`--timed: expected 1 to 65535 ms, got "${values.timed}"`);
  const address = await parseAddress(values, false);
  const timeoutMs = parseTimeout(values.timeout);
  const started = performance.now();
  return withController(values.data, timeoutMs, async (controller) => {
    const { resumed } = await controller.connect(nodeId, address ? { address } : {});
    const connected = performance.now();
    try {
      const result = await controller.invoke(nodeId, {
        endpoint: path.endpoint, cluster: path.cluster, command: path.id, ...(fields ? { fields } : {}),
        ...(timed === undefined ? {} : { timedRequestTimeoutMs: timed }),
      });
      const done = performance.now();
      return {
        status: 'success', session: { resumed },
        ...(result.responseCommand === undefined ? {} : { responseCommand: result.responseCommand }),
        ...(result.fields === undefined ? {} : { fields: tlvToPlainValue(result.fields) }),
        timings: { connectMs: ms(started, connected), invokeMs: ms(connected, done), totalMs: ms(started, done) },
      };
    } catch (error) {
      if (error instanceof InteractionStatusError) {
        throw new Error(`${error.message} (session ${resumed ? 'resumed' : 'full CASE'})`, { cause: error });
      }
      throw error;
    }
  });
}

export async function readCommand(args: string[]): Promise<object> {
  const { values, positionals } = parseArgs({
    args, strict: true, allowPositionals: true,
    options: {
      udp: { type: 'string' }, http: { type: 'string' }, ws: { type: 'string' }, node: { type: 'string' }, data: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  const nodeId = parseNodeId('--node', values.node);
  if (positionals.length > 1) throw new UsageError(`expected one ENDPOINT/CLUSTER/ATTRIBUTE, got ${positionals.length}`);
  const path = parseCommandPath(positionals[0], 'ATTRIBUTE');
  const address = await parseAddress(values, false);
  const timeoutMs = parseTimeout(values.timeout);
  const started = performance.now();
  return withController(values.data, timeoutMs, async (controller) => {
    const { resumed } = await controller.connect(nodeId, address ? { address } : {});
    const connected = performance.now();
    const value = tlvToPlainValue(await controller.read(nodeId, { endpoint: path.endpoint, cluster: path.cluster, attribute: path.id }));
    const done = performance.now();
    return {
      value, session: { resumed },
      timings: { connectMs: ms(started, connected), readMs: ms(connected, done), totalMs: ms(started, done) },
    };
  });
}
