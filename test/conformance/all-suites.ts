// Every conformance suite behind one call, for the runtimes other than Node. Bundled into one file with no imports
// (each suite only imports types), so Deno, Bun, workerd and Chromium run exactly the checks Node runs.
import type * as Library from '../../src/index.js';
import type { KeyValueStore } from '../../src/index.js';
import type { Check } from './check.js';
import { coreChecks, type SuiteData } from './core-suite.js';
import { counterChecks, type CounterSuiteData } from './counter-suite.js';
import { credentialsChecks, type CredentialsSuiteData } from './credentials-suite.js';
import { cryptoChecks, type CryptoSuiteData } from './crypto-suite.js';
import { interactionChecks } from './interaction-suite.js';
import { sessionChecks, type SessionSuiteData } from './session-suite.js';
import { spake2pChecks, type Spake2pSuiteData } from './spake2p-suite.js';
import { storeChecks } from './store-suite.js';
import { tlvChecks, type TlvSuiteData } from './tlv-suite.js';

export interface AllSuiteData {
  core: SuiteData;
  session: SessionSuiteData;
  crypto: CryptoSuiteData;
  counters: CounterSuiteData;
  tlv: TlvSuiteData;
  spake2p: Spake2pSuiteData;
  credentials: CredentialsSuiteData;
}

export interface AllSuiteOptions {
  /** Store backends this runtime has, by name; each runs the store suite. MemoryStore is always among them. */
  stores: Record<string, () => Promise<KeyValueStore>>;
  /** The store the session suite's restart check persists to (default MemoryStore). */
  sessionStore?: () => Promise<KeyValueStore>;
}

export interface SuiteCount { passed: number; failed: number }

export interface AllSuitesReport {
  runtime: string;
  passed: number;
  failed: number;
  failures: string[];
  suites: Record<string, SuiteCount>;
}

/** The checks by suite name: what both Node (to count) and the runtimes (to run) build. */
export function allChecks(lib: typeof Library, data: AllSuiteData, options: AllSuiteOptions): Record<string, Check[]> {
  const suites: Record<string, Check[]> = {
    core: coreChecks(lib, data.core),
    session: sessionChecks(lib, data.session, options.sessionStore ? { makeStore: options.sessionStore } : {}),
    crypto: cryptoChecks(lib, data.crypto),
    counters: counterChecks(lib, data.counters),
    tlv: tlvChecks(lib, data.tlv),
    spake2p: spake2pChecks(lib, data.spake2p),
    interaction: interactionChecks(lib),
    credentials: credentialsChecks(lib, data.credentials),
  };
  for (const [name, makeStore] of Object.entries(options.stores)) suites[`store:${name}`] = storeChecks(makeStore);
  return suites;
}

export async function runAllSuites(lib: typeof Library, data: AllSuiteData, runtime: string, options: AllSuiteOptions):
  Promise<AllSuitesReport> {
  await lib.ready();
  const report: AllSuitesReport = { runtime, passed: 0, failed: 0, failures: [], suites: {} };
  for (const [suite, checks] of Object.entries(allChecks(lib, data, options))) {
    const count: SuiteCount = { passed: 0, failed: 0 };
    for (const check of checks) {
      try {
        await check.run();
        count.passed++;
      } catch (e) {
        count.failed++;
        report.failures.push(`${suite}: ${check.name}: ${(e as Error)?.message ?? String(e)}`);
      }
    }
    report.suites[suite] = count;
    report.passed += count.passed;
    report.failed += count.failed;
  }
  return report;
}
