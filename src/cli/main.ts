#!/usr/bin/env node
// `matter-sessions pair (--udp HOST:PORT | --http URL | --ws URL) --passcode N [--read ENDPOINT/CLUSTER/ATTRIBUTE]`
// Pairs with a device by PASE, optionally reads one attribute, closes the session with CloseSession (also when the
// read failed) and prints one JSON object. `--help`, `-h` or `help`: the usage, exit 0. Errors: one sentence on
// stderr naming what failed (the URL and the cause for connections) and exit code 1 (2 for usage errors).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import {
  closeSession, establishPase, ExchangeManager, HttpClientChannel, PaseError, parseAttributePath, readAttribute, SessionManager,
  tlvToPlainValue, UdpTransport, WebSocketClientChannel, type ConcreteAttributePath, type MessageChannel,
} from '../node.js';
import { commissionCommand, CONTROLLER_USAGE, invokeCommand, readCommand } from './controller-commands.js';
import { subscribeCommand } from './subscribe-command.js';
import { UsageError } from './usage-error.js';
import { checkEndpointUrl, parseHostPort, parsePasscode, parseTimeout } from './cli-arguments.js';
import { EndpointError } from './endpoint-errors.js';
import { matterEndpointFetch } from './http-endpoint.js';
import { connectMatterWebSocket } from './websocket-endpoint.js';

const USAGE = `usage:
  matter-sessions pair (--udp HOST:PORT | --http URL | --ws URL) --passcode N [--read E/C/A] [--timeout MS]
  --udp       the device's address, e.g. 127.0.0.1:5540 or [::1]:5540
  --http      an edge realm's messages endpoint, e.g. http://127.0.0.1:8787/realms/home/messages
  --ws        an edge realm's WebSocket, e.g. ws://127.0.0.1:8787/realms/home/ws
  --passcode  the setup passcode (8 digits)
  --read      an attribute to read after pairing, numbers in decimal or 0x hex (e.g. 0/0x28/1: VendorName)
  --timeout   how long to wait for each answer, in ms (default 10000)
  matter-sessions --help | -h | help    this text
${CONTROLLER_USAGE}`;


export { parseHostPort, parsePasscode } from './cli-arguments.js';

/** JSON for values a read may return: bigints as decimal strings, bytes as hex. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  return value;
}

async function pair(args: string[]): Promise<object | 'help'> {
  const { values } = parseArgs({
    args, strict: true,
    options: {
      udp: { type: 'string' }, http: { type: 'string' }, ws: { type: 'string' }, passcode: { type: 'string' },
      read: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const transports = [values.udp, values.http, values.ws].filter((v) => v !== undefined);
  if (transports.length !== 1) throw new UsageError('exactly one of --udp HOST:PORT, --http URL and --ws URL is required');
  if (values.http !== undefined) checkEndpointUrl('--http', values.http);
  if (values.ws !== undefined) checkEndpointUrl('--ws', values.ws);
  const passcode = parsePasscode(values.passcode);
  let path: ConcreteAttributePath | undefined;
  try {
    path = values.read === undefined ? undefined : parseAttributePath(values.read);
  } catch (error) {
    throw new UsageError(`--read: ${(error as Error).message}`);
  }
  const timeoutMs = parseTimeout(values.timeout);

  const started = performance.now();
  const sessions = await SessionManager.create({});
  const exchanges = new ExchangeManager(sessions);
  const receive = (message: Uint8Array, channel: MessageChannel) => exchanges.receive(message, channel);
  let udp: UdpTransport | undefined;
  let channel: MessageChannel;
  if (values.udp) {
    const target = parseHostPort(values.udp);
    const host = isIP(target.host) ? target.host : (await lookup(target.host)).address;
    udp = await UdpTransport.bind({ host: isIP(host) === 6 ? '::' : '0.0.0.0' });
    udp.onDatagram(receive);
    channel = udp.channelTo(host, target.port);
  } else if (values.http) {
    channel = new HttpClientChannel(values.http, receive, matterEndpointFetch(values.http));
  } else {
    try {
      channel = await connectMatterWebSocket(values.ws!, receive);
    } catch (error) {
      exchanges.close();
      await sessions.close();
      throw error;
    }
  }
  try {
    const session = await establishPase(exchanges, channel, { passcode, timeoutMs });
    const paired = performance.now();
    let value: unknown;
    try {
      value = path ? tlvToPlainValue(await readAttribute(exchanges, session, path, { timeoutMs })) : undefined;
    } catch (error) {
      // The session is ours to end even when the read failed: the device would hold it until it times out.
      await closeSession(exchanges, session).catch(() => {});
      throw error;
    }
    const read = performance.now();
    const result = { localSessionId: session.id, peerSessionId: session.peerSessionId };
    await closeSession(exchanges, session);
    const closed = performance.now();
    const ms = (a: number, b: number) => Math.round((b - a) * 10) / 10;
    return {
      ...result,
      ...(path ? { value } : {}),
      timings: { pairMs: ms(started, paired), ...(path ? { readMs: ms(paired, read) } : {}), closeMs: ms(read, closed), totalMs: ms(started, closed) },
    };
  } finally {
    exchanges.close();
    await udp?.close();
    if (channel instanceof WebSocketClientChannel) channel.close();
    await sessions.close();
  }
}

/** One sentence for a failure: the endpoint's problem as it is, a PASE failure in words, anything else by name. */
function describeFailure(error: unknown): string {
  const endpoint = error instanceof EndpointError ? error : (error as { cause?: unknown })?.cause;
  if (endpoint instanceof EndpointError) return endpoint.message;
  if (error instanceof PaseError) {
    if (error.failure === 'busy' && error.retryAfterSeconds !== undefined) {
      return `commissioning window closed, retry in ${error.retryAfterSeconds} s (the device answered busy: its window is closed `
        + 'after failed attempts, or another pairing is in progress)';
    }
    return `pairing failed: ${error.message}`;
  }
  return `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const commands: Record<string, (args: string[]) => Promise<object | 'help' | undefined>> = {
      pair, commission: commissionCommand, invoke: invokeCommand, read: readCommand,
      // Prints its reports as they come (one JSON line each) and returns nothing more to print.
      subscribe: async (args) => { await subscribeCommand(args, (line) => process.stdout.write(JSON.stringify(line, jsonValue) + '\n'));
        return undefined;
      },
    };
    const run = command === undefined ? undefined : commands[command];
    if (!run) throw new UsageError(command === undefined ? 'a command is required' : `unknown command "${command}"`);
    const result = rest.includes('--help') || rest.includes('-h') ? 'help' : await run(rest);
    if (result === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (result !== undefined) process.stdout.write(JSON.stringify(result, jsonValue) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`matter-sessions: ${(error as Error).message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`matter-sessions: ${describeFailure(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
