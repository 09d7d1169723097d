// The conformance suite in Node, one test per check (the other runtimes run the same checks: runtimes.test.ts).
import { describe, it } from 'node:test';
import * as lib from '../src/index.js';
import { coreChecks } from './conformance/core-suite.js';
import { suiteData } from './conformance/suite-data.js';

await lib.ready();
const data = suiteData();

describe('core conformance (Node)', () => {
  for (const check of coreChecks(lib, data)) it(check.name, () => check.run());
});
