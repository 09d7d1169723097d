// Bun serving the built edge with a realm that is a Matter node (the default light, TEST attestation), for
// test/edge-node-runtimes.test.ts: a free port on 127.0.0.1 announced as a JSON line; it stops when stdin closes.
import { serveEdgeOnBun } from '../../dist/edge/bun.js';
import { defaultLightApp } from '../../dist/edge/index.js';

const { realm, passcode } = JSON.parse(Bun.argv[2]);
const app = defaultLightApp({ onChange: (on) => console.log(JSON.stringify({ light: on })) });
const server = await serveEdgeOnBun({ realms: { [realm]: { passcode, node: app.node } }, port: 0 });
console.log(JSON.stringify({ url: server.url, version: `bun ${Bun.version}` }));
await Bun.stdin.stream().pipeTo(new WritableStream());
await server.close();
