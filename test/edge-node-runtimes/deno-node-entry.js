// Deno serving the built edge with a realm that is a Matter node (the default light, TEST attestation), for
// test/edge-node-runtimes.test.ts: a free port on 127.0.0.1 announced as a JSON line; it stops when stdin closes.
import { serveEdgeOnDeno } from '../../dist/edge/deno.js';
import { defaultLightApp } from '../../dist/edge/index.js';

const { realm, passcode } = JSON.parse(Deno.args[0]);
const app = defaultLightApp({ onChange: (on) => console.log(JSON.stringify({ light: on })) });
const server = await serveEdgeOnDeno({ realms: { [realm]: { passcode, node: app.node } }, port: 0 });
console.log(JSON.stringify({ url: server.url, version: `deno ${Deno.version.deno}` }));
await Deno.stdin.readable.pipeTo(new WritableStream());
await server.close();
