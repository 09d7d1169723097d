// The load client of `npm run bench:edge`, run in its own process so it does not share the server's event loop:
// pairs by PASE over HTTP with the edge, then autocannon posts encrypted Interaction Model reads (each with a fresh
// counter: the same bytes twice would be a replay) for the time given, either to the edge (`target: "edge"`: a full
// round trip through decrypt, replay check, the read handler and encrypt) or to the bare echo handler (`target:
// "echo"`: the same bodies, built at the same cost, only echoed). Prints one JSON line with the figures, among them
// the requests served per CPU second of the server process, a figure that other load on the machine hardly moves.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import {
  closeSession, encodeReadRequest, establishPase, ExchangeManager, HttpClientChannel, InteractionOpcode, ProtocolId, ready, SessionManager,
} from '../src/node.js';

interface ClientArgs {
  target: 'edge' | 'echo' | 'echo-raw'; messagesUrl: string; echoUrl: string; passcode: number; seconds: number; connections: number;
  /** The server process, whose CPU time during the load is reported (Linux /proc). */
  serverPid: number;
}

/** CPU seconds (user + system) the process has used so far; fields 14 and 15 of /proc/<pid>/stat, in clock ticks. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const args = JSON.parse(process.argv[2]!) as ClientArgs;
const READ = encodeReadRequest({ paths: [{ endpoint: 0, cluster: 0x28, attribute: 1 }] });

await ready();
const sessions = await SessionManager.create({});
const exchanges = new ExchangeManager(sessions);
const session = await establishPase(exchanges, new HttpClientChannel(args.messagesUrl, (m, c) => exchanges.receive(m, c)),
  { passcode: args.passcode });
let exchangeId = 0;
const readMessage = () => {
  exchangeId = (exchangeId + 1) & 0xffff;
  return Buffer.from(sessions.encode(session, { exchangeId, protocolId: ProtocolId.interactionModel, opcode: InteractionOpcode.readRequest,
    initiator: true, needsAck: false }, READ));
};
const cpuBefore = cpuSeconds(args.serverPid);
const result = await autocannon({
  url: args.target === 'edge' ? args.messagesUrl : `${args.echoUrl}/${args.target}`, connections: args.connections, duration: args.seconds,
  requests: [{ method: 'POST', headers: { 'content-type': 'application/octet-stream' }, setupRequest: (request) => ({ ...request, body: readMessage() }) }],
});
const serverCpuSeconds = cpuSeconds(args.serverPid) - cpuBefore;
await closeSession(exchanges, session);
exchanges.close();
await sessions.close();
console.log(JSON.stringify({
  requestsPerSecond: result.requests.average, requestsPerServerCpuSecond: result.requests.total / serverCpuSeconds, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors,
}));
