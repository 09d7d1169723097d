// The Bun edge for `npm run bench:edge` (see node-entry.mjs): serveEdgeOnBun from the built package under the root
// given, and the bare Hono echo served by Bun.serve in the same process.
import { join } from 'node:path';
import { echoApp } from './echo-app.js';

const { root, realm, passcode } = JSON.parse(Bun.argv[2]);
const { serveEdgeOnBun } = await import(join(root, 'dist/edge/bun.js'));
const server = await serveEdgeOnBun({ realms: { [realm]: { passcode, basicInformation: { vendorName: 'Bench' } } }, port: 0 });
const echo = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: echoApp().fetch });
console.log(JSON.stringify({ url: server.url, echoUrl: `http://127.0.0.1:${echo.port}`, version: `bun ${Bun.version}` }));
await Bun.stdin.stream().pipeTo(new WritableStream());
await server.close();
await echo.stop(true);
