// The core conformance suite (test/conformance/core-suite.ts) in Deno, Bun, workerd and Chromium, each loading the
// built package (dist/, build/matter-sessions.wasm) the way a user of that runtime would. Needs `npm run build`.
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import * as lib from '../src/index.js';
import { coreChecks } from './conformance/core-suite.js';
import { suiteData } from './conformance/suite-data.js';
import { runInChromium } from './runtimes/chromium-runtime.js';
import { runInBun, runInDeno } from './runtimes/cli-runtimes.js';
import { assertPackageBuilt, projectRoot, writeSuiteArtifacts, type RuntimeReport } from './runtimes/suite-artifacts.js';
import { bundleWorker, runInWorkerd } from './runtimes/workerd-runtime.js';

// Each runtime's own deadline comes first, so it kills what it started and reports why before node:test gives up.
const runtimeTimeoutMs = 100_000;
const testTimeoutMs = 120_000;

let expectedChecks = 0;
// Awaited by each test rather than run in a before() hook: a failed hook is not counted as a failed test.
let prepared: Promise<void> | undefined;
const prepare = () => prepared ??= (async () => {
  assertPackageBuilt();
  const data = suiteData();
  expectedChecks = coreChecks(lib, data).length;
  await writeSuiteArtifacts(data);
})();

function assertReport(t: TestContext, runtime: string, report: RuntimeReport): void {
  assert.equal(report.runtime, runtime, `the report came from ${report.runtime}, not ${runtime}`);
  assert.equal(report.failed, 0, `${runtime}: ${report.failed} checks failed:\n${report.failures.join('\n')}`);
  assert.equal(report.passed, expectedChecks, `${runtime}: ${report.passed} passed, Node counts ${expectedChecks} checks`);
  t.diagnostic(`${runtime}: ${report.passed} passed (${report.version ?? 'version unknown'})`);
}

describe('core conformance in other runtimes', { concurrency: 1 }, () => {
  it('deno', { timeout: testTimeoutMs }, async (t) => {
    await prepare();
    assertReport(t, 'deno', await runInDeno({ timeoutMs: runtimeTimeoutMs, signal: t.signal }));
  });

  it('bun', { timeout: testTimeoutMs }, async (t) => {
    await prepare();
    assertReport(t, 'bun', await runInBun({ timeoutMs: runtimeTimeoutMs, signal: t.signal }));
  });

  it('workerd (miniflare)', { timeout: testTimeoutMs }, async (t) => {
    await prepare();
    const bundle = await bundleWorker();
    assert.deepEqual(bundle.wasmImporters.map((file) => relative(projectRoot, file)), ['dist/workerd.js'],
      'the bundle must take the package through its "workerd" condition, which imports the wasm as a module');
    assertReport(t, 'workerd', await runInWorkerd(bundle, { timeoutMs: runtimeTimeoutMs }));
  });

  it('chromium', { timeout: testTimeoutMs }, async (t) => {
    await prepare();
    const { report, served } = await runInChromium({ timeoutMs: runtimeTimeoutMs });
    const wasm = served.find((request) => request.path === '/build/matter-sessions.wasm');
    assert.equal(wasm?.contentType, 'application/wasm', 'ready() must have fetched /build/matter-sessions.wasm');
    assertReport(t, 'chromium', report);
  });
});
