// workerd through miniflare: the Worker is bundled as wrangler would (export conditions workerd/worker/browser), with
// the package's .wasm builds left as module imports and handed to workerd as CompiledWasm modules.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForWorkerd, compiledWasmModules, type WorkerWasmModule } from './workerd-bundle.js';
import { Miniflare } from 'miniflare';
import { withTimeout } from './timeout.js';
import { dataPath, outputDir, projectRoot, type RuntimeReport } from './suite-artifacts.js';

const entry = fileURLToPath(new URL('./worker-entry.js', import.meta.url));
const wasmFile = join(projectRoot, 'build', 'matter-sessions.wasm');

export interface WorkerBundle {
  code: string;
  /** The module that imported the package's .wasm: dist/workerd.js when the "workerd" condition applied. */
  wasmImporters: string[];
  /** The builds the bundle imports (dist/workerd.js imports the baseline and the relaxed one). */
  wasmModules: WorkerWasmModule[];
}

export async function bundleWorker(): Promise<WorkerBundle> {
  const { code, wasmImporters, wasmModules } = await bundleForWorkerd(entry, wasmFile);
  await writeFile(join(outputDir, 'worker.js'), code);
  return { code, wasmImporters, wasmModules };
}

export interface WorkerdRunOptions { timeoutMs: number }

export async function runInWorkerd(bundle: WorkerBundle, options: WorkerdRunOptions): Promise<RuntimeReport> {
  const mf = new Miniflare({
    modulesRoot: outputDir,
    modules: [
      { type: 'ESModule', path: join(outputDir, 'worker.js'), contents: bundle.code },
      ...await compiledWasmModules(bundle.wasmModules, outputDir, readFile),
    ],
    compatibilityDate: '2026-04-01',
  });
  try {
    return await withTimeout(options.timeoutMs, 'workerd', async () => {
      const response = await mf.dispatchFetch('http://localhost/', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: await readFile(dataPath, 'utf8'),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`the Worker answered HTTP ${response.status}:\n${text}`);
      return JSON.parse(text) as RuntimeReport;
    });
  } finally {
    await mf.dispose();
  }
}
