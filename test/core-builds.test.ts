// The core's two builds (asconfig.json "release" with i8x16.swizzle, "relaxed" with i8x16.relaxed_swizzle): ready()
// picks the relaxed one exactly where the engine has relaxed SIMD, and both give the same bytes. Node 20 has relaxed
// SIMD only behind --experimental-wasm-relaxed-simd, so the relaxed build's checks run in a child Node with it.
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

it('with relaxed SIMD: ready() loads the relaxed build, which passes the whole core suite and equals the other build on 2,000 random messages', () => {
  const child = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', 'test/core-builds.child.ts'],
    { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    build: string; relaxed: boolean; passed: number; failures: string[]; compared: number; differing: number;
  };
  assert.equal(report.relaxed, true);
  assert.equal(report.build, 'relaxed-simd');
  assert.deepEqual(report.failures, []);
  assert.equal(report.passed, coreChecks(lib, suiteData()).length);
  assert.equal(report.compared, 2000);
  assert.equal(report.differing, 0);
});
