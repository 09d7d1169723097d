// Deno and Bun, each started from the binary its npm package installed, on cli-suite-entry.js.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runForJsonLine } from './json-line-process.js';
import { dataPath, outputDir, projectRoot, type RuntimeReport } from './suite-artifacts.js';

const entry = fileURLToPath(new URL('./cli-suite-entry.js', import.meta.url));
const bin = (name: string) => join(projectRoot, 'node_modules', '.bin', name);

export interface CliRunOptions { timeoutMs: number; signal?: AbortSignal }

export function runInDeno(options: CliRunOptions): Promise<RuntimeReport> {
  // Read access to the project only (entry, dist, wasm, suite, data); no net, env, write or run permission.
  // The project's package.json puts Deno in its node_modules mode, so the package's npm dependencies resolve
  // from the local node_modules as they would for a user's Deno project; --no-remote and --cached-only keep it
  // from fetching anything.
  const args = ['run', '--no-prompt', '--no-lock', '--no-remote', '--cached-only', '--node-modules-dir=manual',
    `--allow-read=${projectRoot}`, entry, dataPath];
  const env = { ...process.env, DENO_DIR: join(outputDir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  return runForJsonLine(bin('deno'), args, { cwd: projectRoot, env, ...options });
}

export function runInBun(options: CliRunOptions): Promise<RuntimeReport> {
  const env = { ...process.env, BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', NO_COLOR: '1' };
  return runForJsonLine(bin('bun'), ['run', '--no-install', entry, dataPath], { cwd: projectRoot, env, ...options });
}
