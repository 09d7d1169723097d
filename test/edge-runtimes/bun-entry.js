// Bun serving the built edge (dist/edge/bun.js), as a user's Bun program would, for test/edge-runtimes.test.ts:
// the realm from the JSON argument, a free port on 127.0.0.1 announced as a JSON line; it stops when stdin closes,
// so it cannot outlive the test that started it.
import { serveEdgeOnBun } from '../../dist/edge/bun.js';

const { realm, passcode, vendorName, adminToken } = JSON.parse(Bun.argv[2]);
const server = await serveEdgeOnBun({
  realms: { [realm]: { passcode, basicInformation: { vendorName } } }, adminToken, port: 0,
});
console.log(JSON.stringify({ url: server.url, version: `bun ${Bun.version}` }));
await Bun.stdin.stream().pipeTo(new WritableStream());
await server.close();
