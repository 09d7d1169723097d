// `npm start`: the edge on Node at 127.0.0.1:$PORT (default 8787) with one realm, its records under ./data, and the
// web app at /. Prints the realm, its passcode and the URLs, then one log line per event at $LOG_LEVEL (debug,
// info, warn, error, silent; default info). SIGINT/SIGTERM close every session and say so.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createEdgeLog, parseLogLevel, type LogLevel } from './edge-log.js';
import { startNodeEdgeServer } from './node-server.js';

const port = Number(process.env.PORT ?? 8787);
const realm = process.env.REALM ?? 'home';
const passcode = Number(process.env.PASSCODE ?? 20202021);
const webRoot = fileURLToPath(new URL('../../web/dist/', import.meta.url));
let level: LogLevel;
try {
  level = parseLogLevel(process.env.LOG_LEVEL);
} catch (error) {
  console.error(`matter-sessions edge: ${(error as Error).message}`);
  process.exit(2);
}
const log = createEdgeLog({ level });

const server = await startNodeEdgeServer({
  realms: { [realm]: { passcode, basicInformation: { vendorName: process.env.VENDOR_NAME ?? 'matter-sessions edge' } } },
  port, dataDir: process.env.DATA_DIR ?? 'data', log,
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
  log level: ${level}
  web app:   ${existsSync(webRoot) ? `${server.url}/` : '(not built)'}
try: npx matter-sessions pair --http ${server.url}/realms/${realm}/messages --passcode ${passcode} --read 0/0x28/1`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void (async () => {
    const open = (await server.edge.realm(realm))?.openSessions ?? 0;
    log.info('shutting down', { signal, sessions: open });
    await server.close(); // closes every realm, and with it every session (each logged)
    console.log(`matter-sessions edge: ${signal}: closed ${open} session${open === 1 ? '' : 's'}, stopped`);
    process.exit(0);
  })());
}
