// The core's four builds (asconfig.json: release and relaxed, unrolled, for V8; compact and compact-relaxed for
// JavaScriptCore): ready() picks relaxed exactly where the engine has relaxed SIMD (and compact on JavaScriptCore,
// checked in Bun by test/runtimes.test.ts), each passes the whole core suite, and all give the same bytes. Node 20
// has relaxed SIMD only behind --experimental-wasm-relaxed-simd, so those checks run in a child Node with it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import * as lib from '../src/index.js';
import { coreChecks } from './conformance/core-suite.js';
import { suiteData } from './conformance/suite-data.js';

it('plain Node 20: no relaxed SIMD, so ready() loads the swizzle build', async () => {
  await lib.ready();
  assert.equal(lib.hasRelaxedSimd(), false);
  assert.equal(lib.coreBuild(), 'simd');
});

interface ChildReport { build: string; relaxed: boolean; passed: number; failures: string[]; compared: number; differing: number }

function child(relaxed: boolean, ...args: string[]): ChildReport {
  const flags = relaxed ? ['--experimental-wasm-relaxed-simd'] : [];
  const run = spawnSync(process.execPath, [...flags, '--import', 'tsx', 'test/core-builds.child.ts', ...args],
    { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as ChildReport;
}

it('with relaxed SIMD: ready() loads the relaxed build, which passes the whole core suite; all four builds give the same bytes on 2,000 random messages', () => {
  const report = child(true, '', 'compare');
  assert.equal(report.relaxed, true);
  assert.equal(report.build, 'relaxed-simd');
  assert.deepEqual(report.failures, []);
  assert.equal(report.passed, coreChecks(lib, suiteData()).length);
  assert.equal(report.compared, 2000);
  assert.equal(report.differing, 0);
});

for (const [build, relaxed] of [['matter-sessions-compact.wasm', false], ['matter-sessions-compact-relaxed.wasm', true]] as const) {
  it(`${build} passes the whole core suite`, () => {
    const report = child(relaxed, build);
    assert.equal(report.build, 'given');
    assert.deepEqual(report.failures, []);
    assert.equal(report.passed, coreChecks(lib, suiteData()).length);
  });
}

for (const relaxed of [false, true]) {
  it(`an entry offering the baseline and relaxed builds (workerd's): ready() takes ${relaxed ? 'the relaxed one where relaxed SIMD validates' : 'the baseline without relaxed SIMD'}`, () => {
    const report = child(relaxed, 'offered');
    assert.equal(report.relaxed, relaxed);
    assert.equal(report.build, relaxed ? 'relaxed-simd' : 'simd');
    assert.deepEqual(report.failures, []);
    assert.equal(report.passed, coreChecks(lib, suiteData()).length);
  });
}
