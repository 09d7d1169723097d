// The package as npm publishes it (after `npm run build`): not private, licensed (LICENSE, Apache-2.0), holding only
// what a consumer needs; installed from its tarball (extracted, offline) into a project that type-checks against
// '.', './node' and './edge' with Node's types and no DOM lib, and runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = process.cwd();
// Inside the repository (test-output is ignored), so the package's own dependencies resolve from its node_modules.
const project = join(root, 'test-output', `consumer-${process.pid}`);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface PackResult { filename: string; files: Array<{ path: string }> }

const CONSUMER = `import { ready, AesCcmKey, SessionManager } from 'matter-sessions';
import { startNodeEdgeServer, UdpTransport } from 'matter-sessions/node';
import { createEdgeApp, createEdgeLog, type EdgeAppOptions } from 'matter-sessions/edge';

await ready();
const key: AesCcmKey = new AesCcmKey(new Uint8Array(16));
const sealed: Uint8Array = key.seal(new Uint8Array(13), new Uint8Array([1, 2, 3]));
const sessions: SessionManager = await SessionManager.create({});
const options: EdgeAppOptions = { realms: { home: { passcode: 20202021 } }, log: createEdgeLog({ level: 'silent' }) };
const edge = createEdgeApp(options);
export const start: typeof startNodeEdgeServer = startNodeEdgeServer;
export const udp: typeof UdpTransport.bind = UdpTransport.bind;
// The types are real, not any: a passcode must be a number.
// @ts-expect-error
export const wrong: EdgeAppOptions = { realms: { home: { passcode: 'twenty' } } };
console.log(JSON.stringify({ sealed: sealed.length, status: (await edge.app.request('/healthz')).status }));
await sessions.close();
await edge.close();
`;

async function typecheck(skipLibCheck: boolean): Promise<string[]> {
  const config = {
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'],
      strict: true, noEmit: true, skipLibCheck,
    },
    files: ['consumer.ts'],
  };
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify(config));
  try {
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project });
    return [];
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error).split('\n').filter((line) => /error TS\d+/.test(line));
  }
}

describe('the published package', () => {
  let packed: PackResult;

  before(async () => {
    await mkdir(join(project, 'node_modules', 'matter-sessions'), { recursive: true });
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: root });
    packed = (JSON.parse(stdout) as PackResult[])[0]!;
    await run('tar', ['-xzf', join(project, packed.filename), '-C', join(project, 'node_modules', 'matter-sessions'), '--strip-components=1']);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await writeFile(join(project, 'consumer.ts'), CONSUMER);
  });
  after(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('can be published: not private, Apache-2.0 with its LICENSE, tarballs ignored by git', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.private, undefined);
    assert.equal(manifest.license, 'Apache-2.0');
    const license = await readFile(join(root, 'LICENSE'), 'utf8');
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(license, /END OF TERMS AND CONDITIONS/);
    assert.ok((await readFile(join(root, '.gitignore'), 'utf8')).split('\n').includes('*.tgz'));
  });

  it('holds only what a consumer needs', () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'build/matter-sessions.wasm', 'dist/index.js', 'dist/index.d.ts',
      'dist/node.js', 'dist/node.d.ts', 'dist/edge/index.js', 'dist/edge/index.d.ts', 'dist/web.js', 'dist/workerd.js', 'dist/cli/main.js']) {
      assert.ok(paths.includes(needed), `the tarball has ${needed}`);
    }
    for (const build of ['relaxed', 'compact', 'compact-relaxed']) assert.ok(paths.includes(`build/matter-sessions-${build}.wasm`), `the ${build} core build`);
    const extra = paths.filter((p) => !/^(package\.json|README\.md|LICENSE|build\/matter-sessions(-relaxed|-compact|-compact-relaxed)?\.wasm|dist\/.+\.(js|d\.ts))$/.test(p));
    assert.deepEqual(extra, [], 'no sources, tests, source maps, web app or benchmarks');
  });

  it('type-checks a consumer with Node\'s types and no DOM lib; the types are real', async () => {
    assert.deepEqual(await typecheck(true), []);
  });

  it('with skipLibCheck off, nothing in the package\'s own declarations needs the DOM lib', async () => {
    const errors = await typecheck(false);
    assert.deepEqual(errors.filter((line) => line.includes('matter-sessions/')), []);
    // What remains is hono's WebSocket helper (MessageEvent<T>, CloseEvent, BinaryType), which is hono's to fix.
    assert.deepEqual(errors.filter((line) => !line.includes('hono/dist/types/helper/websocket/')), []);
  });

  it('runs from the tarball: the wasm loads, an edge app answers', async () => {
    await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', 'false', '--skipLibCheck', '--outDir', '.'], { cwd: project });
    const { stdout } = await run(process.execPath, ['consumer.js'], { cwd: project });
    assert.deepEqual(JSON.parse(stdout), { sealed: 19, status: 200 });
  });
});
