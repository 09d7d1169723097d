// CASE on Deno, Bun and workerd. Deno and Bun each serve the built edge (dist/edge/deno.js, bun.js) with a realm that is a Matter node
// (the default light); this project's controller in Node commissions it over HTTP, then reaches it by CASE over
// WebSocket (a resumption of the session the commissioning made), toggles the light and reads OnOff back. On workerd
// (miniflare, a Durable Object per realm, MATTER_REALMS with app "light") the same, then workerd restarts and the
// fabric, kept in the object's storage, still answers CASE.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';
import { startRuntimeServer } from './edge-runtimes/runtime-server.js';
import { startWorkerdEdge } from './edge-runtimes/workerd-edge.js';

await lib.ready();
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(projectRoot, 'node_modules', '.bin', name);
const entry = (name: string) => fileURLToPath(new URL(`./edge-node-runtimes/${name}`, import.meta.url));

const runtimes = {
  deno: (config: string) => ({
    args: ['run', '--no-prompt', '--no-lock', '--no-remote', '--cached-only', '--node-modules-dir=manual', `--allow-read=${projectRoot}`,
      '--allow-net=127.0.0.1', entry('deno-node-entry.js'), config],
    env: { ...process.env, DENO_DIR: join(projectRoot, 'test-output', 'edge-runtimes', 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
  }),
  bun: (config: string) => ({
    args: ['run', '--no-install', entry('bun-node-entry.js'), config],
    env: { ...process.env, BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', NO_COLOR: '1' },
  }),
};

for (const [runtime, command] of Object.entries(runtimes)) {
  describe(`CASE with an edge realm on ${runtime}`, { timeout: 120_000 }, () => {
    it('commissioned over HTTP, then resumed CASE over WebSocket: Toggle and OnOff read back', async (t) => {
      const { args, env } = command(JSON.stringify({ realm: `${runtime}-light`, passcode: 20202021 }));
      const server = await startRuntimeServer(bin(runtime), args, { cwd: projectRoot, env, timeoutMs: 60_000 });
      const storage = new lib.MemoryStore();
      const controller = await lib.MatterController.open({
        storage,
        transport: lib.edgeControllerTransport({ webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }),
      });
      try {
        const http: lib.NodeAddress = { transport: 'http', host: `${server.url}/realms/${runtime}-light/messages`, port: 0 };
        const ws: lib.NodeAddress = { transport: 'ws', host: `${server.url.replace('http', 'ws')}/realms/${runtime}-light/ws`, port: 0 };
        const result = await controller.commission({ address: http, passcode: 20202021, nodeId: 3n });
        assert.equal(result.vendorId, 0xfff1);
        const before = lib.tlvToPlainValue(await controller.read(3n, { endpoint: 1, cluster: 0x0006, attribute: 0 }));
        assert.equal(before, false);
        await controller.close();
        const again = await lib.MatterController.open({ storage, transport: lib.edgeControllerTransport({
          webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }) });
        try {
          const connection = await again.connect(3n, { address: ws });
          assert.equal(connection.resumed, true);
          await again.invoke(3n, { endpoint: 1, ...lib.onOff.toggle() });
          assert.equal(lib.tlvToPlainValue(await again.read(3n, { endpoint: 1, cluster: 0x0006, attribute: 0 })), true);
        } finally {
          await again.close();
        }
        t.diagnostic(`${server.version}: commissioned over HTTP (${JSON.stringify(result.timings)})`);
      } finally {
        await controller.close();
        await server.stop();
      }
    });
  });
}

describe('CASE with an edge realm on workerd (a Durable Object per realm)', { timeout: 180_000 }, () => {
  it('commissioned over HTTP, CASE over WebSocket; after a restart the fabric in the object\'s storage still answers', async (t) => {
    const realm = 'workerd-light';
    const edge = await startWorkerdEdge({ realm, passcode: 20202021, vendorName: 'Workerd light', adminToken: 'unused-token', app: 'light' });
    const storage = new lib.MemoryStore();
    const open = () => lib.MatterController.open({ storage, transport: lib.edgeControllerTransport({
      webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike }) });
    try {
      const first = await open();
      try {
        const result = await first.commission({ address: { transport: 'http', host: `${edge.url}/realms/${realm}/messages`, port: 0 }, passcode: 20202021, nodeId: 4n });
        assert.equal(result.vendorId, 0xfff1);
        await first.invoke(4n, { endpoint: 1, ...lib.onOff.toggle() });
        assert.equal(lib.tlvToPlainValue(await first.read(4n, { endpoint: 1, cluster: 0x0006, attribute: 0 })), true);
        t.diagnostic(`workerd: commissioned over HTTP (${JSON.stringify(result.timings)})`);
      } finally {
        await first.close();
      }
      await edge.restart();
      const second = await open();
      try {
        const ws: lib.NodeAddress = { transport: 'ws', host: `${edge.url.replace('http', 'ws')}/realms/${realm}/ws`, port: 0 };
        await second.connect(4n, { address: ws });
        assert.equal(lib.tlvToPlainValue(await second.read(4n, { endpoint: 0, cluster: 0x28, attribute: 1 })), 'Workerd light');
      } finally {
        await second.close();
      }
    } finally {
      await edge.dispose();
    }
  });
});
