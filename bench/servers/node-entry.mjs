// The Node edge for `npm run bench:edge`, in its own process: startNodeEdgeServer from the built package under the
// root given (this worktree, or another checkout to measure its code the same way), plus a bare Hono app that only
// echoes the body, served by the same adapter in the same process: the anchor the edge's throughput is compared to.
// Announces {"url","echoUrl","version"} as a JSON line; stops when stdin closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { echoApp } from './echo-app.js';

const { root, realm, passcode } = JSON.parse(process.argv[2]);
const { startNodeEdgeServer } = await import(pathToFileURL(join(root, 'dist/edge/node-server.js')).href);
const dataDir = mkdtempSync(join(tmpdir(), 'bench-edge-'));
const server = await startNodeEdgeServer({ realms: { [realm]: { passcode, basicInformation: { vendorName: 'Bench' } } }, port: 0, dataDir });
const echo = await new Promise((resolve) => {
  const s = serve({ fetch: echoApp().fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
});
console.log(JSON.stringify({ url: server.url, echoUrl: `http://127.0.0.1:${echo.address().port}`, version: `node ${process.version}` }));
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  echo.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
