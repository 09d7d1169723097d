// Bundles a Worker the way wrangler would for a user: the package resolved through its "workerd" export condition,
// and the package's .wasm builds kept as module imports (Workers compile wasm only from modules), each named by its
// file name beside the bundle. Records which modules imported a wasm, so a test can check it was dist/workerd.js.
import { basename, dirname, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

/** A wasm module the bundle imports: its name beside the bundle and the package file to hand workerd. */
export interface WorkerWasmModule { name: string; file: string }

/**
 * `wasmFile` names the package's build directory (any file in it): every build the bundle imports from there
 * becomes a module; a wasm from anywhere else is an error.
 */
export async function bundleForWorkerd(entry: string, wasmFile: string):
  Promise<{ code: string; wasmImporters: string[]; wasmModules: WorkerWasmModule[] }> {
  const buildDir = dirname(wasmFile);
  const wasmImporters: string[] = [];
  const wasmModules: WorkerWasmModule[] = [];
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    target: 'es2022',
    logLevel: 'silent',
    plugins: [{
      name: 'wasm-as-module',
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, (args) => {
          const file = resolve(args.resolveDir, args.path);
          if (dirname(file) !== buildDir) return { errors: [{ text: `unexpected wasm import ${file}` }] };
          if (!wasmImporters.includes(args.importer)) wasmImporters.push(args.importer);
          if (!wasmModules.some((m) => m.file === file)) wasmModules.push({ name: basename(file), file });
          return { path: `./${basename(file)}`, external: true };
        });
      },
    }],
  });
  return { code: result.outputFiles[0]!.text, wasmImporters, wasmModules };
}

/** Miniflare's module list for the wasm a bundle imports, under `root`. */
export async function compiledWasmModules(modules: WorkerWasmModule[], root: string, read: (file: string) => Promise<Uint8Array>):
  Promise<Array<{ type: 'CompiledWasm'; path: string; contents: Uint8Array }>> {
  return Promise.all(modules.map(async (m) => ({ type: 'CompiledWasm' as const, path: join(root, m.name), contents: await read(m.file) })));
}
