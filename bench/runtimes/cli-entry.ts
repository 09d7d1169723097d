// Deno and Bun run the bundle of this file: the portable core bench, one JSON line on stdout.
import * as lib from '../../src/index.js';
import { matterCcm } from './matter-ccm.js';
import { portableCoreBench } from './portable-core-bench.js';

const { Deno, Bun } = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
const runtime = Deno ? 'Deno' : Bun ? 'Bun' : 'Node';
const version = Deno ? Deno.version.deno : Bun ? Bun.version : (globalThis as { process?: { version: string } }).process?.version ?? '';
console.log(JSON.stringify(await portableCoreBench(lib, matterCcm, runtime, version)));
