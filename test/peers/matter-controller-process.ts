// A matter.js controller (@matter/main's ServerNode with the controller behaviour) as a test peer, in a process of
// its own (matter.js installs process-wide state, see matter-device-process.ts): it commissions the device at a
// known UDP address with a passcode (no mDNS needed for the address), reads VendorName, invokes On/Off Toggle on
// endpoint 1, reads OnOff back, and prints one JSON line with what it saw (or { error }) on stdout.
//   node --import tsx test/peers/matter-controller-process.ts '{"host":"127.0.0.1","port":5540,"passcode":20202021,"storagePath":"/tmp/x"}'

import { errorText, isolateMatterJs } from './peer-process.js';

interface ControllerProcessConfig {
  host: string;
  port: number;
  passcode: number;
  storagePath: string;
  logLevel?: string;
  /** 'commission' (default), or 'reconnect': a new process on the same storage reaches the node it commissioned. */
  mode?: 'commission' | 'reconnect' | 'decommission';
}

async function main(): Promise<Record<string, unknown>> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ControllerProcessConfig;
  await isolateMatterJs(cfg.storagePath);

  const { Environment, ServerNode, Logger, LogFormat, ControllerBehavior } = await import('@matter/main');
  const { PeerSet } = await import('@matter/main/protocol');
  const { OnOffClient } = await import('@matter/main/behaviors/on-off');
  const { BasicInformationClient } = await import('@matter/main/behaviors/basic-information');
  const env = Environment.default;
  env.vars.set('log.level', cfg.logLevel ?? 'warn');
  env.vars.set('log.format', 'plain');
  Logger.format = LogFormat.PLAIN;
  env.vars.set('storage.path', cfg.storagePath);
  env.vars.set('mdns.networkInterface', 'lo');

  const steps: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => { const now = performance.now(); steps[name] = Math.round(now - mark); mark = now; };
  // The controller behaviour is not part of a plain ServerNode's root endpoint: add it to the type.
  const node = await ServerNode.create(ServerNode.RootEndpoint.with(ControllerBehavior), {
    id: 'controller',
    network: { port: 0, listeningAddressIpv4: '127.0.0.1', listeningAddressIpv6: '::1' },
    commissioning: { enabled: false },
    controller: { adminFabricLabel: 'matter.js test peer' },
  } as never);
  let step = 'start';
  try {
    await node.start();
    lap('startMs');
    // No mDNS here (loopback has no multicast): the operational address of every peer is the known one, which
    // matter.js's connection logic uses as its fallback address (PeerConnection, "fallback").
    node.env.get(PeerSet).added.on((peer) => { peer.descriptor.operationalAddress = { type: 'udp', ip: cfg.host, port: cfg.port }; });
    let client;
    if (cfg.mode === 'decommission') {
      step = 'decommission';
      const known = [...node.peers].find((peer) => peer.lifecycle.isCommissioned);
      if (!known) throw new Error('no commissioned peer in the storage');
      await known.decommission();
      lap('decommissionMs');
      return { ok: true, steps };
    }
    if (cfg.mode === 'reconnect') {
      step = 'find the commissioned node';
      client = [...node.peers].find((peer) => peer.lifecycle.isCommissioned);
      if (!client) throw new Error(`no commissioned peer in the storage (${[...node.peers].length} peers)`);
    } else {
      step = 'commission';
      client = await node.peers.forDescriptor({ addresses: [{ type: 'udp', ip: cfg.host, port: cfg.port }] } as never);
      await client.commission({ passcode: cfg.passcode } as never);
      lap('commissionMs');
    }
    step = 'read VendorName';
    const vendorName = client.stateOf(BasicInformationClient).vendorName;
    step = 'endpoint 1';
    const light = client.endpoints.for(1);
    const before = light.stateOf(OnOffClient).onOff;
    step = 'invoke Toggle';
    await light.commandsOf(OnOffClient).toggle();
    lap('toggleMs');
    step = 'read OnOff';
    // The state follows the device through the subscription matter.js opened: wait for the report.
    const deadline = Date.now() + 10_000;
    while (light.stateOf(OnOffClient).onOff === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const after = light.stateOf(OnOffClient).onOff;
    lap('reportMs');
    return { ok: true, vendorName, before, after, steps };
  } catch (error) {
    return { ok: false, step, error: errorText(error), steps };
  } finally {
    await node.close().catch(() => {});
  }
}

main().then((result) => {
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
  setTimeout(() => process.exit(0), 200).unref();
}, (error) => {
  process.stdout.write(`\nRESULT ${JSON.stringify({ ok: false, step: 'setup', error: errorText(error) })}\n`);
  process.exit(1);
});
