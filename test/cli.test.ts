// What a new user hits with the built CLI (dist/cli/main.js; `npm run build` first) and with `npm start`: usage on
// --help, connection failures that name the URL and the cause, an unknown realm over WebSocket, a URL that is not a
// Matter endpoint, a failed --read that still closes its session, a closed commissioning window in words, and the
// server's log lines and shutdown.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as lib from '../src/node.js';
import { attack } from './support/pase-attacker.js';

await lib.ready();
const PASSCODE = 20202021;
const CLI = join(process.cwd(), 'dist/cli/main.js');

interface Run { code: number; stdout: string; stderr: string; ms: number }

function cli(...args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe('the CLI, as a new user meets it', () => {
  let server: lib.NodeEdgeServer;
  let html: Server;
  let htmlUrl: string;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cli-test-'));
    server = await lib.startNodeEdgeServer({
      realms: { home: { passcode: PASSCODE }, locked: { passcode: PASSCODE } }, port: 0, dataDir,
    });
    html = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Router admin</title><h1>Welcome</h1>');
    });
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    htmlUrl = `http://127.0.0.1:${(html.address() as { port: number }).port}/`;
  });
  after(async () => {
    await server.close();
    await new Promise((r) => html.close(r));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('--help, -h, help and pair --help print the usage and exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help'], ['pair', '--help'], ['pair', '-h'], ['commission', '--help'], ['invoke', '-h']]) {
      const run = await cli(...args);
      assert.equal(run.code, 0, args.join(' '));
      assert.match(run.stdout, /^usage:\n  matter-sessions pair \(--udp HOST:PORT \| --http URL \| --ws URL\) --passcode N/, args.join(' '));
      assert.match(run.stdout, /matter-sessions commission \(--udp HOST:PORT \| --http URL \| --ws URL\) --passcode N --data DIR/, args.join(' '));
      assert.equal(run.stderr, '');
    }
    const bad = await cli('pear');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown command "pear"/);
  });

  /** A port nothing listens on (just closed). */
  const closedPort = async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    return port;
  };

  it('an HTTP connection failure names the URL and the cause, not "TypeError: fetch failed"', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/realms/home/messages`;
    const run = await cli('pair', '--http', url, '--passcode', String(PASSCODE));
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `matter-sessions: could not reach ${url}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  it('a WebSocket connection failure names the URL and the cause', async () => {
    const port = await closedPort();
    const url = `ws://127.0.0.1:${port}/realms/home/ws`;
    const run = await cli('pair', '--ws', url, '--passcode', String(PASSCODE));
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `matter-sessions: could not connect to ${url}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  it('an unknown realm over WebSocket says "no realm", not unreachable', async () => {
    const url = `${server.url.replace('http', 'ws')}/realms/nope/ws`;
    const run = await cli('pair', '--ws', url, '--passcode', String(PASSCODE));
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`^matter-sessions: ${url}: no realm "nope" there \\(HTTP 404.*\\)\n$`));
    assert.doesNotMatch(run.stderr, /unreachable|could not connect/);
  });

  it('an unknown realm over HTTP: the edge\'s answer, and no "http:http://"', async () => {
    const url = `${server.url}/realms/nope/messages`;
    const run = await cli('pair', '--http', url, '--passcode', String(PASSCODE));
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `matter-sessions: ${url} answered HTTP 404: unknown-realm: no realm "nope"\n`);
    assert.doesNotMatch(run.stderr, /http:http:/);
  });

  it('client channels are named by their URL alone, so no message says "http:http://" or "ws:ws://"', async () => {
    const url = `${server.url}/realms/home/messages`;
    assert.equal(new lib.HttpClientChannel(url, () => {}).name, url);
    const ws = `${server.url.replace('http', 'ws')}/realms/home/ws`;
    const { WebSocket } = await import('ws');
    const channel = await lib.WebSocketClientChannel.connect(ws, () => {}, (u) => new WebSocket(u) as unknown as lib.WebSocketLike);
    assert.equal(channel.name, ws);
    channel.close();
  });

  it('a URL that is not a Matter endpoint (HTML, 200) fails at once, not after the 10 s answer timeout', async () => {
    const run = await cli('pair', '--http', htmlUrl, '--passcode', String(PASSCODE));
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`^matter-sessions: ${htmlUrl} is not a Matter endpoint: it answered 200 with text/html, not application/octet-stream`));
    assert.ok(run.ms < 5000, `failed after ${Math.round(run.ms)} ms`);
  });

  it('a failed --read still closes the session it opened', async () => {
    const realm = (await server.edge.realm('home'))!;
    const closed: string[] = [];
    realm.sessions.events.on('sessionClosed', (_s, reason) => closed.push(reason));
    const run = await cli('pair', '--http', `${server.url}/realms/home/messages`, '--passcode', String(PASSCODE), '--read', '7/0x28/1');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /unsupported ?endpoint|unsupportedEndpoint|0x7f/i);
    assert.deepEqual(closed, ['peer-closed'], 'the CLI sent CloseSession');
    assert.equal(realm.openSessions, 0);
  });

  it('a closed commissioning window: "commissioning window closed, retry in N s"', async () => {
    const sessions = await lib.SessionManager.create({});
    const exchanges = new lib.ExchangeManager(sessions);
    try {
      const channel = new lib.HttpClientChannel(`${server.url}/realms/locked/messages`, (m, c) => exchanges.receive(m, c));
      for (let n = 0; n < 20; n++) await attack(exchanges, channel, 'wrong-ca');
    } finally {
      exchanges.close();
      await sessions.close();
    }
    const run = await cli('pair', '--http', `${server.url}/realms/locked/messages`, '--passcode', String(PASSCODE));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^matter-sessions: commissioning window closed, retry in (9|10) s \(/);
  });

  it('pairs and reads as before', async () => {
    const run = await cli('pair', '--http', `${server.url}/realms/home/messages`, '--passcode', String(PASSCODE), '--read', '0/0x28/1');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).value, 'matter-sessions');
  });
});

describe('npm start: log lines and shutdown', () => {
  it('logs sessions at LOG_LEVEL, and SIGTERM closes them and says so', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'npm-start-log-'));
    const child = spawn(process.execPath, [join(process.cwd(), 'dist/edge/node-main.js')], { cwd, env: { ...process.env, PORT: '0', LOG_LEVEL: 'debug' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const until = async (pattern: RegExp, what: string) => {
      const started = Date.now();
      while (!pattern.test(out)) {
        if (Date.now() - started > 15_000) throw new Error(`no ${what} in: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await until(/try:/, 'banner');
      assert.match(out, /log level: debug/);
      const url = /listening on (\S+)/.exec(out)![1]!;
      const sessions = await lib.SessionManager.create({});
      const exchanges = new lib.ExchangeManager(sessions);
      try {
        const channel = new lib.HttpClientChannel(`${url}/realms/home/messages`, (m, c) => exchanges.receive(m, c));
        await lib.establishPase(exchanges, channel, { passcode: PASSCODE });
        await attack(exchanges, channel, 'wrong-ca');
      } finally {
        exchanges.close();
        await sessions.close();
      }
      await until(/WARN handshake failed/, 'handshake failure line');
      assert.match(out, /^\S+Z INFO session opened realm=home id=\d+ peer=\d+ kind=pase channel=http:home$/m);
      assert.match(out, /^\S+Z WARN handshake failed realm=home failure=wrong-passcode stage=awaiting-pake3 counted=true detail=/m);
      child.kill('SIGTERM');
      await until(/stopped/, 'shutdown line');
      assert.match(out, /^\S+Z INFO shutting down signal=SIGTERM sessions=1$/m);
      assert.match(out, /^\S+Z INFO session closed realm=home id=\d+ reason=\S+ seconds=[\d.]+$/m);
      assert.match(out, /^matter-sessions edge: SIGTERM: closed 1 session, stopped$/m);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('a LOG_LEVEL that does not exist is refused with the levels that do', async () => {
    const run = await new Promise<Run>((resolve) => execFile(process.execPath, [join(process.cwd(), 'dist/edge/node-main.js')],
      { env: { ...process.env, PORT: '0', LOG_LEVEL: 'loud' }, timeout: 15_000 },
      (error, stdout, stderr) => resolve({ code: (error?.code as number) ?? 0, stdout, stderr, ms: 0 })));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /LOG_LEVEL: expected one of debug, info, warn, error, silent, got "loud"/);
  });
});
