// `npm start`: the edge on Node at 127.0.0.1:$PORT (default 8787) with one realm, its records under ./data, and the
// web app at /. Prints the realm, its passcode and the URLs, then one log line per event at $LOG_LEVEL (debug,
// info, warn, error, silent; default info). SIGINT/SIGTERM close every session and say so.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createEdgeLog, parseLogLevel, type LogLevel } from './edge-log.js';
import { startNodeEdgeServer } from './node-server.js';
import { defaultLightApp } from './default-light-app.js';
import { nodeAppFromEnv, type NodeAppEnv } from './node-app-env.js';

const port = Number(process.env.PORT ?? 8787);
const realm = process.env.REALM ?? 'home';
const passcode = Number(process.env.PASSCODE ?? 20202021);
const webRoot = fileURLToPath(new URL('../../web/dist/', import.meta.url));
let level: LogLevel;
let nodeEnv: NodeAppEnv;
try {
  level = parseLogLevel(process.env.LOG_LEVEL);
  nodeEnv = nodeAppFromEnv(process.env, realm);
  if (!['', '0', '1', undefined].includes(process.env.MDNS)) throw new RangeError(`MDNS: expected 1 (advertise over DNS-SD) or 0, got "${process.env.MDNS}"`);
} catch (error) {
  console.error(`matter-sessions edge: ${(error as Error).message}`);
  process.exit(2);
}
const log = createEdgeLog({ level });
// The default app: a virtual On/Off light, with the public TEST attestation credentials (said in the banner).
const app = defaultLightApp({ discriminator: nodeEnv.discriminator, onChange: (on) => log.info(`light ${on ? 'on' : 'off'}`, { realm }) });

const server = await startNodeEdgeServer({
  realms: { [realm]: { passcode, basicInformation: { vendorName: process.env.VENDOR_NAME ?? 'matter-sessions edge' }, node: app.node } },
  port, dataDir: process.env.DATA_DIR ?? 'data', log, ...(nodeEnv.udp ? { udp: nodeEnv.udp } : {}),
  // MDNS=1: DNS-SD for the UDP realm's node (commissionable while its window is open, operational per fabric).
  ...(process.env.MDNS === '1' ? { mdns: process.env.MDNS_INTERFACE ? { interface: process.env.MDNS_INTERFACE } : true } : {}),
  ...(process.env.ADMIN_TOKEN ? { adminToken: process.env.ADMIN_TOKEN } : {}),
  ...(existsSync(webRoot) ? { staticRoot: webRoot } : {}),
});
log.warn('TEST attestation credentials (public, development only): a production app passes its own DAC, PAI, key and declaration', { realm });
const ws = server.url.replace(/^http/, 'ws');
console.log(`matter-sessions edge listening on ${server.url}
  realm:     ${realm}
  passcode:  ${passcode}
  messages:  POST ${server.url}/realms/${realm}/messages
  websocket: ${ws}/realms/${realm}/ws
  metrics:   ${server.url}/metrics
  matter:    On/Off light on endpoint 1, discriminator ${nodeEnv.discriminator}, TEST attestation (development only)
  udp:       ${server.udp ? `realm ${server.udp.realm} on [${server.udp.address.host}]:${server.udp.address.port}` : `off${server.udpSkipped ? ` (${server.udpSkipped}; set UDP_PORT)` : ''}`}
  mdns:      ${server.mdns ? `on (_matterc._udp while commissionable, _matter._tcp per fabric${process.env.MDNS_INTERFACE ? `, interface ${process.env.MDNS_INTERFACE}` : ''})` : process.env.MDNS === '1' ? 'off (no UDP listener)' : 'off (MDNS=1 to advertise)'}
  log level: ${level}
  web app:   ${existsSync(webRoot) ? `${server.url}/` : '(not built)'}
try: npx matter-sessions commission --udp 127.0.0.1:${server.udp?.address.port ?? 5540} --passcode ${passcode} --data controller --node-id 1
 or: npx matter-sessions pair --http ${server.url}/realms/${realm}/messages --passcode ${passcode} --read 0/0x28/1`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void (async () => {
    const open = (await server.edge.realm(realm))?.openSessions ?? 0;
    log.info('shutting down', { signal, sessions: open });
    await server.close(); // closes every realm, and with it every session (each logged)
    console.log(`matter-sessions edge: ${signal}: closed ${open} session${open === 1 ? '' : 's'}, stopped`);
    process.exit(0);
  })());
}
