// Loads and holds the one WebAssembly instance. This is the only file that touches the instance; the rest of
// src/core sees the typed `core()` accessor.
import { CoreNotReadyError } from './errors.js';

declare global {
  // The published types name WebAssembly.Module and .Memory. Node's types (without the DOM lib) declare no
  // WebAssembly namespace, so these mergeable interfaces keep a Node-only consumer type-checking; with the DOM lib
  // they merge into the full declarations.
  namespace WebAssembly {
    interface Module {}
    interface Memory { readonly buffer: ArrayBuffer }
  }
}

export interface CoreExports {
  memory: WebAssembly.Memory;
  ccmSeal(keys: number, nonce: number, nonceLength: number, aad: number, aadLength: number, input: number,
    length: number, output: number, tagLength: number): void;
  ccmOpen(keys: number, nonce: number, nonceLength: number, aad: number, aadLength: number, input: number,
    length: number, output: number, tag: number, tagLength: number): number;
  ctrXor(keys: number, nonce: number, nonceLength: number, input: number, length: number, output: number,
    initialCounter: number): void;
  keySlotCreate(key: number): number;
  keySlotRelease(slot: number): void;
  keySlotsLive(): number;
  allocatorCreate(hint: number): number;
  allocatorDispose(allocator: number): void;
  allocatorAllocate(allocator: number): number;
  allocatorRelease(allocator: number, id: number): number;
  allocatorReserve(allocator: number, id: number): number;
  allocatorInUse(allocator: number, id: number): number;
  allocatorCount(allocator: number): number;
  scratchReserve(bytes: number): number;
}

/** Where the module comes from: a compiled Module (workerd, bundlers), its bytes, a URL, or a fetch Response. */
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string | Response
  | PromiseLike<Response>;

let exportsOf: CoreExports | undefined;
let loading: Promise<void> | undefined;

// The smallest module that uses i8x16.relaxed_swizzle: () -> v128 returning relaxed_swizzle(0, 0). Engines
// without relaxed SIMD (Node 20's V8 11.3) refuse to validate it.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: one function type () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x2b, 0x01, 0x29, 0x00, // code section: one body of 41 bytes, no locals
  0xfd, 0x0c, ...new Array<number>(16).fill(0), // v128.const 0
  0xfd, 0x0c, ...new Array<number>(16).fill(0), // v128.const 0
  0xfd, 0x80, 0x02, // i8x16.relaxed_swizzle (0xfd 256)
  0x0b, // end
]);

/** Whether the engine has relaxed SIMD (V8 11.4+: Chromium, Deno, workerd, Node 22+; JavaScriptCore in Bun). */
export function hasRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

interface EngineGlobals {
  Bun?: unknown;
  navigator?: { vendor?: string };
}

/**
 * Whether the engine is JavaScriptCore: Bun, Safari, and every iOS browser (all WebKit). Its wasm compiler spills
 * the unrolled AES rounds heavily, so it gets the compact build (assembly/aes128.ts, AES_COMPACT), measured
 * 1.2-1.5x faster there and 0.9-1.0x in V8. An engine check, because no wasm feature tells the two apart.
 */
export function isJavaScriptCore(): boolean {
  const g = globalThis as EngineGlobals;
  return g.Bun !== undefined || (typeof g.navigator?.vendor === 'string' && g.navigator.vendor.startsWith('Apple'));
}

export type CoreBuild = 'simd' | 'relaxed-simd' | 'compact-simd' | 'compact-relaxed-simd';

/**
 * The builds of the same source (asconfig.json targets): "relaxed" replaces every i8x16.swizzle by
 * i8x16.relaxed_swizzle, about 1.2x faster in V8 and JavaScriptCore on x86 (no saturating add before each pshufb)
 * and the same bytes for the indices the core uses (assembly/lookup.ts); "compact" is the JavaScriptCore build.
 */
export function preferredBuild(): CoreBuild {
  const relaxed = hasRelaxedSimd();
  if (isJavaScriptCore()) return relaxed ? 'compact-relaxed-simd' : 'compact-simd';
  return relaxed ? 'relaxed-simd' : 'simd';
}

const BUILD_FILES: Record<CoreBuild, string> = {
  'simd': 'matter-sessions.wasm',
  'relaxed-simd': 'matter-sessions-relaxed.wasm',
  'compact-simd': 'matter-sessions-compact.wasm',
  'compact-relaxed-simd': 'matter-sessions-compact-relaxed.wasm',
};

/** Compiled builds an entry imported (workerd), by build; ready() without a source takes the best one that fits. */
export type BuildModules = Partial<Record<CoreBuild, WasmSource>>;

let defaultModules: BuildModules | undefined;

/**
 * Entry points that must import their modules statically (workerd compiles wasm only from module imports) offer
 * each build they carry here; ready() without a source then takes preferredBuild() or, if that one is not offered,
 * the next build this engine validates (a relaxed build only where relaxed SIMD validates).
 */
export function setDefaultModules(modules: BuildModules): void {
  defaultModules = modules;
}

// For each preferred build, the builds that also run on that engine, fastest first (relaxed SIMD dropped before
// the layout, which costs less: README "The core in each engine").
const FALLBACKS: Record<CoreBuild, CoreBuild[]> = {
  'compact-relaxed-simd': ['compact-relaxed-simd', 'compact-simd', 'relaxed-simd', 'simd'],
  'compact-simd': ['compact-simd', 'simd'],
  'relaxed-simd': ['relaxed-simd', 'simd', 'compact-relaxed-simd', 'compact-simd'],
  'simd': ['simd', 'compact-simd'],
};

function offeredBuild(modules: BuildModules): CoreBuild {
  const build = FALLBACKS[preferredBuild()].find((b) => modules[b] !== undefined);
  if (build === undefined) {
    throw new Error(`matter-sessions: none of the offered core builds (${Object.keys(modules).join(', ')}) runs on this engine`);
  }
  return build;
}

const buildUrl = (build: CoreBuild): URL => new URL(`../../build/${BUILD_FILES[build]}`, import.meta.url);

let loadedFrom: string | undefined;

/**
 * Which build ready() instantiated when it chose by itself (preferredBuild()), or 'given' when the caller passed
 * a source. Undefined before ready() resolves.
 */
export function coreBuild(): CoreBuild | 'given' | undefined {
  return exportsOf === undefined ? undefined : loadedFrom as CoreBuild | 'given';
}

interface RuntimeGlobals {
  Deno?: { readFile(path: URL): Promise<Uint8Array> };
  process?: { getBuiltinModule?(id: string): { promises: { readFile(path: URL): Promise<Uint8Array> } } };
}

async function bytesFromFileUrl(url: URL): Promise<Uint8Array | undefined> {
  const g = globalThis as RuntimeGlobals;
  if (g.Deno) return g.Deno.readFile(url);
  // Node and Bun: fetch() refuses file: URLs in Node; getBuiltinModule reaches fs without a static node: import,
  // so this universal module stays free of Node-only imports.
  const fs = g.process?.getBuiltinModule?.('node:fs');
  return fs ? fs.promises.readFile(url) : undefined;
}

async function instantiate(source: WasmSource): Promise<WebAssembly.Instance> {
  if (source instanceof WebAssembly.Module) return WebAssembly.instantiate(source, {});
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return (await WebAssembly.instantiate(source as BufferSource, {})).instance;
  }
  if (typeof source === 'string' || source instanceof URL) {
    const url = new URL(source);
    const local = url.protocol === 'file:' ? await bytesFromFileUrl(url) : undefined;
    if (local) return (await WebAssembly.instantiate(local as BufferSource, {})).instance;
    return instantiate(fetch(url));
  }
  const response = await source;
  if (!response.ok) throw new Error(`matter-sessions: loading the wasm failed: HTTP ${response.status} ${response.url}`);
  if (typeof WebAssembly.instantiateStreaming === 'function'
    && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return (await WebAssembly.instantiateStreaming(response, {})).instance;
  }
  return (await WebAssembly.instantiate(await response.arrayBuffer(), {})).instance;
}

/**
 * Instantiates the core once; later calls return the same promise. Without `source`, each runtime loads its
 * default: the .wasm next to this package (file read in Node, Deno and Bun; fetched in browsers), or the best of
 * the modules imported by the workerd entry. Instantiation is always asynchronous, as browsers require for modules over 4 KB.
 */
export function ready(source?: WasmSource): Promise<void> {
  loading ??= (async () => {
    if (source === undefined && defaultModules !== undefined) {
      const build = offeredBuild(defaultModules);
      loadedFrom = build;
      exportsOf = (await instantiate(defaultModules[build]!)).exports as unknown as CoreExports;
      return;
    }
    const build = source === undefined ? preferredBuild() : undefined;
    loadedFrom = build ?? 'given';
    const instance = await instantiate(source ?? buildUrl(build!));
    exportsOf = instance.exports as unknown as CoreExports;
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

export function isReady(): boolean {
  return exportsOf !== undefined;
}

export function core(): CoreExports {
  if (!exportsOf) throw new CoreNotReadyError();
  return exportsOf;
}

let heap: Uint8Array | undefined;

/**
 * A byte view of the module's memory, renewed after the memory grew: growth detaches the old buffer, which leaves
 * the old view with length 0 (cheaper to test than reading memory.buffer on every message).
 */
export function memoryBytes(): Uint8Array {
  if (heap === undefined || heap.length === 0) heap = new Uint8Array(core().memory.buffer);
  return heap;
}

let scratchAddress = 0;
let scratchCapacity = 0;

/** The scratch region's address, with at least `bytes` of room. */
export function scratch(bytes: number): number {
  if (bytes > scratchCapacity) {
    scratchCapacity = Math.max(bytes, scratchCapacity * 2, 4096);
    scratchAddress = core().scratchReserve(scratchCapacity);
  }
  return scratchAddress;
}
