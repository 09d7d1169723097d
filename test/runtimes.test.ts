// Every conformance suite (test/conformance/all-suites.ts: core, session, crypto, counters, TLV, stores) in Deno,
// Bun, workerd and Chromium, each loading the built package (dist/, build/matter-sessions.wasm) the way a user of
// that runtime would. Each runtime must pass exactly the checks Node counts for it. Needs `npm run build`.
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import * as lib from '../src/index.js';
import { allChecks, type AllSuiteOptions } from './conformance/all-suites.js';
import { allSuiteData } from './conformance/suite-data.js';
import { runInChromium } from './runtimes/chromium-runtime.js';
import { runInBun, runInDeno } from './runtimes/cli-runtimes.js';
import { assertPackageBuilt, projectRoot, writeSuiteArtifacts, type RuntimeReport } from './runtimes/suite-artifacts.js';
import { bundleWorker, runInWorkerd } from './runtimes/workerd-runtime.js';

// Each runtime's own deadline comes first, so it kills what it started and reports why before node:test gives up.
const runtimeTimeoutMs = 100_000;
const testTimeoutMs = 120_000;

/** Checks per suite, as Node builds them for a runtime with the given stores. */
let expectedFor: (stores: string[]) => Record<string, number> = () => ({});
// Awaited by each test rather than run in a before() hook: a failed hook is not counted as a failed test.
let prepared: Promise<void> | undefined;
const prepare = () => prepared ??= (async () => {
  assertPackageBuilt();
  const data = allSuiteData();
  expectedFor = (stores) => {
    const options: AllSuiteOptions = { stores: Object.fromEntries(stores.map((s) => [s, async () => new lib.MemoryStore()])) };
    return Object.fromEntries(Object.entries(allChecks(lib, data, options)).map(([suite, checks]) => [suite, checks.length]));
  };
  await writeSuiteArtifacts(data);
})();

function assertReport(t: TestContext, runtime: string, report: RuntimeReport, stores = ['memory']): void {
  assert.equal(report.runtime, runtime, `the report came from ${report.runtime}, not ${runtime}`);
  assert.equal(report.failed, 0, `${runtime}: ${report.failed} checks failed:\n${report.failures.join('\n')}`);
  const expected = expectedFor(stores);
  const passedBySuite = Object.fromEntries(Object.entries(report.suites).map(([suite, count]) => [suite, count.passed]));
  assert.deepEqual(passedBySuite, expected, `${runtime}: passed per suite differs from what Node counts`);
  const summary = Object.entries(passedBySuite).map(([suite, n]) => `${suite} ${n}`).join(', ');
  t.diagnostic(`${runtime}: ${report.passed} passed (${summary}) (${report.version ?? 'version unknown'})`);
}

describe('conformance in other runtimes', { concurrency: 1 }, () => {
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
    assert.deepEqual(bundle.wasmModules.map((m) => m.name).sort(), ['matter-sessions-relaxed.wasm', 'matter-sessions.wasm'],
      'the workerd entry imports the baseline and the relaxed build');
    const report = await runInWorkerd(bundle, { timeoutMs: runtimeTimeoutMs });
    assertReport(t, 'workerd', report);
    // workerd's V8 has relaxed SIMD: ready() without a source must have taken the relaxed build by itself.
    assert.equal(report.relaxedSimd, true, 'workerd validates relaxed SIMD');
    assert.equal(report.coreBuild, 'relaxed-simd', 'ready() in workerd picks the relaxed build without being given it');
  });

  it('chromium', { timeout: testTimeoutMs }, async (t) => {
    await prepare();
    const { report, served } = await runInChromium({ timeoutMs: runtimeTimeoutMs });
    // Chromium's V8 has relaxed SIMD, so ready() picks the relaxed build (the core suite checks the choice).
    const wasm = served.find((request) => request.path === '/build/matter-sessions-relaxed.wasm');
    assert.equal(wasm?.contentType, 'application/wasm', 'ready() must have fetched /build/matter-sessions-relaxed.wasm');
    assertReport(t, 'chromium', report, ['memory', 'indexeddb']);
  });
});
