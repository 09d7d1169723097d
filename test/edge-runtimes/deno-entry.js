// Deno serving the built edge (dist/edge/deno.js), as a user's Deno program would, for test/edge-runtimes.test.ts:
// the realm from the JSON argument, a free port on 127.0.0.1 announced as a JSON line; it stops when stdin closes,
// so it cannot outlive the test that started it.
import { serveEdgeOnDeno } from '../../dist/edge/deno.js';

const { realm, passcode, vendorName, adminToken } = JSON.parse(Deno.args[0]);
const server = await serveEdgeOnDeno({
  realms: { [realm]: { passcode, basicInformation: { vendorName } } }, adminToken, port: 0,
});
console.log(JSON.stringify({ url: server.url, version: `deno ${Deno.version.deno}` }));
await Deno.stdin.readable.pipeTo(new WritableStream());
await server.close();
