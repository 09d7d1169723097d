// What every non-Node runtime loads besides the package itself: the conformance suite compiled to plain JS and the
// suite's data as JSON, both under test-output/runtimes/ (git-ignored).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { AllSuiteData, AllSuitesReport } from '../conformance/all-suites.js';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
export const outputDir = join(projectRoot, 'test-output', 'runtimes');
/** The entries below import these exact paths (relative to themselves, or absolute on the browser's server). */
export const suitePath = join(outputDir, 'all-suites.js');
export const dataPath = join(outputDir, 'suite-data.json');

/** A runtime's report, plus the version string it gave about itself. */
export interface RuntimeReport extends AllSuitesReport {
  version?: string;
  /** workerd: lib.coreBuild() and lib.hasRelaxedSimd() after the suites ran. */
  coreBuild?: string;
  relaxedSimd?: boolean;
}

const builtFiles = ['dist/index.js', 'dist/workerd.js', 'dist/core/wasm-module.js', 'build/matter-sessions.wasm'];

/** The runtimes test the package as built; a missing build must fail, not fall back to the sources. */
export function assertPackageBuilt(): void {
  const missing = builtFiles.filter((file) => !existsSync(join(projectRoot, file)));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run \`npm run build\` first`);
}

export async function writeSuiteArtifacts(data: AllSuiteData): Promise<void> {
  await mkdir(outputDir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(projectRoot, 'test/conformance/all-suites.ts')],
    outfile: suitePath,
    // The suites import one another's code but only the library's types: bundled, nothing is left to import.
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
  });
  // The suite is passed the library; an import of its own would load a second copy (or fail) in the runtimes.
  const code = await readFile(suitePath, 'utf8');
  if (/^\s*(import|export\s.*\sfrom)\b|\bimport\s*\(/m.test(code)) {
    throw new Error(`${suitePath} imports a module; the suites must only use \`import type\` for the library`);
  }
  await writeFile(dataPath, JSON.stringify(data));
}
