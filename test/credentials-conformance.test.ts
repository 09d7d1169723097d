// The credentials conformance suite in Node, one test per check (the other runtimes: runtimes.test.ts).
import { describe, it } from 'node:test';
import * as lib from '../src/index.js';
import { credentialsChecks } from './conformance/credentials-suite.js';
import { credentialsSuiteData } from './conformance/suite-data.js';

const data = credentialsSuiteData();

describe('credentials conformance (Node)', () => {
  for (const check of credentialsChecks(lib, data)) it(check.name, () => check.run());
});
