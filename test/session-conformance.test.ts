// The session layer's conformance suite in Node, one test per check (the other runtimes: runtimes.test.ts).
import { describe, it } from 'node:test';
import * as lib from '../src/index.js';
import { sessionChecks } from './conformance/session-suite.js';
import { sessionSuiteData } from './conformance/suite-data.js';

await lib.ready();
const data = sessionSuiteData();

describe('session conformance (Node)', () => {
  for (const check of sessionChecks(lib, data)) it(check.name, () => check.run());
});
