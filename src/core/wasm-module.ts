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
let defaultSource: (() => WasmSource) | undefined;

/** Entry points for runtimes that cannot load by URL (workerd imports the module) set their default here. */
export function setDefaultSource(source: () => WasmSource): void {
  defaultSource = source;
}

const defaultUrl = (): URL => new URL('../../build/matter-sessions.wasm', import.meta.url);

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
 * default: the .wasm next to this package (file read in Node, Deno and Bun; fetched in browsers), or the module
 * imported by the workerd entry. Instantiation is always asynchronous, as browsers require for modules over 4 KB.
 */
export function ready(source?: WasmSource): Promise<void> {
  loading ??= (async () => {
    const instance = await instantiate(source ?? defaultSource?.() ?? defaultUrl());
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
