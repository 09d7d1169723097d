// Node serving the built edge (dist/edge/node-server.js) in a process of its own, so a test can read its memory:
// the realm from the JSON argument, a free port on 127.0.0.1 announced as a JSON line; it stops when stdin closes,
// so it cannot outlive the test that started it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeEdgeServer } from '../../dist/edge/node-server.js';

const { realm, passcode, vendorName, adminToken } = JSON.parse(process.argv[2]);
const dataDir = mkdtempSync(join(tmpdir(), 'edge-node-entry-'));
const server = await startNodeEdgeServer({
  realms: { [realm]: { passcode, basicInformation: { vendorName } } }, adminToken, port: 0, dataDir,
});
console.log(JSON.stringify({ url: server.url, version: `node ${process.version}` }));
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
