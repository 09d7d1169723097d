// The edge app on Deno, Bun and workerd (miniflare, with its Durable Objects): each serves the built package
// (dist/edge/deno.js, bun.js, workerd.js) on a local port, and Node pairs through it with the library by PASE over
// HTTP and WebSocket, reads VendorName and closes; bad input gets its 4xx JSON. On workerd, DurableObjectStore passes
// the store conformance suite inside the Worker and keeps a record across a workerd restart. A runtime that does not
// start fails its tests. Needs `npm run build`.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it, type TestContext } from 'node:test';
import * as lib from '../src/node.js';
import { storeChecks } from './conformance/store-suite.js';
import {
  ADMIN_TOKEN, PASSCODE, messagesUrl, pairOverHttp, pairOverWebSocketUntilItCloses, pairReadAndCloseOverHttp, rejectsBadInput,
  servesMetricsAndHealth, type EdgeUnderTest,
} from './edge-runtimes/edge-client.js';
import { startRuntimeServer, type RuntimeServer } from './edge-runtimes/runtime-server.js';
import { startWorkerdEdge, type WorkerdEdge } from './edge-runtimes/workerd-edge.js';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const outputDir = join(projectRoot, 'test-output', 'edge-runtimes');
const bin = (name: string) => join(projectRoot, 'node_modules', '.bin', name);
const entry = (name: string) => join(projectRoot, 'test', 'edge-runtimes', name);
const startTimeoutMs = 30_000;
const testTimeoutMs = 30_000;

function assertEdgeBuilt(): void {
  const files = ['dist/edge/deno.js', 'dist/edge/bun.js', 'dist/edge/workerd.js', 'dist/workerd.js', 'build/matter-sessions.wasm'];
  const missing = files.filter((file) => !existsSync(join(projectRoot, file)));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run \`npm run build\` first`);
}

interface RealmUnderTest { realm: string; vendorName: string; passcode: number; adminToken: string }

const realmFor = (runtime: string): RealmUnderTest =>
  ({ realm: `${runtime}-home`, vendorName: `Vendor ${randomUUID().slice(0, 8)}`, passcode: PASSCODE, adminToken: ADMIN_TOKEN });

/**
 * The runtime's edge, started once by the first test that needs it (a failed before() hook would not count as a
 * failed test) and stopped after the suite, whatever happened.
 */
function startOnce<T>(start: () => Promise<T>, stop: (started: T) => Promise<void>): () => Promise<T> {
  let started: Promise<T> | undefined;
  after(async () => {
    const running = await started?.catch(() => undefined);
    if (running) await stop(running);
  });
  return () => started ??= (async () => {
    assertEdgeBuilt();
    return start();
  })();
}

function sharedEdgeTests(edge: () => Promise<EdgeUnderTest>): void {
  it('pairs by PASE over HTTP, reads VendorName, closes the session', { timeout: testTimeoutMs }, async () => {
    await pairReadAndCloseOverHttp(await edge());
  });

  it('pairs over WebSocket; the session closes with the socket', { timeout: testTimeoutMs }, async () => {
    await pairOverWebSocketUntilItCloses(await edge());
  });

  it('answers bad input with a 4xx and a JSON problem', { timeout: testTimeoutMs }, async () => {
    await rejectsBadInput(await edge());
  });

  it('serves metrics and health', { timeout: testTimeoutMs }, async () => {
    await servesMetricsAndHealth(await edge());
  });
}

function cliRuntimeTests(runtime: 'deno' | 'bun', args: (config: string) => string[], env: NodeJS.ProcessEnv): void {
  describe(`the edge on ${runtime}`, { concurrency: 1 }, () => {
    const config = realmFor(runtime);
    const server = startOnce(
      () => startRuntimeServer(bin(runtime), args(JSON.stringify(config)), { cwd: projectRoot, env, timeoutMs: startTimeoutMs }),
      async (running: RuntimeServer) => {
        await running.stop();
      },
    );
    const edge = async (): Promise<EdgeUnderTest> => ({ url: (await server()).url, ...config, metricsPath: '/metrics' });

    it('starts and listens on a local port', { timeout: testTimeoutMs }, async (t: TestContext) => {
      const running = await server();
      assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      t.diagnostic(`${running.version} at ${running.url}`);
    });
    sharedEdgeTests(edge);

    it('closes: the server stops and the process exits by itself', { timeout: testTimeoutMs }, async () => {
      assert.deepEqual(await (await server()).stop(), { code: 0, killed: false });
    });
  });
}

await lib.ready();

// Read access to the project (dist, wasm, node_modules) and the network on loopback only; the project's package.json
// puts Deno in its node_modules mode, and --no-remote --cached-only keep it from fetching anything.
cliRuntimeTests('deno', (config) => ['run', '--no-prompt', '--no-lock', '--no-remote', '--cached-only', '--node-modules-dir=manual',
  `--allow-read=${projectRoot}`, '--allow-net=127.0.0.1', entry('deno-entry.js'), config],
{ ...process.env, DENO_DIR: join(outputDir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' });

cliRuntimeTests('bun', (config) => ['run', '--no-install', entry('bun-entry.js'), config],
  { ...process.env, BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', NO_COLOR: '1' });

describe('the edge on workerd (miniflare, a Durable Object per realm)', { concurrency: 1 }, () => {
  const config = realmFor('workerd');
  const workerd = startOnce(() => startWorkerdEdge(config), (running: WorkerdEdge) => running.dispose());
  const edge = async (): Promise<EdgeUnderTest> =>
    ({ url: (await workerd()).url, ...config, metricsPath: `/realms/${config.realm}/metrics` });

  it('starts from a bundle whose wasm is a module import of dist/workerd.js', { timeout: testTimeoutMs }, async (t: TestContext) => {
    const running = await workerd();
    assert.deepEqual(running.wasmImporters, ['dist/workerd.js'],
      'the edge must take the wasm through the package\'s workerd entry, which imports it as a module');
    assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.diagnostic(`workerd at ${running.url}`);
  });

  sharedEdgeTests(edge);

  it('routes only configured realms to an object; the rest of the Worker answers 404 JSON', { timeout: testTimeoutMs }, async () => {
    const { url } = await workerd();
    const response = await fetch(`${url}/elsewhere`);
    assert.equal(response.status, 404);
    assert.equal((await response.json() as { error: string }).error, 'not-found');
  });

  it('DurableObjectStore passes the store conformance suite inside the Worker', { timeout: testTimeoutMs }, async (t: TestContext) => {
    const { url } = await workerd();
    const response = await fetch(`${url}/probe/store-checks`, { method: 'POST' });
    assert.equal(response.status, 200, await response.clone().text());
    const report = await response.json() as { passed: number; failed: number; failures: string[] };
    assert.equal(report.failed, 0, report.failures.join('\n'));
    const expected = storeChecks(async () => new lib.MemoryStore()).length;
    assert.equal(report.passed, expected, 'every store check ran');
    t.diagnostic(`DurableObjectStore: ${report.passed}/${expected} store checks passed`);
  });

  it('a record written through DurableObjectStore survives a restart; sessions (memory) do not', { timeout: testTimeoutMs }, async () => {
    const running = await workerd();
    const key = `resumption/001/${randomBytes(8).toString('hex')}`;
    const record = new Uint8Array(randomBytes(120));
    const put = await fetch(`${running.url}/probe/records/${encodeURIComponent(key)}`, { method: 'PUT', body: record });
    assert.equal(put.status, 204);
    const { c, session } = await pairOverHttp(await edge());
    try {
      await running.restart();
      const got = await fetch(`${running.url}/probe/records/${encodeURIComponent(key)}`);
      assert.equal(got.status, 200, 'the record is still there');
      assert.deepEqual(new Uint8Array(await got.arrayBuffer()), record);

      const message = c.sessions.encode(session, { exchangeId: 7, protocolId: 0xfff1, opcode: 1, initiator: true, needsAck: false },
        new Uint8Array([1]));
      const stale = await fetch(messagesUrl(await edge()), { method: 'POST', headers: { 'content-type': 'application/octet-stream' },
        body: message as Uint8Array<ArrayBuffer> });
      assert.equal(stale.status, 404, 'the session lived in the old object\'s memory');
      assert.equal((await stale.json() as { error: string }).error, 'unknown-session');
    } finally {
      await c.close();
    }
    await pairReadAndCloseOverHttp(await edge());
  });
});
