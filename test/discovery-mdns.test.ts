// DNS-SD on the wire (Matter Core spec §4.3 over mDNS, RFC 6762): the Node edge with `mdns` on advertises its
// realm's node on the first interface with multicast. A raw mDNS query sees the commissionable service with its
// subtypes and TXT; matter.js's controller (test/peers/matter-discovery-process.ts) finds the edge by discriminator
// alone and commissions it; the operational service `<CFID>-<NodeId>` then answers in place of the commissionable
// one; an administrator's window advertises CM=2; RemoveFabric takes the operational service away and the node is
// commissionable again; closing the server says goodbye (TTL 0).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as lib from '../src/node.js';
import { mdnsQuery, multicastInterface, type MdnsRecord } from './support/mdns-query.js';

await lib.ready();
const run = promisify(execFile);
const peer = fileURLToPath(new URL('./peers/matter-discovery-process.ts', import.meta.url));

async function matterJs(config: Record<string, unknown>): Promise<Record<string, any>> {
  const full = { logLevel: process.env.MATTER_CONTROLLER_LOG ?? 'warn', ...config };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', peer, JSON.stringify(full)], { timeout: Number(process.env.PEER_TIMEOUT ?? 150_000), maxBuffer: 64 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `the peer printed no result:\n${stdout.slice(-4000)}`);
  const result = JSON.parse(line.slice('RESULT '.length));
  assert.equal(result.ok, true, `matter.js failed at ${result.step}: ${result.error}\n${stdout.slice(-4000)}`);
  return result;
}

const hex16 = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
const lower = (s: string) => s.toLowerCase();

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('DNS-SD over mDNS: the edge found by discriminator and commissioned by matter.js', { timeout: 300_000 }, () => {
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  let controllerDir: string;
  let iface: { name: string; address: string };
  // Random per run, so concurrent runs on one host do not answer for each other.
  const discriminator = 1 + Math.floor(Math.random() * 3000);
  const passcode = 20202021 + Math.floor(Math.random() * 1000);
  const vendorName = `mDNS ${Math.random().toString(36).slice(2, 8)}`;
  const answers = (records: MdnsRecord[], name: string, type: MdnsRecord['type']) =>
    records.filter((r) => lower(r.name) === lower(name) && r.type === type && r.ttl > 0);

  before(async () => {
    const found = await multicastInterface();
    // No skip: a host without a multicast-capable interface cannot run this test, and it says so by failing.
    assert.ok(found, 'no non-internal IPv4 interface: mDNS needs one with multicast (loopback has none)');
    iface = found;
    dataDir = await mkdtemp(join(tmpdir(), 'dnssd-edge-'));
    controllerDir = await mkdtemp(join(tmpdir(), 'dnssd-mjs-'));
    const app = lib.defaultLightApp({ discriminator });
    server = await lib.startNodeEdgeServer({
      realms: { home: { passcode, basicInformation: { vendorName }, node: app.node } },
      port: 0, dataDir, udp: { realm: 'home', host: '::', port: 0 }, mdns: { interface: iface.name },
    });
  });

  after(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(controllerDir, { recursive: true, force: true });
  });

  it('a raw mDNS query for _L<discriminator> sees the commissionable service: subtypes, SRV port, TXT, address', async () => {
    assert.ok(server.mdns, 'the advertisement is on');
    const [name] = server.mdns.advertiser.names;
    assert.match(name!, /^[0-9A-F]{16}\._matterc\._udp$/);
    const instance = `${name}.local`;
    const records = await mdnsQuery(iface.address, `_L${discriminator}._sub._matterc._udp.local`, 1500);
    assert.deepEqual(answers(records, `_L${discriminator}._sub._matterc._udp.local`, 'PTR').map((r) => lower(r.data)).slice(0, 1), [lower(instance)]);
    const short = discriminator >> 8;
    for (const subtype of [`_S${short}`, '_V65521', '_T256', '_CM']) {
      assert.ok(answers(records, `${subtype}._sub._matterc._udp.local`, 'PTR').length > 0, `subtype ${subtype} announced`);
    }
    const srv = answers(records, instance, 'SRV')[0];
    assert.ok(srv, 'SRV record');
    const [, , port, host] = srv.data.split(' ');
    assert.equal(Number(port), server.udp!.address.port, 'the SRV port is the UDP listener\'s');
    assert.ok(answers(records, host!, 'A').some((r) => r.data === iface.address), `A record of ${host} is ${iface.address}`);
    const txt = answers(records, instance, 'TXT')[0]?.txt ?? [];
    assert.deepEqual(txt, [`D=${discriminator}`, 'CM=1', 'VP=65521+32768', 'DT=256', 'DN=matter-sessions virtual light', 'SII=500', 'SAI=300', 'SAT=4000']);
  });

  let nodeId = '';
  it('matter.js discovers the edge by discriminator only and commissions it; the operational service replaces the commissionable one', async () => {
    const result = await matterJs({ discriminator, passcode, storagePath: controllerDir, networkInterface: iface.name });
    assert.equal(result.vendorName, vendorName);
    nodeId = result.nodeId;
    assert.match(nodeId, /^0x[0-9a-f]+$/);
    const node = (await server.edge.realm('home'))!.node!;
    assert.equal(node.fabrics.size, 1);
    const [record] = node.fabrics.records();
    const cfid = hex16(node.fabrics.compressedFabricId(record!.fabricIndex)!);
    const expected = `${cfid}-${BigInt(nodeId).toString(16).toUpperCase().padStart(16, '0')}`;
    await until(() => server.mdns!.advertiser.names.join() === `${expected}._matter._tcp`, 'the operational service alone');
    const records = await mdnsQuery(iface.address, `_I${cfid}._sub._matter._tcp.local`, 1500);
    assert.deepEqual([...new Set(answers(records, `_I${cfid}._sub._matter._tcp.local`, 'PTR').map((r) => r.data))], [`${expected}._matter._tcp.local`]);
    assert.deepEqual(answers(records, `${expected}._matter._tcp.local`, 'TXT')[0]?.txt, ['SII=500', 'SAI=300', 'SAT=4000']);
    const commissionable = await mdnsQuery(iface.address, `_L${discriminator}._sub._matterc._udp.local`, 1000);
    assert.deepEqual(answers(commissionable, `_L${discriminator}._sub._matterc._udp.local`, 'PTR'), [], 'no commissionable answer once commissioned');
  });

  it('an administrator\'s window (OpenCommissioningWindow) is advertised with CM=2, and withdrawn when it closes', async () => {
    const node = (await server.edge.realm('home'))!.node!;
    node.window.openWithVerifier({ w0: new Uint8Array(32).fill(1), L: new Uint8Array(65).fill(4), salt: new Uint8Array(16).fill(7), iterations: 1000 } as never, 60_000, 1, 0xfff1);
    await until(() => server.mdns!.advertiser.names.some((n) => n.endsWith('._matterc._udp')), 'the enhanced window advertised');
    await server.mdns!.settled;
    const records = await mdnsQuery(iface.address, `_L${discriminator}._sub._matterc._udp.local`, 1500);
    const ptr = answers(records, `_L${discriminator}._sub._matterc._udp.local`, 'PTR')[0];
    assert.ok(ptr, 'the enhanced window answers');
    assert.ok(answers(records, ptr.data, 'TXT')[0]?.txt?.includes('CM=2'), 'CM=2 for an enhanced window');
    node.window.close();
    await until(() => !server.mdns!.advertiser.names.some((n) => n.endsWith('._matterc._udp')), 'the window withdrawn');
  });

  it('RemoveFabric (matter.js decommissions) withdraws the operational service; the node is commissionable again', async () => {
    const result = await matterJs({ discriminator, passcode, storagePath: controllerDir, networkInterface: iface.name, mode: 'decommission' });
    assert.equal(result.ok, true);
    await until(() => {
      const names = server.mdns!.advertiser.names;
      return names.length === 1 && names[0]!.endsWith('._matterc._udp');
    }, 'commissionable only');
    await server.mdns!.settled;
    const records = await mdnsQuery(iface.address, '_matter._tcp.local', 1000);
    assert.deepEqual(records.filter((r) => r.ttl > 0 && r.data.includes(BigInt(nodeId).toString(16).toUpperCase().padStart(16, '0'))), [],
      'no operational answer for the removed fabric');
  });

  it('closing the server sends goodbye records (TTL 0) for what it advertised', async () => {
    const [name] = server.mdns!.advertiser.names;
    const heard = mdnsQuery(iface.address, undefined, 2000);
    await new Promise((r) => setTimeout(r, 200));
    await server.close();
    const records = await heard;
    assert.ok(records.some((r) => r.ttl === 0 && r.type === 'PTR' && lower(r.data) === lower(`${name}.local`)), 'a goodbye PTR for the instance');
    server = undefined as never;
  });
});

describe('npm start with MDNS=1', { timeout: 60_000 }, () => {
  it('advertises the light by DISCRIMINATOR on MDNS_INTERFACE, at the UDP port it prints; MDNS=yes is refused', async () => {
    const iface = await multicastInterface();
    assert.ok(iface, 'no non-internal IPv4 interface: mDNS needs one with multicast');
    const cwd = await mkdtemp(join(tmpdir(), 'dnssd-start-'));
    const main = fileURLToPath(new URL('../src/edge/node-main.ts', import.meta.url));
    const discriminator = 3001 + Math.floor(Math.random() * 1000);
    const env = { ...process.env, DATA_DIR: cwd, PORT: '0', UDP_PORT: '0', DISCRIMINATOR: String(discriminator), MDNS_INTERFACE: iface.name };
    const refused = await run(process.execPath, ['--import', 'tsx', main], { env: { ...env, MDNS: 'yes' } }).then(() => undefined, (error) => error);
    assert.equal(refused?.code, 2);
    assert.match(refused.stderr, /MDNS: expected 1 \(advertise over DNS-SD\) or 0, got "yes"/);
    const child = spawn(process.execPath, ['--import', 'tsx', main], { env: { ...env, MDNS: '1' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    try {
      await until(() => out.includes(' or: '), `the banner (got: ${out})`, 30_000);
      assert.match(out, /mdns:\s+on \(_matterc\._udp while commissionable, _matter\._tcp per fabric, interface /);
      const port = Number(/udp:\s+realm home on \[[^\]]+\]:(\d+)/.exec(out)?.[1]);
      assert.ok(port > 0, out);
      const name = `_L${discriminator}._sub._matterc._udp.local`;
      let records: MdnsRecord[] = [];
      // ciao probes for about a second before it answers: ask again until it does.
      for (let i = 0; i < 5 && !records.some((r) => r.type === 'SRV'); i++) records = await mdnsQuery(iface.address, name, 1000);
      const ptr = records.find((r) => r.type === 'PTR' && r.name.toLowerCase() === name.toLowerCase() && r.ttl > 0);
      assert.ok(ptr, 'the light answers its discriminator');
      const srv = records.find((r) => r.type === 'SRV' && r.name.toLowerCase() === ptr.data.toLowerCase());
      assert.equal(Number(srv?.data.split(' ')[2]), port);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(cwd, { recursive: true, force: true });
    }
  });
});

describe('MdnsAdvertiser', { timeout: 60_000 }, () => {
  it('two advertisers in one process (one shared ciao responder) keep their exact instance names; bad options are refused', async () => {
    const iface = await multicastInterface();
    assert.ok(iface, 'no non-internal IPv4 interface: mDNS needs one with multicast');
    await assert.rejects(lib.MdnsAdvertiser.start({ port: 0 }), /mdns.port: expected 1 to 65535, got 0/);
    await assert.rejects(lib.MdnsAdvertiser.start({ port: 5540, hostname: 'a.b' }), /mdns.hostname: expected one DNS label/);
    const errors: unknown[] = [];
    const options = { port: 5540, interface: iface.name, hostname: 'ABCDEF012345', onError: (e: unknown) => errors.push(e) };
    const [a, b] = await Promise.all([lib.MdnsAdvertiser.start(options), lib.MdnsAdvertiser.start({ ...options, port: 5541 })]);
    const mrp = { idleInterval: 500, activeInterval: 300, activeThreshold: 4000 };
    const cfid = globalThis.crypto.getRandomValues(new Uint8Array(8));
    const one = lib.operationalService({ compressedFabricId: cfid, nodeId: 1n, sessionParameters: mrp });
    const two = lib.operationalService({ compressedFabricId: cfid, nodeId: 2n, sessionParameters: mrp });
    await a.publish([one]);
    await b.publish([two]);
    assert.deepEqual([a.names, b.names], [[`${one.instance}._matter._tcp`], [`${two.instance}._matter._tcp`]]);
    // A TXT change is an update in place, not a new service.
    await a.publish([{ ...one, txt: { ...one.txt, SII: '800' } }]);
    const records = await mdnsQuery(iface.address, `_I${one.subtypes[0]!.slice(2)}._sub._matter._tcp.local`, 1500);
    const txt = records.filter((r) => r.type === 'TXT' && r.name === `${one.instance}._matter._tcp.local` && r.ttl > 0).at(-1)?.txt;
    assert.deepEqual(txt, ['SII=800', 'SAI=300', 'SAT=4000']);
    assert.ok(records.some((r) => r.type === 'PTR' && r.data === `${two.instance}._matter._tcp.local`), 'the second advertiser answers too');
    await a.close();
    await b.close();
    assert.deepEqual(errors, []);
  });
});
