// The load client of `npm run bench:edge`, run in its own process so it does not share the server's event loop:
// pairs by PASE over HTTP with the edge, then autocannon posts encrypted Interaction Model reads (each with a fresh
// counter: the same bytes twice would be a replay) for the time given, either to the edge (`target: "edge"`: a full
// round trip through decrypt, replay check, the read handler and encrypt) or to the bare echo handler (`target:
// "echo"`: the same bodies, built at the same cost, only echoed). Prints one JSON line with the figures.
import autocannon from 'autocannon';
import {
  closeSession, encodeReadRequest, establishPase, ExchangeManager, HttpClientChannel, InteractionOpcode, ProtocolId, ready, SessionManager,
} from '../src/node.js';

interface ClientArgs { target: 'edge' | 'echo'; messagesUrl: string; echoUrl: string; passcode: number; seconds: number; connections: number }

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
const result = await autocannon({
  url: args.target === 'edge' ? args.messagesUrl : `${args.echoUrl}/echo`, connections: args.connections, duration: args.seconds,
  requests: [{ method: 'POST', headers: { 'content-type': 'application/octet-stream' }, setupRequest: (request) => ({ ...request, body: readMessage() }) }],
});
await closeSession(exchanges, session);
exchanges.close();
await sessions.close();
console.log(JSON.stringify({
  requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors,
}));
