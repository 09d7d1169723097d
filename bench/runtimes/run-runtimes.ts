// Runs the portable core bench (portable-core-bench.ts) in every runtime, one process each: Node (this process),
// Deno and Bun (their npm binaries), workerd (miniflare) and Chromium (/usr/bin/chromium via playwright-core).
// Each runtime gets an esbuild bundle of the same source; a runtime that fails is reported with its error.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { chromium } from 'playwright-core';
import * as lib from '../../src/index.js';
import { serveDirectory } from '../../test/runtimes/static-server.js';
import { matterCcm } from './matter-ccm.js';
import { portableCoreBench, type PortableReport } from './portable-core-bench.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'test-output', 'bench');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

export type RuntimeResult = PortableReport | { runtime: string; error: string };

async function bundle(entry: string, outfile: string, wasmAsModules = false): Promise<string[]> {
  const wasm: string[] = [];
  await esbuild.build({
    entryPoints: [here(entry)], outfile, bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
    mainFields: ['module', 'main'], logLevel: 'silent',
    plugins: wasmAsModules ? [{
      name: 'wasm-modules',
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, (args) => {
          const file = resolve(args.resolveDir, args.path);
          wasm.push(file);
          return { path: `./${file.split('/').pop()}`, external: true };
        });
      },
    }] : [],
  });
  return wasm;
}

function runForLastLine(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolveLine, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolveLine(stdout.trimEnd().split('\n').pop() ?? '');
      else reject(new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

async function inDeno(file: string): Promise<PortableReport> {
  const args = ['run', '--no-prompt', '--no-lock', '--no-remote', '--cached-only', '--node-modules-dir=manual', `--allow-read=${root}`, file];
  return JSON.parse(await runForLastLine(bin('deno'), args, 180_000)) as PortableReport;
}

/** Node 20 with relaxed SIMD switched on (V8 11.3 has it behind a flag; Node 22's V8 ships it). */
async function inNodeRelaxed(file: string): Promise<PortableReport> {
  const report = JSON.parse(await runForLastLine(process.execPath, ['--experimental-wasm-relaxed-simd', file], 180_000)) as PortableReport;
  return { ...report, runtime: 'Node --experimental-wasm-relaxed-simd' };
}

async function inBun(file: string): Promise<PortableReport> {
  return JSON.parse(await runForLastLine(bin('bun'), ['run', '--no-install', file], 180_000)) as PortableReport;
}

async function inWorkerd(file: string, wasm: string[]): Promise<PortableReport> {
  const mf = new Miniflare({
    modulesRoot: out,
    modules: [
      { type: 'ESModule', path: file, contents: await readFile(file, 'utf8') },
      ...await Promise.all(wasm.map(async (w) => ({ type: 'CompiledWasm' as const, path: join(out, w.split('/').pop()!), contents: await readFile(w) }))),
    ],
    compatibilityDate: '2026-04-01',
  });
  try {
    const response = await mf.dispatchFetch('http://localhost/');
    const text = await response.text();
    if (!response.ok) throw new Error(`the Worker answered HTTP ${response.status}: ${text}`);
    return JSON.parse(text) as PortableReport;
  } finally {
    await mf.dispose();
  }
}

async function inChromium(file: string): Promise<PortableReport> {
  const page = join(out, 'core-bench.html');
  await writeFile(page, `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./${file.split('/').pop()}"></script>\n`);
  const server = await serveDirectory(root);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const tab = await browser.newPage();
    await tab.goto(`${server.origin}/test-output/bench/core-bench.html`);
    const handle = await tab.waitForFunction(() => (window as { __bench?: unknown }).__bench, undefined, { timeout: 180_000, polling: 200 });
    const result = await handle.jsonValue() as PortableReport & { error?: string };
    if (result.error) throw new Error(result.error);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The portable bench in each runtime, one after the other (never two at once: they would share the 2 cores). */
export async function benchAllRuntimes(only?: string[]): Promise<RuntimeResult[]> {
  await mkdir(out, { recursive: true });
  const cli = join(out, 'core-bench-cli.js'), worker = join(out, 'core-bench-worker.js'), pageJs = join(out, 'core-bench-page.js');
  await bundle('./cli-entry.ts', cli);
  const wasm = await bundle('./worker-entry.ts', worker, true);
  await bundle('./page-entry.ts', pageJs);
  const runs: Array<[string, () => Promise<PortableReport>]> = [
    ['Node', async () => { await lib.ready(); return portableCoreBench(lib, matterCcm, 'Node', process.version); }],
    ['Node-relaxed', () => inNodeRelaxed(cli)],
    ['Deno', () => inDeno(cli)],
    ['Bun', () => inBun(cli)],
    ['workerd', () => inWorkerd(worker, wasm)],
    ['Chromium', () => inChromium(pageJs)],
  ];
  const results: RuntimeResult[] = [];
  for (const [runtime, run] of runs) {
    if (only && !only.includes(runtime)) continue;
    try {
      results.push(await run());
    } catch (error) {
      results.push({ runtime, error: (error as Error).message });
    }
  }
  return results;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One markdown table: a row per runtime, 64 B and 1 KiB seal and open, ours / matter.js and the ratio. */
export function runtimeTable(results: RuntimeResult[]): string {
  const lines = [
    '| runtime | core build | 64 B seal: ours / matter.js | ratio | 64 B open | ratio | 1 KiB seal | ratio | 1 KiB open | ratio |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if ('error' in r) {
      lines.push(`| ${r.runtime} | failed: ${r.error.split('\n')[0]} |`);
      continue;
    }
    const cell = (payload: number, operation: string) => {
      const row = r.rows.find((x) => x.payload === payload && x.operation === operation)!;
      return `${fmt(row.ours / 1000)}k / ${fmt(row.matterJs / 1000)}k | ${fmt(row.ratio, 2)}x`;
    };
    lines.push(`| ${r.runtime} ${r.version} | ${r.coreBuild} | ${cell(64, 'seal')} | ${cell(64, 'open')} | ${cell(1024, 'seal')} | ${cell(1024, 'open')} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv.slice(2);
  const results = await benchAllRuntimes(only.length ? only : undefined);
  console.log(runtimeTable(results));
}
