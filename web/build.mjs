// `node web/build.mjs`: bundles the page's TypeScript (and the library's source) into web/dist/app.js with esbuild,
// next to index.html and the core's matter-sessions.wasm, which the page hands to ready() by URL.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const web = new URL('./', import.meta.url);
const dist = new URL('dist/', web);
const wasm = new URL('../build/matter-sessions.wasm', web);

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [fileURLToPath(new URL('src/app.ts', web))],
  outfile: fileURLToPath(new URL('app.js', dist)),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
});
await copyFile(new URL('index.html', web), new URL('index.html', dist));
await copyFile(wasm, new URL('matter-sessions.wasm', dist)).catch((error) => {
  throw new Error(`${fileURLToPath(wasm)} is missing: run \`npm run build:wasm\` first`, { cause: error });
});
console.log(`web app built in ${fileURLToPath(dist)}`);
