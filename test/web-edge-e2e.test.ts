// The web app served by the Node edge (startNodeEdgeServer with staticRoot web/dist), in headless Chromium without
// Web Bluetooth: pairing with the edge over the same origin's WebSocket by clicks (after a wrong passcode),
// VendorName, CloseSession, the session record surviving a reload in IndexedDB, an unreachable edge and an unknown realm.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import * as lib from '../src/node.js';
import { withTimeout } from './runtimes/timeout.js';
import { AppPage } from './web/app-page.js';
import { buildWebApp, launchChromium, screenshot, watchPage, webDist, withPageLog, type PageWatch } from './web/web-app.js';

await lib.ready();

const PASSCODE = 20202021;
const RUN_MS = 40_000;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('web app paired with the Node edge over WebSocket (Chromium)', { timeout: 85_000 }, () => {
  const vendorName = `Edge Vendor ${randomInt(1_000_000)}`;
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  let browser: Browser | undefined;

  before(async () => {
    buildWebApp();
    dataDir = await mkdtemp(join(tmpdir(), 'web-edge-e2e-'));
    server = await lib.startNodeEdgeServer({
      realms: { home: { passcode: PASSCODE, basicInformation: { vendorName } } }, port: 0, dataDir, staticRoot: webDist,
    });
    browser = await launchChromium({ webBluetooth: false });
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('pairs by clicks over the same origin\'s WebSocket, reads VendorName, closes; the record survives a reload', async () => {
    let watch: PageWatch | undefined;
    await withTimeout(RUN_MS, 'the WebSocket run', async () => {
      const page = await browser!.newPage({ viewport: { width: 900, height: 1100 } });
      watch = watchPage(page);
      const app = new AppPage(page);
      await page.goto(`${server.url}/`);
      await app.status(/^Ready: pair with an edge over WebSocket/);
      assert.match(await page.locator('#bluetooth-support').textContent() ?? '', /This browser has no Web Bluetooth/);
      assert.equal(await app.isEnabled('Choose device'), false);
      const wsUrl = `${server.url.replace(/^http/, 'ws')}/realms/home/ws`;
      assert.equal(await app.edgeUrl(), wsUrl, 'the URL defaults to the same origin\'s realm "home"');

      await app.pairOverWebSocket('20202022');
      await app.alert(/Wrong passcode/);

      await app.pairOverWebSocket(String(PASSCODE));
      await app.status(/Paired with the edge over WebSocket/);
      const realm = (await server.edge.realm('home'))!;
      const [edgeSide] = realm.sessions.getActiveSessionInformation();
      assert.ok(edgeSide, 'the edge holds the PASE session');
      const shown = await app.sessionDetails();
      assert.equal(shown['State'], 'open');
      assert.equal(shown['Transport'], 'WebSocket');
      assert.equal(shown['Peer'], wsUrl);
      assert.equal(shown['Local session id'], String(edgeSide.peerSessionId));
      assert.equal(shown['Peer session id'], String(edgeSide.sessionId));

      assert.equal(await app.readVendorName(), vendorName);
      await screenshot(page, 'web-edge-paired');

      await app.closeSession();
      await until(() => realm.sessions.sessionCount === 0, 'the edge to drop the session');
      assert.match((await app.sessionDetails())['State'] ?? '', /^closed: closed by this page/);

      await page.reload();
      await app.status(/^Ready/);
      const restored = await app.sessionDetails();
      assert.equal(restored['VendorName'], vendorName, 'the session record came back from IndexedDB');
      assert.equal(restored['Peer session id'], String(edgeSide.sessionId));
      assert.match(restored['State'] ?? '', /^closed: /);
      watch.assertClean();
      await page.close();
    }).catch((error: unknown) => { throw withPageLog(error, watch); });
  });

  it('an unreachable edge: the page says so', async () => {
    let watch: PageWatch | undefined;
    await withTimeout(RUN_MS, 'the unreachable-edge run', async () => {
      const page = await browser!.newPage();
      watch = watchPage(page);
      const app = new AppPage(page);
      await page.goto(`${server.url}/`);
      await app.status(/^Ready/);
      const url = `ws://127.0.0.1:${await closedPort()}/realms/home/ws`;
      await app.pairOverWebSocket(String(PASSCODE), url);
      assert.match(await app.alert(/Edge unreachable/), new RegExp(`could not connect to ${url}`));
      assert.equal(await app.isEnabled('Pair over WebSocket'), true, 'the user can correct the URL and retry');
      await page.close();
    }).catch((error: unknown) => { throw withPageLog(error, watch); });
  });

  it('an unknown realm: the page says "No realm", not unreachable', async () => {
    let watch: PageWatch | undefined;
    await withTimeout(RUN_MS, 'the unknown-realm run', async () => {
      const page = await browser!.newPage();
      watch = watchPage(page);
      const app = new AppPage(page);
      await page.goto(`${server.url}/`);
      await app.status(/^Ready/);
      await app.pairOverWebSocket(String(PASSCODE), `${server.url.replace('http', 'ws')}/realms/nope/ws`);
      const alert = await app.alert(/No realm/);
      assert.match(alert, /No realm "nope": the edge answered, but has no realm by that name/);
      assert.doesNotMatch(alert, /unreachable/i);
      await page.close();
    }).catch((error: unknown) => { throw withPageLog(error, watch); });
  });
});
