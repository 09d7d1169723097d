// The message-counter conformance checks: the reference SDK's replay-window scenarios (vectors/message-counter.json)
// step by step, plus the outgoing counters' limits. Type imports only, like core-suite.ts: the library and the data
// come in as arguments, so the compiled file runs unchanged in Node, Deno, Bun, workerd and Chromium.
import type { Check } from './check.js';
import type * as ReceptionWindows from '../../src/session/reception-window.js';
import type * as MessageCounters from '../../src/session/message-counters.js';
import { equal, fail, throwsNamed } from './check.js';

export type CountersModule =
  Pick<typeof ReceptionWindows, 'SecureUnicastReceptionWindow' | 'GroupReceptionWindow' | 'UnencryptedReceptionWindow'> &
  Pick<typeof MessageCounters, 'SessionMessageCounter' | 'UnsecuredMessageCounter' | 'CounterExhaustedError'>;

export interface CounterStep {
  op: 'setCounter' | 'verifyEncryptedUnicast' | 'commitEncryptedUnicast' | 'verifyOrTrustFirstGroup' | 'commitGroup' |
    'verifyUnencrypted' | 'commitUnencrypted';
  counter: number;
  /** The SDK test's expectation; `reject` means anything but acceptance. */
  expect?: 'accept' | 'duplicate' | 'reject';
  /** The SDK's exact result: CHIP_NO_ERROR or CHIP_ERROR_DUPLICATE_MESSAGE_RECEIVED. */
  port?: 'OK' | 'DUP';
  note?: string;
}
export interface CounterScenario { name: string; mode: 'unicast' | 'group' | 'unencrypted'; steps: CounterStep[] }
export interface CounterSuiteData { counterScenarios: CounterScenario[] }

type Verdict = ReceptionWindows.CounterVerdict;

/** The verdict the step wants: the SDK's exact result where the vector records it, else what `expect` allows. */
function checkVerdict(step: CounterStep, verdict: Verdict, what: string): void {
  const allowed: Verdict[] = step.expect === 'accept' ? ['new'] : step.expect === 'duplicate' ? ['duplicate'] :
    ['duplicate', 'rejected'];
  if (!allowed.includes(verdict)) fail(`${what}: got ${verdict}, expected ${step.expect}`);
  if (step.port !== undefined) equal(verdict, step.port === 'OK' ? 'new' : 'duplicate', `${what} (SDK result ${step.port})`);
}

const OPS_BY_MODE: Record<CounterScenario['mode'], { verify: CounterStep['op']; commit: CounterStep['op'] }> = {
  unicast: { verify: 'verifyEncryptedUnicast', commit: 'commitEncryptedUnicast' },
  group: { verify: 'verifyOrTrustFirstGroup', commit: 'commitGroup' },
  unencrypted: { verify: 'verifyUnencrypted', commit: 'commitUnencrypted' },
};

function runScenario(lib: CountersModule, scenario: CounterScenario): void {
  const ops = OPS_BY_MODE[scenario.mode] ?? fail(`unknown mode ${scenario.mode}`);
  const unicast = scenario.mode === 'unicast' ? new lib.SecureUnicastReceptionWindow() : undefined;
  const window = unicast ?? (scenario.mode === 'group' ? new lib.GroupReceptionWindow() : new lib.UnencryptedReceptionWindow());
  scenario.steps.forEach((step, index) => {
    const what = `step ${index} ${step.op}(${step.counter})`;
    if (step.op === ops.verify) checkVerdict(step, window.verify(step.counter), what);
    else if (step.op === ops.commit) window.commit(step.counter);
    else if (step.op === 'setCounter' && unicast) unicast.setCounter(step.counter);
    else fail(`${what}: not an operation of a ${scenario.mode} window`);
  });
}

function scenarioChecks(lib: CountersModule, data: CounterSuiteData): Check[] {
  if (data.counterScenarios.length === 0) fail('no counter scenarios: the vector file did not load');
  return data.counterScenarios.map((scenario) => ({
    name: `counter scenario ${scenario.name}`,
    run: () => runScenario(lib, scenario),
  }));
}

function designChecks(lib: CountersModule): Check[] {
  return [
    {
      name: 'secure unicast window rejects everything before setCounter',
      run() {
        const window = new lib.SecureUnicastReceptionWindow();
        equal(window.verify(1), 'rejected', 'verify before activation');
        window.commit(1);
        equal(window.verify(1), 'rejected', 'verify after a commit before activation');
        window.setCounter(0);
        equal(window.verify(0), 'duplicate', 'counter 0 after activation');
        equal(window.verify(1), 'new', 'a commit before activation recorded nothing');
      },
    },
    {
      name: 'a first group message that fails its MIC (verified, never committed) trusts nothing',
      run() {
        const window = new lib.GroupReceptionWindow();
        equal(window.verify(0x80000000), 'new', 'forged first');
        equal(window.verify(5), 'new', 'genuine first');
        window.commit(5);
        equal(window.verify(5), 'duplicate', 'genuine first again');
        equal(window.verify(6), 'new', 'next');
      },
    },
    {
      name: 'bitmap edge: a 32-step advance keeps only the old max; 33 behind is a duplicate',
      run() {
        const window = new lib.SecureUnicastReceptionWindow();
        window.setCounter(0);
        window.commit(100);
        window.commit(101);
        window.commit(133);
        equal(window.verify(101), 'duplicate', '101 (32 behind, committed)');
        equal(window.verify(102), 'new', '102 (31 behind)');
        equal(window.verify(132), 'new', '132 (1 behind, never committed)');
        equal(window.verify(100), 'duplicate', '100 (33 behind)');
      },
    },
    {
      name: 'session counter starts in [1, 2^28]',
      run() {
        const firsts = Array.from({ length: 500 }, () => new lib.SessionMessageCounter().next());
        for (const first of firsts) if (first < 1 || first > 2 ** 28) fail(`first counter ${first} outside [1, 2^28]`);
        if (new Set(firsts).size < 490) fail('first counters are not random');
      },
    },
    {
      name: 'session counter hands out 0xFFFFFFFF, then stays exhausted',
      run() {
        const counter = new lib.SessionMessageCounter(0xfffffffd);
        equal(counter.next(), 0xfffffffe, 'next');
        equal(counter.next(), 0xffffffff, 'last');
        equal(counter.exhausted, true, 'exhausted');
        throwsNamed(() => counter.next(), 'CounterExhaustedError', '', 'after the last');
        throwsNamed(() => counter.next(), 'CounterExhaustedError', '', 'again');
      },
    },
    {
      name: 'unsecured counter wraps 0xFFFFFFFF -> 0',
      run() {
        const counter = new lib.UnsecuredMessageCounter(0xfffffffe);
        equal(counter.next(), 0xffffffff, 'last');
        equal(counter.next(), 0, 'wrapped');
        equal(counter.next(), 1, 'after the wrap');
      },
    },
  ];
}

export function counterChecks(lib: CountersModule, data: CounterSuiteData): Check[] {
  return [...scenarioChecks(lib, data), ...designChecks(lib)];
}
