// A matter.js controller as a test peer that finds the device the way a phone app does (Matter Core spec §4.3.1,
// §5.5): by its discriminator over DNS-SD, with no address given. 'commission' browses `_L<discriminator>`,
// commissions the first answer with the passcode and reads VendorName; 'decommission' (a new process on the same
// storage) removes its fabric from the node (RemoveFabric). Prints one line `RESULT {json}` on stdout.
//   node --import tsx test/peers/matter-discovery-process.ts '{"discriminator":1234,"passcode":20202021,"storagePath":"/tmp/x","networkInterface":"eth0"}'

import { errorText, isolateMatterJs } from './peer-process.js';

interface DiscoveryProcessConfig {
  discriminator: number;
  passcode: number;
  storagePath: string;
  networkInterface: string;
  mode?: 'commission' | 'decommission';
  logLevel?: string;
}

async function main(): Promise<Record<string, unknown>> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as DiscoveryProcessConfig;
  await isolateMatterJs(cfg.storagePath);

  const { Environment, ServerNode, Logger, LogFormat, ControllerBehavior } = await import('@matter/main');
  const { BasicInformationClient } = await import('@matter/main/behaviors/basic-information');
  const env = Environment.default;
  env.vars.set('log.level', cfg.logLevel ?? 'warn');
  env.vars.set('log.format', 'plain');
  Logger.format = LogFormat.PLAIN;
  env.vars.set('storage.path', cfg.storagePath);
  // The interface with multicast (loopback has none): matter.js's mDNS scanner browses there.
  env.vars.set('mdns.networkInterface', cfg.networkInterface);

  const node = await ServerNode.create(ServerNode.RootEndpoint.with(ControllerBehavior), {
    id: 'controller',
    network: { port: 0 },
    commissioning: { enabled: false },
    controller: { adminFabricLabel: 'matter.js discovery peer' },
  } as never);
  let step = 'start';
  const started = performance.now();
  try {
    await node.start();
    if (cfg.mode === 'decommission') {
      step = 'decommission';
      const known = [...node.peers].find((peer) => peer.lifecycle.isCommissioned);
      if (!known) throw new Error('no commissioned peer in the storage');
      await known.decommission();
      return { ok: true };
    }
    step = 'discover by discriminator and commission';
    const client = await node.peers.commission({ passcode: cfg.passcode, discriminator: cfg.discriminator, timeout: 30_000 } as never);
    const commissionMs = Math.round(performance.now() - started);
    step = 'read VendorName';
    const vendorName = client.stateOf(BasicInformationClient).vendorName;
    const commissioning = client.maybeStateOf('commissioning') as { peerAddress?: { nodeId: bigint }; addresses?: unknown[]; descriptor?: Record<string, unknown> } | undefined;
    return {
      ok: true, vendorName, commissionMs,
      nodeId: commissioning?.peerAddress ? `0x${BigInt(commissioning.peerAddress.nodeId).toString(16)}` : undefined,
      addresses: commissioning?.addresses,
      discovery: commissioning?.descriptor,
    };
  } catch (error) {
    return { ok: false, step, error: errorText(error) };
  } finally {
    await node.close().catch(() => {});
  }
}

main().then((result) => {
  process.stdout.write(`\nRESULT ${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}\n`);
  setTimeout(() => process.exit(0), 200).unref();
}, (error) => {
  process.stdout.write(`\nRESULT ${JSON.stringify({ ok: false, step: 'setup', error: errorText(error) })}\n`);
  process.exit(1);
});
