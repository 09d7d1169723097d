// `npm test`: the test files are listed here (Node 20's test runner does not expand globs, and an empty list
// would run zero tests and pass). Add new test files to this list.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// The tests need two system programs: Chromium (browser tests) and redis-server (fleet tests). On a fresh Debian
// machine they are installed here, so `npm test` alone sets everything up; elsewhere the message says what to do.
const hasCommand = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
const missing = ['chromium', 'redis-server'].filter((name) => !hasCommand(name));
if (missing.length > 0) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(`npm test needs ${missing.join(' and ')}: install the Debian packages ${missing.join(' ')} (apt-get install -y ${missing.join(' ')})`);
    process.exit(1);
  }
  console.log(`installing ${missing.join(', ')} (Debian packages)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
    const step = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (step.status !== 0) process.exit(step.status ?? 1);
  }
}

const files = [
  'test/aes-tables.test.ts',
  'test/core-conformance.test.ts',
  'test/core-properties.test.ts',
  'test/tlv.test.ts',
  'test/crypto.test.ts',
  'test/p256.test.ts',
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
  'test/case-messages.test.ts',
  'test/case.test.ts',
  'test/case-interop-matter-js.test.ts',
  'test/interaction.test.ts',
  'test/interaction-messages.test.ts',
  'test/interaction-server.test.ts',
  'test/matter-device.test.ts',
  'test/interop-matter-js.test.ts',
  'test/controller-interop.test.ts',
  'test/cli-fields.test.ts',
  'test/interop-interaction.test.ts',
  'test/edge.test.ts',
  'test/edge-runtimes.test.ts',
  'test/edge-fleet.test.ts',
  'test/edge-case-resumption.test.ts',
  'test/device-pase-access.test.ts',
  'test/edge-udp-peers.test.ts',
  'test/cli-subscribe.test.ts',
  'test/edge-fleet-store-loss.test.ts',
  'test/web-bluetooth-e2e.test.ts',
  'test/web-edge-e2e.test.ts',
  'test/credentials-conformance.test.ts',
  'test/credentials.test.ts',
  'test/device-attestation.test.ts',
  'test/runtimes.test.ts',
  'test/core-p256-native.test.ts',
  'test/core-builds.test.ts',
  'test/core-key-pair.test.ts',
  'test/device-commissioning.test.ts',
  'test/device-fail-safe.test.ts',
  'test/device-access-control.test.ts',
  'test/device-interop-matter-js.test.ts',
  'test/edge-guard.test.ts',
  'test/cli.test.ts',
  'test/package.test.ts',
  'test/edge-limits.test.ts',
  'test/edge-node.test.ts',
  'test/edge-node-fleet.test.ts',
  'test/edge-fleet-handshakes.test.ts',
  'test/edge-fleet-commissioning.test.ts',
  'test/edge-node-runtimes.test.ts',
  'test/discovery.test.ts',
  'test/discovery-mdns.test.ts',
  'test/session-hot-path.test.ts',
];

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
