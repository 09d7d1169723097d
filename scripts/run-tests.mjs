// `npm test`: the test files are listed here (Node 20's test runner does not expand globs, and an empty list
// would run zero tests and pass). Add new test files to this list.
import { spawnSync } from 'node:child_process';

const files = [
  'test/aes-tables.test.ts',
  'test/core-conformance.test.ts',
  'test/core-properties.test.ts',
  'test/tlv.test.ts',
  'test/crypto.test.ts',
  'test/spake2p.test.ts',
  'test/counters.test.ts',
  'test/storage.test.ts',
  'test/redis.test.ts',
  'test/session-conformance.test.ts',
  'test/session-manager.test.ts',
  'test/exchange.test.ts',
  'test/btp.test.ts',
  'test/manual-pairing-code.test.ts',
  'test/web/web-bluetooth-channel.test.ts',
  'test/pase.test.ts',
  'test/interaction.test.ts',
  'test/matter-device.test.ts',
  'test/interop-matter-js.test.ts',
  'test/edge.test.ts',
  'test/edge-runtimes.test.ts',
  'test/edge-fleet.test.ts',
  'test/web-bluetooth-e2e.test.ts',
  'test/web-edge-e2e.test.ts',
  'test/runtimes.test.ts',
];

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
