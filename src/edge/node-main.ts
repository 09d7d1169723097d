// `npm start`: the edge on Node at 127.0.0.1:$PORT (default 8787) with one realm, its records under ./data, and the
// web app at /. Prints the realm, its passcode and the URLs.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { startNodeEdgeServer } from './node-server.js';

const port = Number(process.env.PORT ?? 8787);
const realm = process.env.REALM ?? 'home';
const passcode = Number(process.env.PASSCODE ?? 20202021);
const webRoot = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const server = await startNodeEdgeServer({
  realms: { [realm]: { passcode, basicInformation: { vendorName: process.env.VENDOR_NAME ?? 'matter-sessions edge' } } },
  port, dataDir: process.env.DATA_DIR ?? 'data',
  ...(process.env.ADMIN_TOKEN ? { adminToken: process.env.ADMIN_TOKEN } : {}),
  ...(existsSync(webRoot) ? { staticRoot: webRoot } : {}),
});
const ws = server.url.replace(/^http/, 'ws');
console.log(`matter-sessions edge listening on ${server.url}
  realm:     ${realm}
  passcode:  ${passcode}
  messages:  POST ${server.url}/realms/${realm}/messages
  websocket: ${ws}/realms/${realm}/ws
  metrics:   ${server.url}/metrics
  web app:   ${existsSync(webRoot) ? `${server.url}/` : '(not built)'}
try: npx matter-sessions pair --http ${server.url}/realms/${realm}/messages --passcode ${passcode} --read 0/0x28/1`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
