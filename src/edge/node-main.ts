// `npm start`: the edge on Node at 127.0.0.1:$PORT (default 8787) with one realm, its records under ./data, and the
// web app at /. Prints the realm, its passcode and the URLs.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { startNodeEdgeServer } from './node-server.js';
import { defaultLightApp } from './default-light-app.js';
import { nodeAppFromEnv, type NodeAppEnv } from './node-app-env.js';

const port = Number(process.env.PORT ?? 8787);
const realm = process.env.REALM ?? 'home';
const passcode = Number(process.env.PASSCODE ?? 20202021);
const webRoot = fileURLToPath(new URL('../../web/dist/', import.meta.url));
let nodeEnv: NodeAppEnv;
try {
  nodeEnv = nodeAppFromEnv(process.env, realm);
} catch (error) {
  console.error(`matter-sessions edge: ${(error as Error).message}`);
  process.exit(2);
}
// The default app: a virtual On/Off light, with the public TEST attestation credentials (said in the banner).
const app = defaultLightApp({ discriminator: nodeEnv.discriminator, onChange: (on) => console.log(`light ${on ? 'on' : 'off'}`) });

const server = await startNodeEdgeServer({
  realms: { [realm]: { passcode, basicInformation: { vendorName: process.env.VENDOR_NAME ?? 'matter-sessions edge' }, node: app.node } },
  port, dataDir: process.env.DATA_DIR ?? 'data', ...(nodeEnv.udp ? { udp: nodeEnv.udp } : {}),
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
  matter:    On/Off light on endpoint 1, discriminator ${nodeEnv.discriminator}, TEST attestation (development only)
  udp:       ${server.udp ? `realm ${server.udp.realm} on [${server.udp.address.host}]:${server.udp.address.port}` : `off${server.udpSkipped ? ` (${server.udpSkipped}; set UDP_PORT)` : ''}`}
  web app:   ${existsSync(webRoot) ? `${server.url}/` : '(not built)'}
try: npx matter-sessions commission --udp 127.0.0.1:${server.udp?.address.port ?? 5540} --passcode ${passcode} --data controller --node-id 1
 or: npx matter-sessions pair --http ${server.url}/realms/${realm}/messages --passcode ${passcode} --read 0/0x28/1`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
