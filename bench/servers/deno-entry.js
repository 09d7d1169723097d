// The Deno edge for `npm run bench:edge` (see node-entry.mjs): serveEdgeOnDeno from the built package under the root
// given, and the bare Hono echo served by Deno.serve in the same process.
import { echoApp } from './echo-app.js';

const { root, realm, passcode } = JSON.parse(Deno.args[0]);
const { serveEdgeOnDeno } = await import(new URL('dist/edge/deno.js', `file://${root}/`).href);
const server = await serveEdgeOnDeno({ realms: { [realm]: { passcode, basicInformation: { vendorName: 'Bench' } } }, port: 0 });
let echoUrl;
const echo = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => { echoUrl = `http://127.0.0.1:${port}`; } }, echoApp().fetch);
await new Promise((resolve) => { const wait = () => (echoUrl ? resolve() : setTimeout(wait, 5)); wait(); });
console.log(JSON.stringify({ url: server.url, echoUrl, version: `deno ${Deno.version.deno}` }));
await Deno.stdin.readable.pipeTo(new WritableStream());
await server.close();
await echo.shutdown();
