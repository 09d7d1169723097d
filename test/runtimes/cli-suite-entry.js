// Deno and Bun run this file as a user's script would use the package: the built dist/index.js, whose ready()
// loads build/matter-sessions.wasm by itself. Usage: <runtime> cli-suite-entry.js <suite-data.json>
import * as lib from '../../dist/index.js';
import { runAllSuites } from '../../test-output/runtimes/all-suites.js';

const { Deno, Bun } = globalThis;
const runtime = Deno ? 'deno' : Bun ? 'bun' : 'unknown';
const version = Deno ? Deno.version.deno : Bun ? Bun.version : undefined;
const dataFile = Deno ? Deno.args[0] : process.argv[2];
const text = Deno ? await Deno.readTextFile(dataFile) : await Bun.file(dataFile).text();

const report = await runAllSuites(lib, JSON.parse(text), runtime, { stores: { memory: async () => new lib.MemoryStore() } });
console.log(JSON.stringify({ ...report, version }));
