// The edge realm as a Matter node, on Node with UDP: a matter.js controller (test/peers/matter-controller-process.ts)
// commissions the realm over UDP on loopback by known address (the listener on '::', reached over IPv4), reads
// VendorName, invokes Toggle on 1/0x0006 and sees OnOff change through its subscription; a second process reconnects
// by CASE. Our CLI then commissions the same realm (a second fabric, with the realm's passcode) and invokes and reads
// by resumed CASE from new processes. PASE over HTTP and WebSocket still works on the realm; its fabrics persist in
// the realm's store across a restart; bad datagrams are refused and counted without touching the node.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import * as lib from '../src/node.js';
import { createEdgeLog } from '../src/edge/index.js';

await lib.ready();
const run = promisify(execFile);
const peer = fileURLToPath(new URL('./peers/matter-controller-process.ts', import.meta.url));
const cliMain = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

async function cli(args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', cliMain, ...args], { timeout: 90_000 });
  return JSON.parse(stdout);
}

async function matterJs(config: Record<string, unknown>): Promise<Record<string, any>> {
  const full = { logLevel: process.env.MATTER_CONTROLLER_LOG ?? 'warn', ...config };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', peer, JSON.stringify(full)], { timeout: 150_000, maxBuffer: 64 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `the peer printed no result:\n${stdout.slice(-4000)}`);
  const result = JSON.parse(line.slice('RESULT '.length));
  assert.equal(result.ok, true, `matter.js failed at ${result.step}: ${result.error}\n${stdout.slice(-4000)}`);
  return result;
}

async function client() {
  const sessions = await lib.SessionManager.create({});
  const exchanges = new lib.ExchangeManager(sessions);
  return { sessions, exchanges, receive: (m: Uint8Array, c: lib.MessageChannel) => exchanges.receive(m, c),
    close: async () => { exchanges.close(); await sessions.close(); } };
}

describe('an edge realm as a Matter node over UDP, HTTP and WebSocket', { timeout: 400_000 }, () => {
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  let controllerDir: string;
  let cliDir: string;
  let app: lib.DefaultLightApp;
  const errors: unknown[] = [];
  const refused: string[] = [];
  const opened: { kind: string; resumed: boolean }[] = [];
  const vendorName = `Edge ${Math.random().toString(36).slice(2, 8)}`;
  const passcode = 20202021 + Math.floor(Math.random() * 1000);

  const start = async (port = 0) => {
    app = lib.defaultLightApp();
    server = await lib.startNodeEdgeServer({
      realms: { home: { passcode, basicInformation: { vendorName }, node: { ...app.node, onError: (e) => errors.push(e) } } },
      port: 0, dataDir, udp: { realm: 'home', host: '::', port, onRefused: (error) => refused.push(error) },
    });
    const realm = (await server.edge.realm('home'))!;
    realm.sessions.events.on('sessionOpened', (session) => opened.push({ kind: session.kind, resumed: session.isResumption }));
    return realm;
  };
  const udpPort = () => server.udp!.address.port;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edge-node-'));
    controllerDir = await mkdtemp(join(tmpdir(), 'edge-node-mjs-'));
    cliDir = await mkdtemp(join(tmpdir(), 'edge-node-cli-'));
    await start();
  });
  after(async () => {
    await server?.close();
    for (const dir of [dataDir, controllerDir, cliDir]) await rm(dir, { recursive: true, force: true });
  });

  it('listens on UDP on "::" for IPv6 and IPv4; the realm is a node with the light on endpoint 1, window open', async () => {
    const realm = (await server.edge.realm('home'))!;
    assert.equal(server.udp!.realm, 'home');
    assert.equal(server.udp!.address.host, '::');
    assert.ok(realm.node, 'the realm has a Matter node');
    assert.equal(realm.node.commissioned, false);
    assert.equal(realm.node.window.isOpen, true);
    assert.equal(realm.node.attestation.test, true, 'the default app runs with test attestation');
  });

  it('a matter.js controller commissions the realm over UDP, reads VendorName, toggles and sees OnOff reported', async (t) => {
    opened.length = 0;
    const result = await matterJs({ host: '127.0.0.1', port: udpPort(), passcode, storagePath: controllerDir });
    const realm = (await server.edge.realm('home'))!;
    assert.deepEqual(opened.map((s) => s.kind), ['pase', 'case'], 'PASE to commission, then CASE');
    assert.equal(result.vendorName, vendorName);
    assert.equal(result.before, false);
    assert.equal(result.after, true, 'OnOff reported after Toggle');
    assert.equal(app.light.on, true, 'the light is on on the edge');
    assert.equal(realm.node!.fabrics.size, 1);
    assert.equal(realm.node!.window.isOpen, false, 'CommissioningComplete closed the node\'s window');
    assert.deepEqual(errors, []);
    t.diagnostic(`matter.js over UDP to the edge: ${JSON.stringify(result.steps)}`);
  });

  it('a second matter.js process reconnects by CASE, without commissioning again, and toggles back', async () => {
    opened.length = 0;
    const result = await matterJs({ host: '127.0.0.1', port: udpPort(), passcode, storagePath: controllerDir, mode: 'reconnect' });
    assert.equal(result.before, true);
    assert.equal(result.after, false);
    assert.equal(app.light.on, false);
    assert.ok(opened.some((s) => s.kind === 'case'));
    assert.ok(!opened.some((s) => s.kind === 'pase'));
    assert.deepEqual(errors, []);
  });

  it('our CLI commissions the realm over UDP (a second fabric) and invokes and reads by resumed CASE from new processes', async (t) => {
    const udp = `127.0.0.1:${udpPort()}`;
    const commissioned = await cli(['commission', '--udp', udp, '--passcode', String(passcode), '--data', cliDir, '--node-id', '0x2B']);
    assert.equal(commissioned.nodeId, '43');
    assert.equal(commissioned.vendorId, 0xfff1);
    const realm = (await server.edge.realm('home'))!;
    assert.equal(realm.node!.fabrics.size, 2, 'matter.js\'s fabric and ours');
    opened.length = 0;
    const before = await cli(['read', '--node', '43', '--data', cliDir, '--udp', udp, '1/0x0006/0']);
    assert.equal(before.value, false);
    const toggled = await cli(['invoke', '--node', '43', '--data', cliDir, '--udp', udp, '1/0x0006/0x02']);
    assert.equal(toggled.status, 'success');
    assert.equal(toggled.session.resumed, true);
    const afterToggle = await cli(['read', '--node', '43', '--data', cliDir, '--udp', udp, '1/0x0006/0']);
    assert.equal(afterToggle.value, true);
    assert.equal(afterToggle.session.resumed, true);
    assert.equal(app.light.on, true);
    assert.deepEqual(opened.map((s) => `${s.kind}${s.resumed ? '/resumed' : ''}`).filter((k) => k.startsWith('case')).slice(1),
      ['case/resumed', 'case/resumed'], 'the later processes resumed');
    const vendor = await cli(['read', '--node', '43', '--data', cliDir, '--udp', udp, '0/0x28/1']);
    assert.equal(vendor.value, vendorName);
    t.diagnostic(`CLI commission over UDP: ${JSON.stringify(commissioned.timings)}; resumed connect ${afterToggle.timings.connectMs} ms`);
  });

  it('PASE over HTTP and WebSocket still pairs with the realm\'s passcode and reads VendorName from the node', async () => {
    const c = await client();
    try {
      const http = new lib.HttpClientChannel(`${server.url}/realms/home/messages`, c.receive);
      const session = await lib.establishPase(c.exchanges, http, { passcode });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 0, cluster: 0x28, attribute: 1 })), vendorName);
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 1, cluster: 0x0006, attribute: 0 })), app.light.on);
      await lib.closeSession(c.exchanges, session);
      const ws = await lib.WebSocketClientChannel.connect(`${server.url.replace('http', 'ws')}/realms/home/ws`, c.receive,
        (url) => new WebSocket(url) as unknown as lib.WebSocketLike);
      const wsSession = await lib.establishPase(c.exchanges, ws, { passcode });
      assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, wsSession, { endpoint: 0, cluster: 0x28, attribute: 1 })), vendorName);
      ws.close();
    } finally {
      await c.close();
    }
  });

  it('bad datagrams are refused and counted; the node and its fabrics are untouched', async () => {
    const realm = (await server.edge.realm('home'))!;
    const fabrics = realm.node!.fabrics.size;
    const sessionsBefore = realm.sessions.getActiveSessionInformation().map((s) => s.sessionId).sort();
    refused.length = 0;
    const peers = server.udp!.peers;
    const socket = createSocket('udp4');
    try {
      // A secure message for a session that does not exist, and a truncated header.
      const unknown = new Uint8Array([0x00, 0x34, 0x12, 0x00, 1, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0]);
      for (const datagram of [unknown, new Uint8Array([0x00, 0x01])]) {
        await new Promise<void>((resolve, reject) => socket.send(datagram, udpPort(), '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      }
      for (let i = 0; i < 50 && refused.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      socket.close();
    }
    assert.equal(realm.node!.fabrics.size, fabrics);
    assert.deepEqual(refused.sort(), ['malformed-message', 'unknown-session']);
    assert.equal(server.udp!.peers, peers, 'the stranger\'s address left no channel behind');
    const sessionsAfter = realm.sessions.getActiveSessionInformation().map((s) => s.sessionId);
    assert.ok(sessionsAfter.every((id) => sessionsBefore.includes(id)), 'no session made by the bad datagrams');
  });

  it('the realm\'s fabrics persist in its store: after a restart, a resumed CASE read from the CLI works', async () => {
    const port = udpPort();
    await server.close();
    const realm = await start(port);
    assert.equal(realm.node!.fabrics.size, 2, 'both fabrics loaded from data/home');
    assert.equal(realm.node!.window.isOpen, false, 'a commissioned node opens no window at start');
    const read = await cli(['read', '--node', '43', '--data', cliDir, '--udp', `127.0.0.1:${port}`, '0/0x28/1']);
    assert.equal(read.value, vendorName);
  });
});

describe('npm start serves a virtual On/Off light over UDP', { timeout: 200_000 }, () => {
  it('reads UDP_PORT, UDP_REALM, DISCRIMINATOR; bad values are named', () => {
    assert.deepEqual(lib.nodeAppFromEnv({}, 'home'), { discriminator: 3840, udp: { realm: 'home', host: '::', port: 5540, optional: true } });
    assert.deepEqual(lib.nodeAppFromEnv({ UDP_PORT: '6000', DISCRIMINATOR: '17', UDP_REALM: 'lab', UDP_HOST: '127.0.0.1' }, 'home'),
      { discriminator: 17, udp: { realm: 'lab', host: '127.0.0.1', port: 6000, optional: false } });
    assert.equal(lib.nodeAppFromEnv({ UDP_PORT: 'off' }, 'home').udp, undefined);
    assert.throws(() => lib.nodeAppFromEnv({ UDP_PORT: '70000' }, 'home'), /UDP_PORT: expected an integer from 0 to 65535, got "70000"/);
    assert.throws(() => lib.nodeAppFromEnv({ DISCRIMINATOR: '4096' }, 'home'), /DISCRIMINATOR: expected an integer from 0 to 4095/);
    assert.throws(() => lib.nodeAppFromEnv({ DISCRIMINATOR: '-1' }, 'home'), /DISCRIMINATOR/);
  });

  it('the CLI commissions the light npm start serves over UDP and switches it on (the edge prints "light on")', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'edge-node-start-'));
    const data = await mkdtemp(join(tmpdir(), 'edge-node-start-cli-'));
    const main = fileURLToPath(new URL('../src/edge/node-main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main], { env: { ...process.env, DATA_DIR: cwd, PORT: '0', UDP_PORT: '0', UDP_HOST: '127.0.0.1', PASSCODE: '20202021' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
        child.stdout.on('data', () => { if (out.includes(' or: ')) { clearTimeout(timer); resolve(); } });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      assert.match(out, /TEST attestation \(development only\)/);
      const port = /udp:\s+realm home on \[127\.0\.0\.1\]:(\d+)/.exec(out)?.[1];
      assert.ok(port, out);
      const commissioned = await cli(['commission', '--udp', `127.0.0.1:${port}`, '--passcode', '20202021', '--data', data, '--node-id', '1']);
      assert.equal(commissioned.nodeId, '1');
      const on = await cli(['invoke', '--node', '1', '--data', data, '--udp', `127.0.0.1:${port}`, '1/0x0006/0x01']);
      assert.equal(on.status, 'success');
      for (let i = 0; i < 50 && !out.includes('light on'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(out, /light on/);
    } finally {
      child.kill('SIGTERM');
      await rm(cwd, { recursive: true, force: true });
      await rm(data, { recursive: true, force: true });
    }
  });
});

describe('the CLI commissions realms over HTTP and WebSocket and controls them by resumed CASE over the same', { timeout: 300_000 }, () => {
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  let cliDir: string;
  const lights = new Map<string, lib.DefaultLightApp>();
  const opened: string[] = [];
  const passcode = 20202021 + Math.floor(Math.random() * 1000);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'edge-node-web-'));
    cliDir = await mkdtemp(join(tmpdir(), 'edge-node-web-cli-'));
    const realm = (name: string) => {
      const app = lib.defaultLightApp();
      lights.set(name, app);
      return { passcode, basicInformation: { vendorName: `Vendor ${name}` }, node: app.node };
    };
    server = await lib.startNodeEdgeServer({ realms: { kitchen: realm('kitchen'), garage: realm('garage') }, port: 0, dataDir });
    for (const name of ['kitchen', 'garage']) {
      (await server.edge.realm(name))!.sessions.events.on('sessionOpened', (s) => opened.push(`${name}:${s.kind}${s.isResumption ? '/resumed' : ''}`));
    }
  });
  after(async () => {
    await server?.close();
    for (const dir of [dataDir, cliDir]) await rm(dir, { recursive: true, force: true });
  });

  for (const [flag, realm, nodeId] of [['--http', 'kitchen', '5'], ['--ws', 'garage', '6']] as const) {
    it(`${flag}: commission the ${realm} realm, then invoke Toggle and read OnOff and VendorName from new processes by resumed CASE`, async (t) => {
      const url = flag === '--http' ? `${server.url}/realms/${realm}/messages` : `${server.url.replace('http', 'ws')}/realms/${realm}/ws`;
      opened.length = 0;
      const commissioned = await cli(['commission', flag, url, '--passcode', String(passcode), '--data', cliDir, '--node-id', nodeId]);
      assert.equal(commissioned.nodeId, nodeId);
      assert.deepEqual(opened, [`${realm}:pase`, `${realm}:case`], 'PASE to commission, then CASE over the same transport');
      const node = (await server.edge.realm(realm))!.node!;
      assert.equal(node.fabrics.size, 1);
      opened.length = 0;
      // No address given: the controller reaches the node at the URL it stored at commissioning.
      const toggled = await cli(['invoke', '--node', nodeId, '--data', cliDir, '1/0x0006/0x02']);
      assert.equal(toggled.status, 'success');
      assert.equal(toggled.session.resumed, true);
      assert.equal(lights.get(realm)!.light.on, true);
      const onOff = await cli(['read', '--node', nodeId, '--data', cliDir, flag, url, '1/0x0006/0']);
      assert.equal(onOff.value, true);
      assert.equal(onOff.session.resumed, true);
      const vendor = await cli(['read', '--node', nodeId, '--data', cliDir, '0/0x28/1']);
      assert.equal(vendor.value, `Vendor ${realm}`);
      assert.deepEqual(opened, [`${realm}:case/resumed`, `${realm}:case/resumed`, `${realm}:case/resumed`]);
      t.diagnostic(`${flag}: commission ${commissioned.timings.totalMs} ms; resumed connect ${onOff.timings.connectMs} ms, read ${onOff.timings.readMs} ms`);
    });
  }

  it('each realm is its own node (one fabric, one light each); bad addresses are usage errors (exit 2)', async () => {
    for (const name of ['kitchen', 'garage']) {
      assert.equal(lights.get(name)!.light.on, true, `${name}: toggled once`);
      assert.deepEqual([...(await server.edge.realm(name))!.node!.fabrics.all()].length, 1);
    }
    for (const args of [['--http', 'ftp://x/realms/a/messages'], ['--ws', 'not a url'], ['--http', `${server.url}/realms/kitchen/messages`, '--udp', '127.0.0.1:5540']]) {
      await assert.rejects(run(process.execPath, ['--import', 'tsx', cliMain, 'read', '--node', '5', '--data', cliDir, ...args, '0/0x28/1'], { timeout: 60_000 }),
        (e: { code?: number; stderr?: string }) => e.code === 2 && /--http|--ws|one of/.test(e.stderr ?? ''), args.join(' '));
    }
  });
});

describe('a second administrator joins an edge realm through OpenCommissioningWindow (multi-admin)', { timeout: 120_000 }, () => {
  it('while the enhanced window is open PASE takes the administrator\'s passcode, not the realm\'s; afterwards the realm\'s again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'edge-node-admin-'));
    const app = lib.defaultLightApp();
    const realmPasscode = 20202021;
    const lines: string[] = [];
    const log = createEdgeLog({ level: 'debug', write: (line) => lines.push(line) });
    const server = await lib.startNodeEdgeServer({ realms: { den: { passcode: realmPasscode, node: app.node } }, port: 0, dataDir, log });
    const transport = () => lib.edgeControllerTransport({ webSocket: (url) => new WebSocket(url) as unknown as lib.WebSocketLike });
    const first = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: transport() });
    const second = await lib.MatterController.open({ storage: new lib.MemoryStore(), transport: transport() });
    const http: lib.NodeAddress = { transport: 'http', host: `${server.url}/realms/den/messages`, port: 0 };
    const ws: lib.NodeAddress = { transport: 'ws', host: `${server.url.replace('http', 'ws')}/realms/den/ws`, port: 0 };
    try {
      await first.commission({ address: http, passcode: realmPasscode, nodeId: 1n });
      const node = (await server.edge.realm('den'))!.node!;
      const adminPasscode = 34567890;
      const salt = crypto.getRandomValues(new Uint8Array(32));
      const verifier = lib.serializeVerifier(lib.computePasscodeVerifier(adminPasscode, salt, 1000));
      await first.invoke(1n, { endpoint: 0, ...lib.administratorCommissioning.openCommissioningWindow({
        commissioningTimeout: 180, pakePasscodeVerifier: verifier, discriminator: 1234, iterations: 1000, salt }) });
      assert.equal(node.window.status, lib.WindowStatus.enhancedWindowOpen);
      // A controller of another fabric cannot reach the node by CASE: refused, and logged at debug.
      const stranger = await second.transport.channelFor(http);
      await assert.rejects(lib.establishCase(second.exchanges, stranger, { fabric: second.fabric.caseFabric(), peerNodeId: 1n, timeoutMs: 5000 }));
      assert.ok(lines.some((l) => / DEBUG CASE handshake failed realm=den failure=/.test(l)), lines.join('\n'));
      await assert.rejects(second.commission({ address: ws, passcode: realmPasscode, nodeId: 2n }), 'the realm\'s passcode is not the window\'s');
      const joined = await second.commission({ address: ws, passcode: adminPasscode, nodeId: 2n });
      assert.ok(joined.fabricId > 0n);
      assert.equal(node.fabrics.size, 2);
      assert.equal(node.window.isOpen, false);
      await second.invoke(2n, { endpoint: 1, ...lib.onOff.toggle() });
      assert.equal(app.light.on, true);
      assert.equal(lib.tlvToPlainValue(await first.read(1n, { endpoint: 1, cluster: 0x0006, attribute: 0 })), true);
      // The window closed: PBKDFParamRequest goes to the realm's passcode responder again.
      const c = await client();
      try {
        const channel = new lib.HttpClientChannel(http.host, c.receive);
        const session = await lib.establishPase(c.exchanges, channel, { passcode: realmPasscode });
        assert.equal(lib.tlvToPlainValue(await lib.readAttribute(c.exchanges, session, { endpoint: 1, cluster: 0x0006, attribute: 0 })), true);
      } finally {
        await c.close();
      }
    } finally {
      await first.close();
      await second.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a UDP port asked for but taken', () => {
  it('fails the start with the bind error and leaves nothing open (the realm\'s store can be opened again)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'edge-node-busy-'));
    const holder = createSocket('udp4');
    await new Promise<void>((r) => holder.bind(0, '127.0.0.1', r));
    const port = holder.address().port;
    const options = { realms: { busy: { passcode: 20202021, node: lib.defaultLightApp().node } }, port: 0, dataDir };
    try {
      await assert.rejects(lib.startNodeEdgeServer({ ...options, udp: { realm: 'busy', host: '127.0.0.1', port } }), /EADDRINUSE/);
      const optional = await lib.startNodeEdgeServer({ ...options, udp: { realm: 'busy', host: '127.0.0.1', port, optional: true } });
      assert.equal(optional.udp, undefined);
      assert.match(optional.udpSkipped ?? '', /EADDRINUSE/);
      await optional.close();
    } finally {
      holder.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('workerd realm configuration: app', () => {
  it('"light" is kept for the Durable Object to build the node; anything else is a RealmConfigError naming the field', async () => {
    const { realmsFromEnv, RealmConfigError } = await import('../src/edge/workerd-config.js');
    const env = (realms: unknown) => ({ REALMS: {} as never, MATTER_REALMS: JSON.stringify(realms) });
    assert.deepEqual(realmsFromEnv(env({ home: { passcode: 20202021, app: 'light' } })), { home: { passcode: 20202021, app: 'light' } });
    assert.deepEqual(realmsFromEnv(env({ home: { passcode: 20202021 } })), { home: { passcode: 20202021 } });
    assert.throws(() => realmsFromEnv(env({ home: { passcode: 20202021, app: 'toaster' } })),
      (e: unknown) => e instanceof RealmConfigError && /MATTER_REALMS\.home\.app: expected "light", got "toaster"/.test((e as Error).message));
  });
});
