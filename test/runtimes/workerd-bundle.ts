// Bundles a Worker the way wrangler would for a user: the package resolved through its "workerd" export condition,
// and the package's .wasm kept as a module import (Workers compile wasm only from modules), named `wasmModuleName`
// beside the bundle. Records which modules imported the wasm, so a test can check it was dist/workerd.js.
import { resolve } from 'node:path';
import * as esbuild from 'esbuild';

export async function bundleForWorkerd(entry: string, wasmFile: string, wasmModuleName: string):
  Promise<{ code: string; wasmImporters: string[] }> {
  const wasmImporters: string[] = [];
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
          if (file !== wasmFile) return { errors: [{ text: `unexpected wasm import ${file}` }] };
          wasmImporters.push(args.importer);
          return { path: `./${wasmModuleName}`, external: true };
        });
      },
    }],
  });
  return { code: result.outputFiles[0]!.text, wasmImporters };
}
