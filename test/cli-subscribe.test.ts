// `matter-sessions subscribe` (src/cli/subscribe-command.ts) against an edge realm that is a Matter node, over its
// WebSocket: the priming report, then the report of a Toggle invoked by another CLI process (another fabric), one
// JSON line each; --count ends the run with exit 0, as SIGINT and SIGTERM do; bad arguments are usage errors (exit 2).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as lib from '../src/node.js';

await lib.ready();
const run = promisify(execFile);
const cliMain = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

async function cli(args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', cliMain, ...args], { timeout: 90_000 });
  return JSON.parse(stdout);
}

/** A running `subscribe`: its JSON lines as they come, and its exit. */
function subscribeProcess(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', cliMain, 'subscribe', ...args]);
  const lines: Record<string, any>[] = [];
  let buffered = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, end)));
      buffered = buffered.slice(end + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })));
  const lineCount = async (n: number, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (lines.length < n) {
      if (Date.now() > deadline) throw new Error(`no line ${n} within ${ms} ms; stdout ${JSON.stringify(lines)}; stderr ${stderr}`);
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} after ${lines.length} lines: ${stderr}`);
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 200); });
    }
  };
  return { child, lines, exited, lineCount, stderr: () => stderr };
}

describe('matter-sessions subscribe', { timeout: 300_000 }, () => {
  let server: lib.NodeEdgeServer;
  let dataDir: string;
  let watcher: string;
  let switcher: string;
  let ws: string;
  let app: lib.DefaultLightApp;
  const passcode = 20202021 + Math.floor(Math.random() * 1000);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cli-sub-'));
    watcher = await mkdtemp(join(tmpdir(), 'cli-sub-a-'));
    switcher = await mkdtemp(join(tmpdir(), 'cli-sub-b-'));
    app = lib.defaultLightApp();
    server = await lib.startNodeEdgeServer({ realms: { den: { passcode, node: app.node } }, port: 0, dataDir });
    ws = `${server.url.replace('http', 'ws')}/realms/den/ws`;
    // Two controllers (two fabrics): one watches, the other switches the light; each CLI run holds its --data.
    await cli(['commission', '--ws', ws, '--passcode', String(passcode), '--data', watcher, '--node-id', '1']);
    await cli(['commission', '--ws', ws, '--passcode', String(passcode), '--data', switcher, '--node-id', '1']);
  });
  after(async () => {
    await server?.close();
    for (const dir of [dataDir, watcher, switcher]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the priming report, then the report of a Toggle from another CLI process; --count 2 ends it (exit 0)', async () => {
    const sub = subscribeProcess(['--node', '1', '--data', watcher, '1/0x0006/0', '--min', '0', '--max', '30', '--count', '2']);
    await sub.lineCount(1);
    const [priming] = sub.lines;
    assert.equal(priming!.priming, true);
    assert.equal(priming!.report, 1);
    assert.equal(priming!.session.resumed, true, 'CASE resumed from the record commission stored');
    assert.ok(priming!.maxInterval >= 30);
    assert.deepEqual(priming!.attributes.map((a: any) => [a.endpoint, a.cluster, a.attribute, a.value]), [[1, 6, 0, false]]);
    const toggled = await cli(['invoke', '--node', '1', '--data', switcher, '1/0x0006/0x02']);
    assert.equal(toggled.status, 'success');
    assert.equal(app.light.on, true);
    await sub.lineCount(2);
    const { code } = await sub.exited;
    assert.equal(code, 0, sub.stderr());
    const report = sub.lines[1]!;
    assert.equal(report.priming, false);
    assert.equal(report.report, 2);
    assert.equal(report.subscriptionId, priming!.subscriptionId);
    assert.deepEqual(report.attributes.map((a: any) => [a.endpoint, a.cluster, a.attribute, a.value]), [[1, 6, 0, true]]);
    assert.equal(sub.lines.length, 2, 'nothing printed after the count');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} ends a subscription cleanly: exit 0, its session closed at the realm`, async () => {
      const realm = (await server.edge.realm('den'))!;
      const caseSessions = () => realm.sessions.getActiveSessionInformation().filter((s) => s.kind === 'case').length;
      const before = caseSessions();
      const sub = subscribeProcess(['1', '1/0x0006/0', '--data', watcher, '--duration', '120']);
      await sub.lineCount(1);
      assert.equal(sub.lines[0]!.priming, true);
      assert.equal(caseSessions(), before + 1, 'the subscriber\'s CASE session is open');
      const sent = Date.now();
      sub.child.kill(signal);
      const { code } = await sub.exited;
      assert.equal(code, 0, sub.stderr());
      assert.ok(Date.now() - sent < 15_000, 'it ended at once, not at --duration');
      for (let i = 0; i < 50 && caseSessions() > before; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(caseSessions(), before, 'CloseSession reached the realm');
    });
  }

  it('--help shows it; bad arguments are usage errors (exit 2) naming the flag', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cliMain, 'subscribe', '--help'], { timeout: 60_000 });
    assert.match(stdout, /matter-sessions subscribe --node ID --data DIR/);
    assert.match(stdout, /--count N \| --duration S/);
    const cases: Array<[string[], RegExp]> = [
      [['--node', '1', '--data', watcher, '1/6/0', '--count', '2', '--duration', '5'], /--count N or --duration S, not both/],
      [['--node', '1', '--data', watcher, '1/6/0', '--min', '10', '--max', '5'], /--min \(10 s\) must not exceed --max \(5 s\)/],
      [['--node', '1', '--data', watcher, '1/6/0', '--max', '70000'], /--max: expected whole seconds from 0 to 65535/],
      [['--node', '1', '--data', watcher, '1/6/0', '--count', '0'], /--count: expected a number above 0/],
      [['--node', '1', '--data', watcher, '1/6/0', '--http', `${server.url}/realms/den/messages`], /--http: an HTTP endpoint .* cannot push reports/],
      [['--data', watcher, '1/6/0'], /--node is required/],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(run(process.execPath, ['--import', 'tsx', cliMain, 'subscribe', ...args], { timeout: 60_000 }),
        (e: { code?: number; stderr?: string }) => e.code === 2 && message.test(e.stderr ?? ''), args.join(' '));
    }
  });
});
